import { buildBrokenModel, buildLogisticRegression } from '@mlops/model-builders';
import { describe, expect, it } from 'vitest';
import { modelInfer } from '../inference/model-infer.js';
import {
  inferRequest,
  metricValue,
  rawBytes,
  closedAfterEach,
} from '../testing/fixtures.js';
import { FEATURES } from '../testing/models.js';
import type { ModelSettings } from './settings.js';

const fixture = closedAfterEach();

/** Version n answers sigmoid(n) for all-zero features, so every response shows which version computed it. */
const versionModel = (n: number) =>
  buildLogisticRegression({ weights: new Array<number>(FEATURES).fill(0.1), bias: n });
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const zeros = rawBytes(new Float32Array(FEATURES));
const request = () =>
  inferRequest({
    modelName: 'm',
    inputs: [{ name: 'features', datatype: 'FP32', shape: [1n, BigInt(FEATURES)] }],
    rawInputContents: [zeros],
  });

const batching: ModelSettings['batching'] = {
  kind: 'dynamic',
  maxBatchSize: 8,
  maxQueueDelayUs: 500,
  preferredBatchSizes: [],
  maxQueueSize: 1024,
  maxConcurrentBatches: 1,
};

describe.each([
  { mode: 'direct', settings: {} },
  { mode: 'batched', settings: { batching } },
])('hot swap ($mode)', ({ settings }) => {
  it('swaps versions under continuous load with zero failed requests, and releases the old session', async () => {
    const { source, repository, registry } = fixture({ defaults: settings });
    for (const v of [1, 2, 3]) source.put('m', v, versionModel(v));
    source.setAlias('m', 'production', 1);

    const seen: { version: string; probability: number }[] = [];
    const failures: unknown[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        try {
          const response = await modelInfer(repository, request());
          seen.push({
            version: response.modelVersion!,
            probability: new Float32Array(response.rawOutputContents![0]!.slice().buffer)[0]!,
          });
        } catch (error) {
          failures.push(error);
        }
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    const waitFor = async (predicate: () => boolean) => {
      while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 5));
    };

    await waitFor(() => seen.length >= 50);
    const first = repository.tryAcquire('m', undefined)!;
    first.release();
    expect(first.version).toBe('1');

    for (const version of ['2', '3']) {
      const swapped = await repository.aliasMoved('m', 'production', version);
      expect(swapped.ok).toBe(true);
      const before = seen.length;
      await waitFor(() => seen.length >= before + 50);
    }
    stop = true;
    await Promise.all(workers);

    expect(failures).toEqual([]);
    // Every answer came from the version it names, and every version answered.
    for (const answer of seen) expect(answer.probability).toBeCloseTo(sigmoid(Number(answer.version)), 5);
    expect(new Set(seen.map((s) => s.version))).toEqual(new Set(['1', '2', '3']));
    // The first version drained and let go of its onnxruntime session.
    await first.whenReleased();
    expect(first.state).toBe('released');
    expect(repository.versions('m')).toEqual(['3']);
    expect(await metricValue(registry, 'mlops_inference_model_swaps_total', { model: 'm' })).toBe(2);
    expect(
      await metricValue(registry, 'nv_inference_request_success', { model: 'm', version: '1' }),
    ).toBeGreaterThanOrEqual(50);
    expect(await metricValue(registry, 'nv_inference_request_failure', { model: 'm', version: '1' })).toBe(0);
  });
});

describe('ModelRepository', () => {
  it('keeps serving the current version when the new one fails to load, and reports why', async () => {
    const { source, repository, registry, logs } = fixture();
    source.put('m', 1, versionModel(1)).put('m', 2, buildBrokenModel()).setAlias('m', 'production', 1);
    await modelInfer(repository, request());

    const result = await repository.aliasMoved('m', 'production', '2');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe('load_failed');
    expect(result.error.message).toContain('onnxruntime cannot load the model');

    expect((await modelInfer(repository, request())).modelVersion).toBe('1');
    expect(repository.isReady('m', undefined)).toBe(true);
    expect(
      await metricValue(registry, 'mlops_inference_model_load_failures_total', { model: 'm', version: '2' }),
    ).toBe(1);
    const logged = logs().find((l) => l['msg'] === 'model version failed to load');
    expect(logged).toMatchObject({ level: 'error', model: 'm', version: '2', serving: '1' });
    expect(repository.index()).toEqual([
      { name: 'm', version: '1', state: 'READY', reason: '' },
      {
        name: 'm',
        version: '2',
        state: 'UNAVAILABLE',
        reason: expect.stringContaining('MlopsNoSuchOperator'),
      },
    ]);
  });

  it('ignores alias moves for models it does not serve, and for other aliases', async () => {
    const { source, repository } = fixture();
    source.put('m', 1, versionModel(1)).put('m', 2, versionModel(2)).setAlias('m', 'production', 1);
    expect(await repository.aliasMoved('m', 'production', '2')).toEqual({ ok: true, value: undefined });
    expect(repository.index()).toEqual([]);
    await modelInfer(repository, request());
    expect(await repository.aliasMoved('m', 'staging', '2')).toEqual({ ok: true, value: undefined });
    expect(repository.versions('m')).toEqual(['1']);
  });

  it('unload retires the model and refuses requests until an explicit load', async () => {
    const { source, repository } = fixture();
    source.put('m', 1, versionModel(1)).put('m', 2, versionModel(2)).setAlias('m', 'production', 1);
    await modelInfer(repository, request());
    const loaded = repository.tryAcquire('m', undefined)!;
    loaded.release();
    await repository.unload('m');
    expect(loaded.state).toBe('released');
    expect(repository.isReady('m', undefined)).toBe(false);
    await expect(modelInfer(repository, request())).rejects.toThrow('model m is unloaded');
    expect(repository.index()).toEqual([
      { name: 'm', version: '', state: 'UNAVAILABLE', reason: 'unloaded' },
    ]);

    source.setAlias('m', 'production', 2);
    const reloaded = await repository.load('m');
    expect(reloaded.ok && reloaded.value.version).toBe('2');
    expect((await modelInfer(repository, request())).modelVersion).toBe('2');
  });

  it('loads a model once however many requests ask for it at the same time', async () => {
    const { source, repository, logs } = fixture();
    source.put('m', 1, versionModel(1)).setAlias('m', 'production', 1);
    await Promise.all(Array.from({ length: 10 }, () => modelInfer(repository, request())));
    expect(logs().filter((l) => l['msg'] === 'model version loaded and warmed')).toHaveLength(1);
  });

  it('evicts the least recently used pinned version beyond the per-model limit', async () => {
    const { source, repository } = fixture({ maxVersionsPerModel: 2 });
    for (const v of [1, 2, 3]) source.put('m', v, versionModel(v));
    source.setAlias('m', 'production', 1);
    const pinned = (modelVersion: string) =>
      modelInfer(repository, inferRequest({ ...request(), modelVersion }));
    await modelInfer(repository, request());
    await pinned('2');
    await pinned('3');
    expect(repository.versions('m').sort()).toEqual(['1', '3']);
  });
});

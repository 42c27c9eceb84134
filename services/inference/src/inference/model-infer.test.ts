import { buildIdentityModel } from '@mlops/model-builders';
import { RpcError, status } from '@mlops/grpc';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { directRun, inferRequest, metricValue, rawBytes, closedAfterEach } from '../testing/fixtures.js';
import { FEATURES, logisticRegression, rows, smallMlp, treeEnsemble } from '../testing/models.js';
import { modelInfer } from './model-infer.js';

const fixture = closedAfterEach();

const floats = (raw: Uint8Array): number[] => Array.from(new Float32Array(raw.slice().buffer));

const rejection = async (promise: Promise<unknown>): Promise<RpcError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RpcError);
  return error as RpcError;
};

describe.each([
  { name: 'logistic regression', build: () => logisticRegression(1), width: FEATURES },
  { name: 'small MLP', build: () => smallMlp(2), width: 4 },
  { name: 'tree ensemble (ai.onnx.ml)', build: treeEnsemble, width: 4 },
])('ModelInfer on a $name', ({ build, width }) => {
  const model = build();
  const batch = rows(7, 5, width);

  async function reference() {
    return directRun(model, { features: new ort.Tensor('float32', batch, [5, width]) });
  }

  it('answers raw contents with exactly what onnxruntime answers', async () => {
    const { source, repository } = fixture();
    source.put('m', 1, model).setAlias('m', 'production', 1);
    const response = await modelInfer(
      repository,
      inferRequest({
        modelName: 'm',
        id: 'req-1',
        inputs: [{ name: 'features', datatype: 'FP32', shape: [5n, BigInt(width)] }],
        rawInputContents: [rawBytes(batch)],
      }),
    );
    const expected = await reference();
    expect(response.modelVersion).toBe('1');
    expect(response.id).toBe('req-1');
    expect(response.outputs!.map((o) => o.name)).toEqual(Object.keys(expected));
    response.outputs!.forEach((output, i) => {
      const want = expected[output.name!]!;
      expect(output.shape).toEqual(want.dims.map(BigInt));
      expect(Buffer.from(response.rawOutputContents![i]!)).toEqual(
        Buffer.from(rawBytes(want.data as Float32Array)),
      );
    });
  });

  it('answers typed contents with the same values', async () => {
    const { source, repository } = fixture();
    source.put('m', 1, model).setAlias('m', 'production', 1);
    const response = await modelInfer(
      repository,
      inferRequest({
        modelName: 'm',
        inputs: [
          {
            name: 'features',
            datatype: 'FP32',
            shape: [5n, BigInt(width)],
            contents: { fp32Contents: Array.from(batch) },
          },
        ],
      }),
    );
    const expected = await reference();
    expect(response.rawOutputContents).toEqual([]);
    for (const output of response.outputs!) {
      const want = expected[output.name!]!;
      const values =
        output.datatype === 'INT64' ? output.contents!.int64Contents : output.contents!.fp32Contents;
      expect(values).toEqual(Array.from(want.data as Float32Array));
    }
  });
});

describe('ModelInfer', () => {
  it('returns only the requested outputs, in the requested order', async () => {
    const { source, repository } = fixture();
    source.put('trees', 1, treeEnsemble()).setAlias('trees', 'production', 1);
    const response = await modelInfer(
      repository,
      inferRequest({
        modelName: 'trees',
        inputs: [{ name: 'features', datatype: 'FP32', shape: [1n, 4n] }],
        rawInputContents: [rawBytes(rows(3, 1, 4))],
        outputs: [{ name: 'probabilities' }],
      }),
    );
    expect(response.outputs!.map((o) => o.name)).toEqual(['probabilities']);
    const error = await rejection(
      modelInfer(
        repository,
        inferRequest({
          modelName: 'trees',
          inputs: [{ name: 'features', datatype: 'FP32', shape: [1n, 4n] }],
          rawInputContents: [rawBytes(rows(3, 1, 4))],
          outputs: [{ name: 'score' }],
        }),
      ),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.message).toBe('outputs[0].name: expected one of "label", "probabilities", got "score"');
  });

  it('binary_data_output chooses raw outputs for typed inputs', async () => {
    const { source, repository } = fixture();
    source.put('m', 1, logisticRegression(1)).setAlias('m', 'production', 1);
    const response = await modelInfer(
      repository,
      inferRequest({
        modelName: 'm',
        inputs: [
          {
            name: 'features',
            datatype: 'FP32',
            shape: [1n, 30n],
            contents: { fp32Contents: new Array<number>(30).fill(0.5) },
          },
        ],
        parameters: { binary_data_output: { parameterChoice: { case: 'boolParam', value: true } } },
      }),
    );
    expect(response.rawOutputContents).toHaveLength(1);
  });

  it('answers FP16 outputs raw even to typed requests', async () => {
    const { source, repository } = fixture();
    source.put('half', 1, buildIdentityModel('float16')).setAlias('half', 'production', 1);
    const response = await modelInfer(
      repository,
      inferRequest({
        modelName: 'half',
        inputs: [{ name: 'input', datatype: 'FP16', shape: [2n] }],
        rawInputContents: [rawBytes(new Uint16Array([0x3c00, 0xc000]))],
      }),
    );
    expect(response.outputs![0]!.datatype).toBe('FP16');
    expect(Array.from(new Uint16Array(response.rawOutputContents![0]!.slice().buffer))).toEqual([
      0x3c00, 0xc000,
    ]);
  });

  it('names the tensor and what was expected for every kind of bad input, as INVALID_ARGUMENT', async () => {
    const { source, repository, registry } = fixture({ defaults: { maxElementsPerTensor: 3000 } });
    source.put('m', 1, logisticRegression(1)).setAlias('m', 'production', 1);
    const call = (input: { name?: string; datatype?: string; shape?: bigint[] }, raw: Uint8Array) =>
      rejection(
        modelInfer(
          repository,
          inferRequest({
            modelName: 'm',
            inputs: [{ name: 'features', datatype: 'FP32', shape: [1n, 30n], ...input }],
            rawInputContents: [raw],
          }),
        ),
      );
    const cases = [
      [await call({ name: 'x' }, new Uint8Array(120)), 'inputs[0].name: expected one of "features", got "x"'],
      [
        await call({ datatype: 'FP64' }, new Uint8Array(240)),
        'inputs["features"].datatype: expected FP32, got "FP64"',
      ],
      [
        await call({ shape: [1n, 29n] }, new Uint8Array(116)),
        'inputs["features"].shape: expected [-1, 30] (dimension 1 is fixed at 30), got "[1, 29]"',
      ],
      [
        await call({}, new Uint8Array(100)),
        'raw_input_contents for input "features": expected 120 bytes (30 elements × 4 bytes of FP32), got "100 bytes"',
      ],
      [
        await call({ shape: [101n, 30n] }, new Uint8Array(0)),
        'inputs["features"].shape: expected at most 3000 elements, got "[101, 30] (3030 elements)"',
      ],
    ] as const;
    for (const [error, message] of cases) {
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.message).toBe(message);
    }
    expect(await metricValue(registry, 'nv_inference_request_failure', { model: 'm', version: '1' })).toBe(5);
  });

  it("never consults the call's cancellation for a direct run that succeeds", async () => {
    const { source, repository } = fixture();
    source.put('m', 1, logisticRegression(3)).setAlias('m', 'production', 1);
    let reads = 0;
    const response = await modelInfer(
      repository,
      inferRequest({
        modelName: 'm',
        inputs: [{ name: 'features', datatype: 'FP32', shape: [1n, 30n] }],
        rawInputContents: [rawBytes(rows(1, 1, FEATURES))],
      }),
      {
        get aborted() {
          reads++;
          return false;
        },
        reason: undefined,
      },
    );
    expect(response.outputs).toHaveLength(1);
    expect(reads).toBe(0);
  });

  it('NOT_FOUND for a model the source does not have; INVALID_ARGUMENT for a malformed version', async () => {
    const { repository } = fixture();
    expect((await rejection(modelInfer(repository, inferRequest({ modelName: 'nope' })))).code).toBe(
      status.NOT_FOUND,
    );
    const bad = await rejection(
      modelInfer(repository, inferRequest({ modelName: 'nope', modelVersion: 'latest' })),
    );
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.message).toContain('model_version: expected a version number');
  });

  it('serves an explicitly named version beside the production one', async () => {
    const { source, repository } = fixture();
    source
      .put('m', 1, logisticRegression(1))
      .put('m', 2, logisticRegression(2))
      .setAlias('m', 'production', 1);
    const request = (modelVersion: string) =>
      modelInfer(
        repository,
        inferRequest({
          modelName: 'm',
          modelVersion,
          inputs: [{ name: 'features', datatype: 'FP32', shape: [1n, 30n] }],
          rawInputContents: [rawBytes(rows(1, 1, 30))],
        }),
      );
    const [v1, v2, production] = await Promise.all([request('1'), request('2'), request('')]);
    expect([v1.modelVersion, v2.modelVersion, production.modelVersion]).toEqual(['1', '2', '1']);
    expect(floats(v1.rawOutputContents![0]!)).not.toEqual(floats(v2.rawOutputContents![0]!));
    expect(repository.versions('m')).toEqual(['1', '2']);
  });

  describe('with dynamic batching', () => {
    const batching = {
      kind: 'dynamic' as const,
      maxBatchSize: 16,
      maxQueueDelayUs: 20_000,
      preferredBatchSizes: [],
      maxQueueSize: 64,
      maxConcurrentBatches: 1,
    };

    it('stacks concurrent requests into fewer runs and splits the outputs back, equal to direct runs', async () => {
      const { source, repository, registry } = fixture({ defaults: { batching } });
      const model = logisticRegression(3);
      source.put('m', 1, model).setAlias('m', 'production', 1);
      const inputs = Array.from({ length: 12 }, (_, i) => rows(100 + i, 1 + (i % 3), FEATURES));
      const responses = await Promise.all(
        inputs.map((data) =>
          modelInfer(
            repository,
            inferRequest({
              modelName: 'm',
              inputs: [{ name: 'features', datatype: 'FP32', shape: [BigInt(data.length / FEATURES), 30n] }],
              rawInputContents: [rawBytes(data)],
            }),
          ),
        ),
      );
      for (const [i, response] of responses.entries()) {
        const want = await directRun(model, {
          features: new ort.Tensor('float32', inputs[i]!, [inputs[i]!.length / FEATURES, FEATURES]),
        });
        expect(response.outputs![0]!.shape).toEqual([BigInt(inputs[i]!.length / FEATURES), 1n]);
        expect(floats(response.rawOutputContents![0]!)).toEqual(
          Array.from(want['probability']!.data as Float32Array),
        );
      }
      const runs = (await metricValue(registry, 'nv_inference_exec_count', { model: 'm', version: '1' }))!;
      expect(runs).toBeLessThan(12);
      expect(await metricValue(registry, 'nv_inference_count', { model: 'm', version: '1' })).toBe(
        inputs.reduce((n, d) => n + d.length / FEATURES, 0),
      );
      expect(await metricValue(registry, 'nv_inference_request_success', { model: 'm', version: '1' })).toBe(
        12,
      );
    });

    it("drops a queued request whose caller gave up, with the caller's reason, and runs the others", async () => {
      const { source, repository, registry } = fixture({
        defaults: { batching: { ...batching, maxQueueDelayUs: 200_000, maxBatchSize: 2 } },
      });
      source.put('m', 1, logisticRegression(3)).setAlias('m', 'production', 1);
      const request = () =>
        inferRequest({
          modelName: 'm',
          inputs: [{ name: 'features', datatype: 'FP32', shape: [1n, 30n] }],
          rawInputContents: [rawBytes(rows(1, 1, FEATURES))],
        });
      const controller = new AbortController();
      // Settled into a value at once, so its rejection is never unhandled while the test waits.
      const abandoned = modelInfer(repository, request(), controller.signal).then(
        () => undefined,
        (error: unknown) => error,
      );
      // Loading the model on first use is async: let the first request reach the queue first.
      while (
        (await metricValue(registry, 'nv_inference_pending_request_count', { model: 'm', version: '1' })) !==
        1
      )
        await new Promise((resolve) => setImmediate(resolve));
      controller.abort(new Error('the client cancelled'));
      // The second request fills the batch and starts it; the abandoned one is not part of the run.
      const kept = await modelInfer(repository, request(), new AbortController().signal);
      expect(kept.outputs).toHaveLength(1);
      expect(await abandoned).toEqual(new Error('the client cancelled'));
      expect(await metricValue(registry, 'nv_inference_count', { model: 'm', version: '1' })).toBe(1);
    });

    it('answers RESOURCE_EXHAUSTED when the queue is full, and INVALID_ARGUMENT above the max batch size', async () => {
      const { source, repository } = fixture({
        defaults: { batching: { ...batching, maxQueueSize: 2, maxQueueDelayUs: 200_000, maxBatchSize: 4 } },
      });
      source.put('m', 1, logisticRegression(3)).setAlias('m', 'production', 1);
      const request = (n: number) =>
        modelInfer(
          repository,
          inferRequest({
            modelName: 'm',
            inputs: [{ name: 'features', datatype: 'FP32', shape: [BigInt(n), 30n] }],
            rawInputContents: [rawBytes(rows(1, n, FEATURES))],
          }),
        );
      const [a, b, c] = [request(1), request(1), request(1)];
      const refused = await rejection(c);
      expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(refused.message).toContain('the queue is full (2 requests pending)');
      await Promise.all([a, b]);
      const tooBig = await rejection(request(5));
      expect(tooBig.code).toBe(status.INVALID_ARGUMENT);
      expect(tooBig.message).toContain("at most 4 (the model's max batch size)");
    });
  });
});

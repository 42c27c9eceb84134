import { deleteNamespacedStreams } from '@mlops/events';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { createTestDatabase, type TestDatabase } from '@mlops/db/testing';
import { createClient, type Client } from '@mlops/grpc';
import { GRPCInferenceService } from '@mlops/proto/inference/grpc_predict_v2_pb';
import { RegistryService, type CreateVersionRequestSchema } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { registrySpec } from '@mlops/registry';
import { bootService, type BootedService } from '@mlops/runtime';
import * as ort from 'onnxruntime-node';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inferenceSpec } from './spec.js';
import { directRun, memoryLogger, rawBytes } from './testing/fixtures.js';
import { FEATURES, logisticRegression, rows } from './testing/models.js';

const natsUrl = process.env['TEST_NATS_URL']?.trim() || 'nats://127.0.0.1:4222';

function* upload(
  model: string,
  bytes: Uint8Array,
): Generator<MessageInitShape<typeof CreateVersionRequestSchema>> {
  yield { part: { case: 'header', value: { model } } };
  yield { part: { case: 'chunk', value: bytes } };
}

describe('inference following the real registry', () => {
  let database: TestDatabase;
  let natsNamespace: string | undefined;
  let dataDir: string;
  let registry: BootedService;
  let inference: BootedService;
  let registryClient: Client<typeof RegistryService>;
  let client: Client<typeof GRPCInferenceService>;
  const v1 = logisticRegression(21);
  const v2 = logisticRegression(22);

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'inference-e2e-'));
    natsNamespace = `inf${randomBytes(5).toString('hex')}`;
    const common = {
      DATABASE_URL: database.url,
      NATS_URL: natsUrl,
      MLOPS_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    };
    const boot = { natsNamespace, grpcAddress: '127.0.0.1:0', adminAddress: '127.0.0.1:0' };
    registry = await bootService(registrySpec, {
      ...boot,
      env: common,
      logger: memoryLogger().logger,
    });
    inference = await bootService(inferenceSpec, {
      ...boot,
      env: { ...common, MLOPS_REGISTRY_ADDR: `127.0.0.1:${registry.grpcPort}` },
      logger: memoryLogger().logger,
    });
    registryClient = createClient(RegistryService, `127.0.0.1:${registry.grpcPort}`, {
      defaultDeadlineMs: 60_000,
    });
    client = createClient(GRPCInferenceService, `127.0.0.1:${inference.grpcPort}`, {
      defaultDeadlineMs: 60_000,
    });

    await registryClient.createModel({ name: 'churn' });
    await registryClient.createVersion(upload('churn', v1));
    await registryClient.createVersion(upload('churn', v2));
    await registryClient.setAlias({ model: 'churn', alias: 'production', version: 1n });
  });

  afterAll(async () => {
    client?.close();
    registryClient?.close();
    await inference?.stop(1000);
    await registry?.stop(1000);
    if (natsNamespace) await deleteNamespacedStreams(natsUrl, natsNamespace);
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const input = rows(31, 1, FEATURES);
  const infer = () =>
    client.modelInfer({
      modelName: 'churn',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [1n, BigInt(FEATURES)] }],
      rawInputContents: [rawBytes(input)],
    });
  const expected = async (model: Uint8Array) =>
    Buffer.from(
      rawBytes(
        (await directRun(model, { features: new ort.Tensor('float32', input, [1, FEATURES]) }))[
          'probability'
        ]!.data as Float32Array,
      ),
    );

  it('serves the production version, then hot-swaps when the alias moves, without a failed request', async () => {
    const first = await infer();
    expect(first.modelVersion).toBe('1');
    expect(Buffer.from(first.rawOutputContents[0]!)).toEqual(await expected(v1));

    const answers: { version: string; output: Buffer }[] = [];
    const failures: unknown[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        await infer().then(
          (r) => answers.push({ version: r.modelVersion, output: Buffer.from(r.rawOutputContents[0]!) }),
          (e: unknown) => failures.push(e),
        );
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    while (answers.length < 20) await new Promise((r) => setTimeout(r, 10));

    // The registry publishes ALIAS_SET on NATS; the service loads, warms and swaps in version 2.
    await registryClient.setAlias({ model: 'churn', alias: 'production', version: 2n });
    const deadline = Date.now() + 30_000;
    while (!answers.some((a) => a.version === '2') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const afterSwap = answers.length;
    while (answers.length < afterSwap + 20) await new Promise((r) => setTimeout(r, 10));
    stop = true;
    await Promise.all(workers);

    expect(failures).toEqual([]);
    const [want1, want2] = [await expected(v1), await expected(v2)];
    for (const answer of answers) expect(answer.output).toEqual(answer.version === '1' ? want1 : want2);
    expect(answers.at(-1)!.version).toBe('2');
    expect((await client.modelMetadata({ name: 'churn' })).versions).toEqual(['2']);
  });
});

import { createHash } from 'node:crypto';
import { RpcError, status } from '@mlops/grpc';
import { buildBrokenModel, buildLogisticRegression, truncateBytes } from '@mlops/model-builders';
import { ElementType } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, versionUpload, type RegistryUnderTest } from '../testing/harness.js';

let registry: RegistryUnderTest;

beforeAll(async () => {
  registry = await startRegistry();
  await registry.client.createModel({ name: 'uploads' });
});
afterAll(async () => {
  await registry?.close();
});

async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof RpcError)) throw new Error(`expected an RpcError, got ${String(err)}`);
  return err;
}

const model = buildLogisticRegression({ weights: Array.from({ length: 50_000 }, (_, i) => (i % 7) / 10), bias: 0 });
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Nothing of a refused upload remains: no version, no staged bytes, no stored artifact. */
async function expectNothingRecorded(): Promise<void> {
  const versions = await registry.database.db.selectFrom('model_versions').select('version').where('model', '=', 'uploads').execute();
  expect(versions).toEqual([]);
  expect(await registry.stagingFiles()).toEqual([]);
  const model = await registry.client.getModel({ name: 'uploads' });
  expect(model.model?.latestVersion).toBe(0n);
}

async function lastAudit() {
  const { records } = await registry.client.listAuditRecords({ model: 'uploads', pageSize: 1 });
  return records[0]!;
}

describe('refused uploads leave nothing half-written', () => {
  it('bytes that are not ONNX', async () => {
    const err = await rejection(registry.client.createVersion(versionUpload({ model: 'uploads' }, new TextEncoder().encode('not a model at all'))));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.message).toBe('chunk: the artifact is not an ONNX model onnxruntime can load: Protobuf parsing failed.');
    await expectNothingRecorded();
    const audit = await lastAudit();
    expect(audit).toMatchObject({ action: 'create_version', succeeded: false });
    expect(JSON.parse(audit.detailsJson)).toMatchObject({ code: 'INVALID_ARGUMENT', artifact_size: 18 });
  });

  it('a well-formed model that onnxruntime cannot load, with its reason', async () => {
    const err = await rejection(registry.client.createVersion(versionUpload({ model: 'uploads' }, buildBrokenModel())));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.message).toContain('No Op registered for MlopsNoSuchOperator');
    expect(err.message).not.toContain('staging');
    await expectNothingRecorded();
  });

  it('a truncated upload, caught by the declared size before loading', async () => {
    const truncated = truncateBytes(model, { keepFraction: 0.6 });
    const err = await rejection(
      registry.client.createVersion(versionUpload({ model: 'uploads', expectedSize: BigInt(model.length) }, truncated, 16_384)),
    );
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.message).toContain(`chunk: expected ${model.length} bytes, as header.expected_size says (truncated upload?), got "${truncated.length} bytes"`);
    await expectNothingRecorded();
  });

  it('a truncated upload without a declared size, caught by onnxruntime', async () => {
    const err = await rejection(registry.client.createVersion(versionUpload({ model: 'uploads' }, truncateBytes(model, { keepFraction: 0.6 }))));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.message).toContain('onnxruntime');
    await expectNothingRecorded();
  });

  it('a corrupted upload, caught by the declared sha256', async () => {
    const corrupted = Uint8Array.from(model);
    corrupted[corrupted.length - 10] = corrupted[corrupted.length - 10]! ^ 0xff;
    const err = await rejection(registry.client.createVersion(versionUpload({ model: 'uploads', expectedSha256: sha256(model) }, corrupted)));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.message).toContain(`header.expected_sha256: expected the sha256 of the received bytes (${sha256(corrupted)})`);
    await expectNothingRecorded();
  });

  it('more bytes than declared, refused while streaming', async () => {
    const err = await rejection(registry.client.createVersion(versionUpload({ model: 'uploads', expectedSize: 1000n }, model, 4096)));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.message).toContain('1000 bytes in all');
    await expectNothingRecorded();
  });

  it('a client that gives up mid-upload', async () => {
    const controller = new AbortController();
    async function* stalling() {
      yield { part: { case: 'header' as const, value: { model: 'uploads' } } };
      yield { part: { case: 'chunk' as const, value: model.subarray(0, 65_536) } };
      await new Promise((r) => setTimeout(r, 300));
      controller.abort();
      await new Promise((r) => setTimeout(r, 60_000));
    }
    const err = await rejection(registry.client.createVersion(stalling(), { signal: controller.signal }));
    expect(err.code).toBe(status.CANCELLED);
    // The server learns of the cancellation asynchronously; wait for its cleanup.
    for (let i = 0; i < 400 && (await registry.stagingFiles()).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    await expectNothingRecorded();
  });

  it('a declared signature that disagrees with the artifact, listing each difference', async () => {
    const err = await rejection(
      registry.client.createVersion(
        versionUpload(
          {
            model: 'uploads',
            declaredSignature: {
              inputs: [{ name: 'x', elementType: ElementType.DOUBLE, shape: [-1n, 50_000n] }],
              outputs: [{ name: 'probability', elementType: ElementType.FLOAT, shape: [-1n, 2n] }],
            },
          },
          model,
        ),
      ),
    );
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.message).toContain('header.declared_signature: disagrees with the artifact: ');
    expect(err.message).toContain('inputs[0] name: declared "x", the artifact has "features"');
    expect(err.message).toContain('inputs[0] (features) element type: declared DOUBLE, the artifact has FLOAT');
    expect(err.message).toContain('outputs[0] (probability) shape: declared [?, 2], the artifact has [?, 1]');
    await expectNothingRecorded();
    expect(JSON.parse((await lastAudit()).detailsJson).differences).toHaveLength(3);
  });

  it('a retried upload with the same idempotency key returns the first version', async () => {
    const header = { model: 'uploads', idempotencyKey: 'train-run-42', lineage: { metrics: { auc: 0.8 } } };
    const first = await registry.client.createVersion(versionUpload(header, model));
    const retried = await registry.client.createVersion(versionUpload(header, model, 10_000));
    expect(retried.version).toEqual(first.version);
    expect(first.version?.version).toBe(1n);
    expect((await registry.client.getModel({ name: 'uploads' })).model?.latestVersion).toBe(1n);
    const other = await rejection(registry.client.createVersion(versionUpload({ ...header, lineage: { metrics: { auc: 0.9 } } }, model)));
    expect(other.code).toBe(status.INVALID_ARGUMENT);
    expect(other.message).toContain('header.idempotency_key');
    // A different key is a different version, even for the same bytes (stored once on disk).
    const second = await registry.client.createVersion(versionUpload({ ...header, idempotencyKey: 'train-run-43' }, model));
    expect(second.version?.version).toBe(2n);
    expect(second.version?.artifactSha256).toBe(first.version?.artifactSha256);
  });
});

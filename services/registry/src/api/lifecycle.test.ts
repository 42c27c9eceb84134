import { createHash } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { RpcError, status } from '@mlops/grpc';
import { buildLogisticRegression } from '@mlops/model-builders';
import { RegistryEventType } from '@mlops/proto/mlops/events/v1/events_pb';
import { ElementType, ModelStatus, VersionStatus } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { useInMemoryTracing, type InMemoryTracing } from '@mlops/telemetry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, versionUpload, type RegistryUnderTest } from '../testing/harness.js';

let tracing: InMemoryTracing;
let registry: RegistryUnderTest;

beforeAll(async () => {
  tracing = useInMemoryTracing({ service: 'registry-test' });
  registry = await startRegistry();
});
afterAll(async () => {
  await registry?.close();
  await tracing?.shutdown();
});

async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof RpcError)) throw new Error(`expected an RpcError, got ${String(err)}`);
  return err;
}

async function download(model: string, version: bigint, chunkSize: number) {
  const parts: Buffer[] = [];
  let header: { totalSize: bigint; sha256: string } | undefined;
  for await (const message of registry.client.downloadArtifact({ model, version, chunkSize })) {
    header ??= { totalSize: message.totalSize, sha256: message.sha256 };
    parts.push(Buffer.from(message.chunk));
  }
  return { header, bytes: Buffer.concat(parts), chunks: parts.length };
}

// ~1.2 MB: several upload and download chunks.
const weights = Array.from({ length: 300_000 }, (_, i) => Math.sin(i) / 100);
const modelV1 = buildLogisticRegression({ weights, bias: 0.1 });
const modelV2 = buildLogisticRegression({ weights, bias: 0.2 });

describe('the full lifecycle over gRPC', () => {
  it('creates, versions, promotes behind a gate, resolves, archives, audits and publishes every change', async () => {
    const { client } = registry;
    const actor = { metadata: { 'x-mlops-actor': 'alice' } };

    // Models: create, get, list with filters and pages, update.
    const created = await client.createModel({ name: 'churn', description: 'who leaves', tags: { team: 'growth' } }, actor);
    expect(created.model).toMatchObject({ name: 'churn', status: ModelStatus.ACTIVE, createdBy: 'alice', latestVersion: 0n });
    await client.createModel({ name: 'fraud', tags: { team: 'risk' } }, actor);
    await client.createModel({ name: 'churn-eu', tags: { team: 'growth' } }, actor);

    const growth = await client.listModels({ tags: { team: 'growth' } });
    expect(growth.models.map((m) => m.name)).toEqual(['churn', 'churn-eu']);
    const byName = await client.listModels({ nameContains: 'CHURN' });
    expect(byName.models.map((m) => m.name)).toEqual(['churn', 'churn-eu']);
    const page1 = await client.listModels({ pageSize: 2 });
    const page2 = await client.listModels({ pageSize: 2, pageToken: page1.nextPageToken });
    expect([...page1.models, ...page2.models].map((m) => m.name)).toEqual(['churn', 'churn-eu', 'fraud']);
    expect(page2.nextPageToken).toBe('');

    const updated = await client.updateModel(
      { name: 'churn', description: 'who leaves, monthly', setTags: { tier: 'gold' }, removeTags: ['team'], reason: 'reorg' },
      actor,
    );
    expect(updated.model).toMatchObject({ description: 'who leaves, monthly', tags: { tier: 'gold' } });

    // Versions: upload in chunks with lineage and a declared signature; download in chunks.
    const lineage = {
      datasetUri: 's3://data/churn/2024-06.parquet',
      datasetDigest: 'sha256:abc',
      featureRefs: ['customer:tenure', 'customer:spend'],
      codeCommit: '0123abcd',
      hyperparameters: { l2: '0.01' },
      metrics: { auc: 0.91, logloss: 0.3 },
      description: 'first',
      referenceProfile: {
        rows: 1000n,
        features: [
          { feature: 'tenure', count: 1000n, mean: 12, std: 3, quantileProbs: [0.5], quantiles: [11], histogram: { edges: [0, 10, 20], counts: [400, 600] } },
          { feature: 'plan', count: 1000n, categories: { basic: 700n, pro: 300n } },
        ],
      },
    };
    const v1 = await client.createVersion(
      versionUpload(
        {
          model: 'churn',
          lineage,
          declaredSignature: { inputs: [{ name: 'features', elementType: ElementType.FLOAT, shape: [-1n, BigInt(weights.length)] }] },
          expectedSize: BigInt(modelV1.length),
          expectedSha256: createHash('sha256').update(modelV1).digest('hex'),
        },
        modelV1,
      ),
      actor,
    );
    expect(v1.version).toMatchObject({
      model: 'churn',
      version: 1n,
      status: VersionStatus.READY,
      artifactSize: BigInt(modelV1.length),
      artifactSha256: createHash('sha256').update(modelV1).digest('hex'),
      createdBy: 'alice',
    });
    expect(v1.version?.signature?.outputs.map((o) => [o.name, o.elementType, o.shape])).toEqual([['probability', ElementType.FLOAT, [-1n, 1n]]]);
    const fetched = await client.getVersion({ model: 'churn', version: 1n });
    expect(fetched.version?.lineage).toMatchObject({ featureRefs: ['customer:tenure', 'customer:spend'], metrics: { auc: 0.91 } });
    expect(fetched.version?.lineage?.referenceProfile?.features[0]?.histogram?.counts).toEqual([400, 600]);

    const downloaded = await download('churn', 1n, 100_000);
    expect(downloaded.bytes.equals(Buffer.from(modelV1))).toBe(true);
    expect(downloaded.header).toEqual({ totalSize: BigInt(modelV1.length), sha256: v1.version!.artifactSha256 });
    expect(downloaded.chunks).toBe(Math.ceil(modelV1.length / 100_000));

    // Aliases: set, gate, resolve, move.
    await client.setAlias({ model: 'churn', alias: 'production', version: 1n, gate: { expressions: ['auc >= 0.9'] }, reason: 'first release' }, actor);
    const v2 = await client.createVersion(versionUpload({ model: 'churn', lineage: { ...lineage, metrics: { auc: 0.93 } } }, modelV2), actor);
    expect(v2.version?.version).toBe(2n);
    const moved = await client.setAlias(
      { model: 'churn', alias: 'production', version: 2n, gate: { expressions: ['auc >= production.auc - 0.005'] }, expectedCurrentVersion: 1n },
      actor,
    );
    expect(moved.previousVersion).toBe(1n);
    expect(moved.version?.aliases).toEqual(['production']);
    await client.setAlias({ model: 'churn', alias: 'champion', version: 1n }, actor);

    expect((await client.resolveVersion({ reference: 'churn@production' })).version?.version).toBe(2n);
    expect((await client.resolveVersion({ reference: 'churn' })).version?.version).toBe(2n);
    expect((await client.resolveVersion({ reference: 'churn/1' })).version?.aliases).toEqual(['champion']);
    expect((await client.resolveVersion({ reference: 'churn@latest' })).version?.version).toBe(2n);
    expect((await rejection(client.resolveVersion({ reference: 'churn@staging' }))).code).toBe(status.NOT_FOUND);
    expect((await client.getModel({ name: 'churn' })).model).toMatchObject({ aliases: { production: 2n, champion: 1n }, latestVersion: 2n });

    // Archive: refused while an alias holds the version / the model, allowed after.
    const held = await rejection(client.archiveVersion({ model: 'churn', version: 1n }, actor));
    expect(held.code).toBe(status.FAILED_PRECONDITION);
    expect(held.message).toContain('champion');
    const deleted = await client.deleteAlias({ model: 'churn', alias: 'champion', reason: 'retired' }, actor);
    expect(deleted.previousVersion).toBe(1n);
    const archived = await client.archiveVersion({ model: 'churn', version: 1n, reason: 'superseded' }, actor);
    expect(archived.version?.status).toBe(VersionStatus.ARCHIVED);
    expect((await client.listVersions({ model: 'churn' })).versions.map((v) => v.version)).toEqual([2n]);
    expect((await client.listVersions({ model: 'churn', includeArchived: true })).versions.map((v) => v.version)).toEqual([2n, 1n]);
    expect((await rejection(client.setAlias({ model: 'churn', alias: 'staging', version: 1n }, actor))).code).toBe(status.FAILED_PRECONDITION);
    // An archived version stays downloadable (audits, rollbacks by hand).
    expect((await download('churn', 1n, 1 << 20)).bytes.length).toBe(modelV1.length);

    expect((await rejection(client.archiveModel({ name: 'churn' }, actor))).message).toContain('production -> version 2');
    await client.deleteAlias({ model: 'churn', alias: 'production' }, actor);
    const archivedModel = await client.archiveModel({ name: 'churn', reason: 'sunset' }, actor);
    expect(archivedModel.model?.status).toBe(ModelStatus.ARCHIVED);
    expect((await client.listModels({})).models.map((m) => m.name)).toEqual(['churn-eu', 'fraud']);
    const refused = await rejection(client.createVersion(versionUpload({ model: 'churn' }, modelV2), actor));
    expect(refused.code).toBe(status.FAILED_PRECONDITION);

    // The audit trail: who, what, why, newest first, refused attempts included.
    const audit = await client.listAuditRecords({ model: 'churn' });
    expect(audit.records.map((r) => `${r.action}:${r.version}:${r.succeeded}`)).toEqual([
      'create_version:0:false',
      'archive_model:0:true',
      'delete_alias:2:true',
      'archive_model:0:false',
      'set_alias:1:false',
      'archive_version:1:true',
      'delete_alias:1:true',
      'archive_version:1:false',
      'set_alias:1:true',
      'set_alias:2:true',
      'create_version:2:true',
      'set_alias:1:true',
      'create_version:1:true',
      'update_model:0:true',
      'create_model:0:true',
    ]);
    expect(audit.records.every((r) => r.actor === 'alice')).toBe(true);
    const update = audit.records.find((r) => r.action === 'update_model')!;
    expect(update.reason).toBe('reorg');
    expect(JSON.parse(update.detailsJson)).toEqual({
      before: { description: 'who leaves', tags: { team: 'growth' } },
      after: { description: 'who leaves, monthly', tags: { tier: 'gold' } },
    });

    // Events: one per change, on mlops.registry.<model>.<event>, after commit.
    const successes = audit.records.filter((r) => r.succeeded).length;
    const events = await registry.waitForEvents(successes + 2); // + fraud and churn-eu created
    const churn = events.filter((e) => e.message.model === 'churn');
    expect(churn.map((e) => e.subject)).toEqual([
      'mlops.registry.churn.model_created',
      'mlops.registry.churn.model_updated',
      'mlops.registry.churn.version_created',
      'mlops.registry.churn.alias_set',
      'mlops.registry.churn.version_created',
      'mlops.registry.churn.alias_set',
      'mlops.registry.churn.alias_set',
      'mlops.registry.churn.alias_deleted',
      'mlops.registry.churn.version_archived',
      'mlops.registry.churn.alias_deleted',
      'mlops.registry.churn.model_archived',
    ]);
    const promotion = churn[5]!;
    expect(promotion.message).toMatchObject({ type: RegistryEventType.ALIAS_SET, alias: 'production', version: 2n, previousVersion: 1n, actor: 'alice' });
    expect(promotion.msgId).toBe(`registry-audit-${promotion.message.auditId}`);
    expect(await registry.service.ready()).toMatchObject({ ready: true });
  });

  it('events carry the trace context of the RPC that caused them', async () => {
    const tracer = trace.getTracer('registry-test');
    const before = registry.events.length;
    const traceId = await tracer.startActiveSpan('operator promotes', async (span) => {
      await registry.client.createModel({ name: 'traced' });
      span.end();
      return span.spanContext().traceId;
    });
    const events = await registry.waitForEvents(before + 1);
    const event = events.find((e) => e.message.model === 'traced')!;
    expect(event.headers['traceparent']).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`));
    // The server handled the RPC in the same trace.
    expect(tracing.spans().some((s) => s.spanContext().traceId === traceId && s.kind === 1 /* SERVER */)).toBe(true);
  });

  it('answers INVALID_ARGUMENT naming the field', async () => {
    const { client } = registry;
    const cases: [Promise<unknown>, string][] = [
      [client.createModel({ name: 'bad name!' }), 'name: expected a model name'],
      [client.createModel({ name: 'a.b' }), 'name: expected'],
      [client.getModel({ name: '' }), 'name: expected'],
      [client.setAlias({ model: 'fraud', alias: 'latest', version: 1n }), 'alias: expected an alias other than the reserved'],
      [client.setAlias({ model: 'fraud', alias: 'prod', version: 0n }), 'version: expected a version number above 0'],
      [client.setAlias({ model: 'fraud', alias: 'prod', version: 1n, gate: { expressions: ['auc => 1'] } }), 'gate.expressions[0]: expected a condition'],
      [client.listModels({ pageSize: -1 }), 'page_size'],
      [client.listModels({ pageToken: 'garbage' }), 'page_token'],
      [client.resolveVersion({ reference: 'a@b@c' }), 'reference: expected'],
      [client.updateModel({ name: 'fraud', setTags: { a: '1' }, removeTags: ['a'] }), 'remove_tags'],
      [client.createVersion([{ part: { case: 'chunk', value: new Uint8Array(3) } }]), 'header: expected the first message'],
    ];
    for (const [call, message] of cases) {
      const err = await rejection(call);
      expect(err.code, message).toBe(status.INVALID_ARGUMENT);
      expect(err.message).toContain(message);
    }
    expect((await rejection(client.getModel({ name: 'nope' }))).code).toBe(status.NOT_FOUND);
    expect((await rejection(client.createModel({ name: 'fraud' }))).code).toBe(status.ALREADY_EXISTS);
  });
});

import { RpcError, createClient, status } from '@mlops/grpc';
import { buildLogisticRegression } from '@mlops/model-builders';
import { RegistryService, ComparisonOperator } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, versionUpload, type RegistryUnderTest } from '../testing/harness.js';

let registry: RegistryUnderTest;

beforeAll(async () => {
  registry = await startRegistry();
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

/** A model with one version per entry of `aucs`, each carrying that auc. */
async function modelWithVersions(name: string, aucs: number[]): Promise<void> {
  await registry.client.createModel({ name });
  for (const [i, auc] of aucs.entries()) {
    const bytes = buildLogisticRegression({ weights: [1, 2, i], bias: 0 });
    await registry.client.createVersion(versionUpload({ model: name, lineage: { metrics: { auc, latency_ms: 10 + i } } }, bytes));
  }
}

async function auditOf(model: string) {
  return (await registry.client.listAuditRecords({ model })).records;
}

describe('promotion gates', () => {
  it('a failed gate answers FAILED_PRECONDITION naming each failed condition with its values', async () => {
    await modelWithVersions('gated', [0.88, 0.85]);
    await registry.client.setAlias({ model: 'gated', alias: 'production', version: 1n });

    const err = await rejection(
      registry.client.setAlias({
        model: 'gated',
        alias: 'production',
        version: 2n,
        reason: 'weekly retrain',
        gate: {
          expressions: ['auc >= 0.9', 'auc >= production.auc - 0.005', 'latency_ms < 50'],
          conditions: [{ metric: 'f1', op: ComparisonOperator.GE, bound: { case: 'threshold', value: 0.5 } }],
        },
      }),
    );
    expect(err.code).toBe(status.FAILED_PRECONDITION);
    expect(err.message).toBe(
      'cannot point "production" of model "gated" to version 2: gate failed: ' +
        '[f1 >= 0.5] version 2 has no metric "f1"; ' +
        '[auc >= 0.9] auc is 0.85, required >= 0.9, off by 0.05; ' +
        '[auc >= production.auc - 0.005] auc is 0.85, required >= 0.875, off by 0.025 (production is version 1 with auc 0.88)',
    );
    // Nothing moved, and the refused attempt is on record with every outcome.
    expect((await registry.client.resolveVersion({ reference: 'gated@production' })).version?.version).toBe(1n);
    const [refused] = await auditOf('gated');
    expect(refused).toMatchObject({ action: 'set_alias', version: 2n, succeeded: false, reason: 'weekly retrain' });
    const details = JSON.parse(refused!.detailsJson) as { code: string; gate: { kind: string; condition: string }[] };
    expect(details.code).toBe('FAILED_PRECONDITION');
    expect(details.gate.map((o) => `${o.kind} ${o.condition}`)).toEqual([
      'unevaluable f1 >= 0.5',
      'failed auc >= 0.9',
      'failed auc >= production.auc - 0.005',
      'passed latency_ms < 50',
    ]);

    // A gate that holds lets the move through, and is recorded with the figures it passed on.
    const passed = await registry.client.setAlias({ model: 'gated', alias: 'production', version: 2n, gate: { expressions: ['auc >= production.auc - 0.05'] } });
    expect(passed.previousVersion).toBe(1n);
    const [applied] = await auditOf('gated');
    expect(JSON.parse(applied!.detailsJson).gate).toEqual([
      { kind: 'passed', condition: 'auc >= production.auc - 0.05', actual: 0.85, required: 0.83 },
    ]);
  });

  it('a comparison with an unset alias fails closed', async () => {
    await modelWithVersions('fresh', [0.95]);
    const err = await rejection(
      registry.client.setAlias({ model: 'fresh', alias: 'production', version: 1n, gate: { expressions: ['auc >= production.auc'] } }),
    );
    expect(err.code).toBe(status.FAILED_PRECONDITION);
    expect(err.message).toContain('alias "production" is not set');
  });
});

describe('concurrent alias moves', () => {
  it('serialize: one wins, the other is refused, and the audit shows both attempts', async () => {
    await modelWithVersions('contested', [0.9, 0.91, 0.92]);
    await registry.client.setAlias({ model: 'contested', alias: 'production', version: 1n });

    const attempts = await Promise.allSettled(
      [2n, 3n].map((version) =>
        registry.client.setAlias(
          { model: 'contested', alias: 'production', version, expectedCurrentVersion: 1n, reason: `promote ${version}` },
          { metadata: { 'x-mlops-actor': `deployer-${version}` } },
        ),
      ),
    );
    const won = attempts.filter((a) => a.status === 'fulfilled');
    const lost = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const loss = lost[0]!.reason as RpcError;
    expect(loss.code).toBe(status.ABORTED);
    const winner = won[0]!.status === 'fulfilled' ? won[0]!.value.version!.version : 0n;
    expect(loss.message).toContain(`points to version ${winner}, not the expected version 1`);
    expect((await registry.client.resolveVersion({ reference: 'contested@production' })).version?.version).toBe(winner);

    const moves = (await auditOf('contested')).filter((r) => r.action === 'set_alias').slice(0, 2);
    expect(moves.map((r) => [r.actor, r.succeeded]).sort()).toEqual(
      [
        [`deployer-${winner}`, true],
        [`deployer-${winner === 2n ? 3n : 2n}`, false],
      ].sort(),
    );
    const refusal = moves.find((r) => !r.succeeded)!;
    expect(JSON.parse(refusal.detailsJson)).toMatchObject({ code: 'ABORTED', expected_current_version: 1, current_version: Number(winner) });
  });

  it('without a compare-and-set, concurrent moves apply one after the other', async () => {
    await modelWithVersions('busy', [0.9, 0.91, 0.92]);
    const moves = await Promise.all([1n, 2n, 3n].map((version) => registry.client.setAlias({ model: 'busy', alias: 'staging', version })));
    // Each move saw the one before it: the previous versions form a chain from "unset".
    const chain = new Map(moves.map((m) => [m.previousVersion, m.version!.version]));
    let at = 0n;
    for (let i = 0; i < 3; i++) at = chain.get(at) ?? -1n;
    expect(at).toBe((await registry.client.resolveVersion({ reference: 'busy@staging' })).version?.version);
  });
});

describe('idempotent creates', () => {
  it('a retried create returns the first result, even when the retries race', async () => {
    const request = { name: 'retried', description: 'first', tags: { a: '1', b: '2' }, idempotencyKey: 'req-1' };
    const first = await registry.client.createModel(request);
    const again = await registry.client.createModel({ ...request, tags: { b: '2', a: '1' } });
    expect(again.model).toEqual(first.model);
    const conflicting = await rejection(registry.client.createModel({ ...request, description: 'second' }));
    expect(conflicting.code).toBe(status.INVALID_ARGUMENT);
    expect(conflicting.message).toContain('idempotency_key: expected a key not used before with a different request');
    // Without the key, the same name is a conflict.
    expect((await rejection(registry.client.createModel({ name: 'retried' }))).code).toBe(status.ALREADY_EXISTS);

    const racing = await Promise.all(Array.from({ length: 4 }, () => registry.client.createModel({ name: 'raced', idempotencyKey: 'req-2' })));
    expect(new Set(racing.map((r) => r.model?.createdAt?.nanos)).size).toBe(1);

    const created = (await auditOf('retried')).filter((r) => r.action === 'create_model');
    // The replay is no change (not audited); both refusals are.
    expect(created.map((r) => [r.succeeded, JSON.parse(r.detailsJson).code])).toEqual([
      [false, 'ALREADY_EXISTS'],
      [false, 'INVALID_ARGUMENT'],
      [true, undefined],
    ]);
    expect((await auditOf('raced')).filter((r) => r.succeeded)).toHaveLength(1);
  });
});

describe('events while NATS refuses them', () => {
  it('the change commits, the event waits in the outbox and is published once NATS is back', async () => {
    registry.bus.refusing = true;
    const before = registry.events.length;
    await registry.client.createModel({ name: 'outboxed' });
    expect((await registry.client.getModel({ name: 'outboxed' })).model?.name).toBe('outboxed');
    const pending = await registry.service.flushEvents();
    expect(pending.failed).toBe(true);
    expect(await registry.database.db.selectFrom('outbox').select('subject').execute()).toEqual([
      { subject: 'mlops.registry.outboxed.model_created' },
    ]);

    registry.bus.refusing = false;
    // The relay retries on its own (every 100 ms in this test).
    const events = await registry.waitForEvents(before + 1);
    expect(events.slice(before).map((e) => e.subject)).toEqual(['mlops.registry.outboxed.model_created']);
    // The relay deletes the row only after the publish is acknowledged, which may be just after the
    // consumer saw the event: wait (bounded) for the outbox to drain.
    const outboxRows = () => registry.database.db.selectFrom('outbox').select('id').execute();
    for (let i = 0; i < 100 && (await outboxRows()).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await outboxRows()).toEqual([]);
  });
});

describe('authentication', () => {
  it('needs deploy to change the registry and audits the token name', async () => {
    const secured = await startRegistry({ authTokens: 'reader-token:reader,deployer-token:deployer' });
    try {
      const reader = createClient(RegistryService, secured.address, { token: 'reader-token' });
      const deployer = createClient(RegistryService, secured.address, { token: 'deployer-token' });
      try {
        expect((await rejection(reader.createModel({ name: 'm' }))).code).toBe(status.PERMISSION_DENIED);
        await deployer.createModel({ name: 'm' }, { metadata: { 'x-mlops-actor': 'mallory' } });
        expect((await reader.getModel({ name: 'm' })).model?.createdBy).toMatch(/^deployer-/);
        const [record] = (await reader.listAuditRecords({ model: 'm' })).records;
        expect(record?.actor).toMatch(/^deployer-[0-9a-f]{8}$/);
      } finally {
        reader.close();
        deployer.close();
      }
    } finally {
      await secured.close();
    }
  });
});

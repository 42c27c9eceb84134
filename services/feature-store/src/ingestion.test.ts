import { create, toBinary } from '@bufbuild/protobuf';
import { RpcError, status } from '@mlops/grpc';
import { FeatureRowSchema } from '@mlops/proto/mlops/events/v1/events_pb';
import { FeatureRowsEnvelopeSchema, FeatureStatus, type FeatureValue } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { microsToTimestamp, nowMicros, timestampToMicros } from './domain/time.js';
import { doubleValue, int64Value, stringValue } from './domain/values.js';
import { profile, row, rows, sampleDefinitions, SECOND, stats } from './testing/fixtures.js';
import { createWorld, decodeRows, waitFor, type FeatureStoreWorld, type Replica } from './testing/harness.js';

const statusOf = (v: FeatureValue | undefined) => (v ? FeatureStatus[v.status] : 'MISSING');
const plain = (v: FeatureValue | undefined) => (v?.value?.kind.case === undefined ? null : v.value.kind.value);

describe('feature store over NATS and gRPC', () => {
  let world: FeatureStoreWorld;
  let fs: Replica;

  beforeEach(async () => {
    world = await createWorld();
    fs = await world.startReplica();
    await fs.client.applyDefinitions(sampleDefinitions());
  });
  afterEach(async () => {
    await world.dispose();
  });

  it('serves online what producers published on NATS, per value with status and event time', async () => {
    const t = nowMicros() - 60 * SECOND;
    await world.publish(rows('customer_stats', row('c1', t, stats(12.5, 3n, 'gold')), row('c2', t, stats(1, 1n, 'tin'))));
    await world.publish(rows('customer_profile', row('c1', t, profile(true, 'NL'))));
    await waitFor(async () => (await world.db.selectFrom('online_rows').select('entity_key').execute()).length === 3, 'rows stored');

    const res = await fs.client.getOnlineFeatures({ entityKeys: ['c1', 'c2', 'nobody'], featureService: 'churn_v1' });
    expect(res.featureRefs).toEqual(['customer_stats:spend_7d', 'customer_profile:is_vip', 'customer_stats:orders_7d']);
    expect(res.rows.map((r) => [r.entityKey, r.values.map(statusOf), r.values.map(plain)])).toEqual([
      ['c1', ['PRESENT', 'PRESENT', 'PRESENT'], [12.5, true, 3n]],
      ['c2', ['PRESENT', 'NOT_FOUND', 'PRESENT'], [1, null, 1n]],
      ['nobody', ['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND'], [null, null, null]],
    ]);
    const eventTime = res.rows[0]?.values[0]?.eventTime;
    expect(eventTime && timestampToMicros(eventTime)).toBe(t);
  });

  it('serves every row when the cache holds fewer than the view: the rest is read through, before and after a restart', async () => {
    await fs.stop();
    const small = await world.startReplica({ MLOPS_FEATURE_STORE_CACHE_MAX_ROWS: '5' });
    const t = nowMicros() - 60 * SECOND;
    const keys = Array.from({ length: 12 }, (_, i) => `c${i}`);
    await world.publish(rows('customer_stats', ...keys.map((k, i) => row(k, t, stats(i, BigInt(i), 'gold')))));
    await waitFor(async () => (await world.db.selectFrom('online_rows').select('entity_key').execute()).length === keys.length, 'rows stored');

    const spends = async (replica: Replica) =>
      (await replica.client.getOnlineFeatures({ entityKeys: [...keys, 'nobody'], featureRefs: ['customer_stats:spend_7d'] })).rows.map((r) => plain(r.values[0]));
    const expected = [...keys.map((_, i) => i), null];
    expect(await spends(small)).toEqual(expected);
    const metrics = await (await fetch(`http://127.0.0.1:${small.booted.adminPort}/metrics`)).text();
    expect(metrics).toMatch(/^mlops_featurestore_cache_rows\{[^}]*\} 5$/m);
    expect(metrics).toMatch(/^mlops_featurestore_cache_evictions_total\{[^}]*\} [1-9]/m);

    // A restart loads what fits and reads the rest from PostgreSQL.
    await small.stop();
    const restarted = await world.startReplica({ MLOPS_FEATURE_STORE_CACHE_MAX_ROWS: '5' });
    expect(await spends(restarted)).toEqual(expected);
  });

  it('keeps the newest event time online whatever the arrival order (late and out-of-order rows)', async () => {
    const t = nowMicros() - 10 * 60 * SECOND;
    await world.publish(rows('customer_stats', row('c1', t + 3 * SECOND, stats(3, 3n, 'newest'))));
    await world.publish(rows('customer_stats', row('c1', t + SECOND, stats(1, 1n, 'oldest')), row('c1', t + 2 * SECOND, stats(2, 2n, 'middle'))));
    await waitFor(async () => (await world.db.selectFrom('offline_rows').select('entity_key').execute()).length === 3, 'history stored');

    const online = await fs.client.getOnlineFeatures({ entityKeys: ['c1'], featureRefs: ['customer_stats:segment', 'customer_stats:orders_7d'] });
    expect(online.rows[0]?.values.map(plain)).toEqual(['newest', 3n]);
    const stored = await world.db.selectFrom('online_rows').select(['event_time_us']).executeTakeFirstOrThrow();
    expect(Number(stored.event_time_us)).toBe(t + 3 * SECOND);
  });

  it('reports values older than the view TTL as EXPIRED online', async () => {
    const now = nowMicros();
    await fs.client.push({ rows: rows('customer_stats', row('stale', now - 2 * 3600 * SECOND, stats(1, 1n, 'x')), row('fresh', now - 60 * SECOND, stats(2, 2n, 'y'))) });
    // customer_profile has no TTL: a year-old value is still present.
    await fs.client.push({ rows: rows('customer_profile', row('stale', now - 365 * 24 * 3600 * SECOND, profile(false, 'BE'))) });
    const res = await fs.client.getOnlineFeatures({ entityKeys: ['stale', 'fresh'], featureRefs: ['customer_stats:spend_7d', 'customer_profile:country'] });
    expect(res.rows.map((r) => r.values.map(statusOf))).toEqual([
      ['EXPIRED', 'PRESENT'],
      ['PRESENT', 'NOT_FOUND'],
    ]);
    expect(res.rows[0]?.values[0]?.value).toBeUndefined();
    // One view only (answers laid out once per row and selection), read twice: same statuses.
    for (let i = 0; i < 2; i++) {
      const one = await fs.client.getOnlineFeatures({ entityKeys: ['stale', 'fresh', 'nobody'], featureRefs: ['customer_stats:spend_7d', 'customer_stats:segment'] });
      expect(one.rows.map((r) => r.values.map(statusOf))).toEqual([['EXPIRED', 'EXPIRED'], ['PRESENT', 'PRESENT'], ['NOT_FOUND', 'NOT_FOUND']]);
      expect(one.rows[1]?.values.map(plain)).toEqual([2, 'y']);
    }
    expect(timestampToMicros(res.rows[0]?.values[0]?.eventTime ?? microsToTimestamp(0))).toBe(now - 2 * 3600 * SECOND);
  });

  it('keeps the good rows of a mixed batch and dead-letters each bad row with its index and reason', async () => {
    const deadLetters = await world.collectDeadLetters();
    const t = nowMicros() - 60 * SECOND;
    await world.publish(
      rows(
        'customer_stats',
        row('good1', t, stats(1, 1n, 'a')),
        row('', t, stats(2, 2n, 'b')),
        row('bad-type', t, { orders_7d: doubleValue(2.5) }),
        row('good2', t, { spend_7d: doubleValue(4) }),
        row('future', nowMicros() + 24 * 3600 * SECOND, stats(5, 5n, 'c')),
        row('unknown', t, { colour: stringValue('red') }),
      ),
    );
    await waitFor(() => deadLetters.length === 4, 'four dead letters');
    expect(deadLetters.map((d) => [d.itemIndex, d.originalSubject, d.consumer])).toEqual([
      [1, 'mlops.features.customer_stats', 'feature-store-ingest'],
      [2, 'mlops.features.customer_stats', 'feature-store-ingest'],
      [4, 'mlops.features.customer_stats', 'feature-store-ingest'],
      [5, 'mlops.features.customer_stats', 'feature-store-ingest'],
    ]);
    expect(deadLetters[1]?.reason).toBe('values.orders_7d: expected int64, got double');
    expect(deadLetters[2]?.reason).toMatch(/^event_time: .* \(too far in the future\)$/);
    expect(deadLetters[3]?.reason).toBe('values: unknown feature colour');
    // Each dead letter carries the bad row alone, ready to be fixed and published again.
    expect(decodeRows(deadLetters[1]?.payload ?? new Uint8Array()).rows.map((r) => r.entityKey)).toEqual(['bad-type']);

    const res = await fs.client.getOnlineFeatures({ entityKeys: ['good1', 'good2', 'bad-type'], featureRefs: ['customer_stats:spend_7d'] });
    expect(res.rows.map((r) => plain(r.values[0]))).toEqual([1, 4, null]);

    // A whole message for an unknown view is dead-lettered once, as a whole.
    await world.publish(rows('no_such_view', row('x', t, {})));
    await waitFor(() => deadLetters.length === 5, 'the unknown-view dead letter');
    expect(deadLetters[4]).toMatchObject({ itemIndex: -1, reason: 'view: unknown feature view no_such_view' });

    // A corrupt row is dead-lettered alone; the rows around it are kept.
    const good = toBinary(FeatureRowSchema, row('after-corrupt', t, { spend_7d: doubleValue(8) }));
    const envelope = create(FeatureRowsEnvelopeSchema, { view: 'customer_stats', producer: 'test', rows: [good.subarray(0, good.length - 2), good] });
    await world.producer.publishBytes('mlops.features.customer_stats', toBinary(FeatureRowsEnvelopeSchema, envelope));
    await waitFor(() => deadLetters.length === 6, 'the corrupt-row dead letter');
    expect(deadLetters[5]).toMatchObject({ itemIndex: 0, reason: 'row: undecodable (length past the end of the message)' });
    const after = await fs.client.getOnlineFeatures({ entityKeys: ['after-corrupt'], featureRefs: ['customer_stats:spend_7d'] });
    expect(plain(after.rows[0]?.values[0])).toBe(8);
  });

  it('Push stores the good rows before answering and reports the bad ones', async () => {
    const t = nowMicros() - SECOND;
    const res = await fs.client.push({ rows: rows('customer_stats', row('p1', t, stats(7, 7n, 'z')), row('p2', t, { orders_7d: stringValue('7') })) });
    expect(res.accepted).toBe(1);
    expect(res.rejected.map((r) => [r.index, r.reason])).toEqual([[1, 'values.orders_7d: expected int64, got string']]);
    const stored = await world.db.selectFrom('offline_rows').select('entity_key').execute();
    expect(stored.map((r) => r.entity_key)).toEqual(['p1']);
    const online = await fs.client.getOnlineFeatures({ entityKeys: ['p1'], featureRefs: ['customer_stats:orders_7d'] });
    expect(plain(online.rows[0]?.values[0])).toBe(7n);
  });

  it('validates every request and names the field', async () => {
    const failure = async (p: Promise<unknown>) => {
      const err = await p.then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(RpcError);
      return err as RpcError;
    };
    let err = await failure(fs.client.getOnlineFeatures({ entityKeys: [], featureService: 'churn_v1' }));
    expect([err.code, err.message]).toEqual([status.INVALID_ARGUMENT, 'entity_keys: expected at least one entity key']);
    err = await failure(fs.client.getOnlineFeatures({ entityKeys: ['a'], featureRefs: ['customer_stats:nope'] }));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.message).toMatch(/^feature_refs\[0\]: expected a feature of view customer_stats/);
    err = await failure(fs.client.getOnlineFeatures({ entityKeys: ['a'], featureService: 'nope' }));
    expect(err.code).toBe(status.NOT_FOUND);
    err = await failure(fs.client.push({ rows: rows('nope', row('a', nowMicros(), {})) }));
    expect([err.code, err.message]).toEqual([status.INVALID_ARGUMENT, 'rows.view: expected an existing feature view, got "nope"']);
    err = await failure(fs.client.getHistoricalFeatures({ entityRows: [{ entityKey: 'a' }], featureService: 'churn_v1' })[Symbol.asyncIterator]().next());
    expect([err.code, err.message]).toEqual([status.INVALID_ARGUMENT, 'entity_rows[0].timestamp: expected the as-of time of the row']);
    err = await failure(fs.client.materialize({ view: 'nope' })[Symbol.asyncIterator]().next());
    expect(err.code).toBe(status.NOT_FOUND);
  });

  it('applies idempotently and refuses a change that would break a feature service, with the reason', async () => {
    const again = await fs.client.applyDefinitions(sampleDefinitions());
    expect(again).toMatchObject({ changes: [], applied: true });
    const breaking = sampleDefinitions();
    const statsView = breaking.featureViews[0];
    if (statsView) statsView.features = statsView.features.filter((f) => f.name !== 'orders_7d');
    const err = await fs.client.applyDefinitions(breaking).then(() => undefined, (e: unknown) => e as RpcError);
    expect(err?.code).toBe(status.FAILED_PRECONDITION);
    expect(err?.message).toBe('would break feature service churn_v1: feature orders_7d would be removed from feature view customer_stats');
    const dryRun = await fs.client.applyDefinitions({ ...sampleDefinitions(), featureServices: [], deleteFeatureServices: ['churn_v1'], dryRun: true });
    expect(dryRun).toMatchObject({ changes: ['deleted feature service churn_v1'], applied: false });
    expect((await fs.client.getFeatureService({ name: 'churn_v1' })).featureService?.featureRefs).toHaveLength(3);
    const listed = await fs.client.listDefinitions({});
    expect(listed.featureViews.map((v) => v.name).sort()).toEqual(['customer_profile', 'customer_stats', 'merchant_stats']);
    expect(listed.featureViews.find((v) => v.name === 'customer_stats')?.ttl?.seconds).toBe(3600n);
  });

  it('rebuilds a lost online store from the offline history, reporting progress', async () => {
    const t = nowMicros() - 60 * SECOND;
    await fs.client.push({ rows: rows('customer_stats', ...Array.from({ length: 2500 }, (_, i) => row(`m${i}`, t, { orders_7d: int64Value(BigInt(i)) }))) });
    await fs.client.push({ rows: rows('customer_stats', row('m7', t + SECOND, { orders_7d: int64Value(700n) })) });
    await fs.stop();
    await world.db.deleteFrom('online_rows').execute(); // the online store is lost
    fs = await world.startReplica();
    const lost = await fs.client.getOnlineFeatures({ entityKeys: ['m7'], featureRefs: ['customer_stats:orders_7d'] });
    expect(statusOf(lost.rows[0]?.values[0])).toBe('NOT_FOUND');

    const progress = [];
    for await (const p of fs.client.materialize({ view: 'customer_stats' })) progress.push([Number(p.entitiesDone), Number(p.entitiesTotal)]);
    expect(progress).toEqual([
      [1000, 2500],
      [2000, 2500],
      [2500, 2500],
    ]);
    const back = await fs.client.getOnlineFeatures({ entityKeys: ['m7', 'm2499'], featureRefs: ['customer_stats:orders_7d'] });
    expect(back.rows.map((r) => plain(r.values[0]))).toEqual([700n, 2499n]);
    expect(await world.db.selectFrom('online_rows').select('entity_key').execute()).toHaveLength(2500);
  });
});

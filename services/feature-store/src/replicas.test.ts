import { create } from '@bufbuild/protobuf';
import { FeatureStatus, FeatureViewSchema, ValueType, type GetOnlineFeaturesResponse } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { startDatabaseProxy } from '@mlops/db/testing';
import { namespacedStreamName } from '@mlops/events';
import { DEFAULT_RETRIES_LAST_MS } from '@mlops/events/testing';
import { RpcError, status } from '@mlops/grpc';
import { DATABASE_UNAVAILABLE } from '@mlops/runtime';
import { connect } from 'nats';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { nowMicros } from './domain/time.js';
import { doubleValue, int64Value } from './domain/values.js';
import { row, rows, sampleDefinitions, SECOND } from './testing/fixtures.js';
import { createWorld, TEST_NATS_URL, waitFor, type FeatureStoreWorld, type Replica } from './testing/harness.js';

const spendOf = (res: GetOnlineFeaturesResponse, i = 0) => {
  const v = res.rows[i]?.values[0];
  return v?.status === FeatureStatus.PRESENT ? v.value?.kind.value : FeatureStatus[v?.status ?? 0];
};

describe('replicas and restarts', () => {
  let world: FeatureStoreWorld;

  beforeEach(async () => {
    world = await createWorld();
  });
  afterEach(async () => {
    await world.dispose();
  });

  it('two replicas stay coherent: whichever stores a row, both serve it, newest event time wins', async () => {
    const a = await world.startReplica();
    await a.client.applyDefinitions(sampleDefinitions());
    const b = await world.startReplica();
    const read = (r: Replica, key = 'c1') => r.client.getOnlineFeatures({ entityKeys: [key], featureRefs: ['customer_stats:spend_7d'] });
    const t = nowMicros() - 60 * SECOND;

    // Over NATS: one replica's durable consumer stores it, the other learns it from the broadcast.
    await world.publish(rows('customer_stats', row('c1', t, { spend_7d: doubleValue(1) })));
    await waitFor(async () => spendOf(await read(a)) === 1 && spendOf(await read(b)) === 1, 'both replicas serve 1');

    // Pushed to A only (B's durable consumer skips it): B's cached value must be replaced.
    await a.client.push({ rows: rows('customer_stats', row('c1', t + SECOND, { spend_7d: doubleValue(2) })) });
    await waitFor(async () => spendOf(await read(b)) === 2, 'B serves the value pushed to A');

    // An older row pushed to B afterwards changes nothing anywhere, then a marker shows A caught up.
    await b.client.push({ rows: rows('customer_stats', row('c1', t - SECOND, { spend_7d: doubleValue(0) }), row('marker', t, { spend_7d: doubleValue(9) })) });
    await waitFor(async () => spendOf(await read(a, 'marker')) === 9, 'A saw the push to B');
    expect([spendOf(await read(a)), spendOf(await read(b))]).toEqual([2, 2]);

    // A view applied on A is usable on B (definitions reload on a miss).
    const extended = sampleDefinitions();
    extended.featureViews.push(create(FeatureViewSchema, { name: 'customer_risk', entity: 'customer', features: [{ name: 'score', type: ValueType.INT64 }] }));
    await a.client.applyDefinitions(extended);
    await waitFor(
      async () => (await b.client.push({ rows: rows('customer_risk', row('c1', t, { score: int64Value(5n) })) }).then(() => true, () => false)),
      'B accepts rows of the new view',
    );
    await waitFor(async () => {
      const res = await a.client.getOnlineFeatures({ entityKeys: ['c1'], featureRefs: ['customer_risk:score'] });
      return res.rows[0]?.values[0]?.value?.kind.value === 5n;
    }, 'A serves the row pushed to B for the new view');
  });

  it('a restart in the middle of ingestion loses no acknowledged row', { timeout: 150_000 }, async () => {
    const first = await world.startReplica();
    await first.client.applyDefinitions(sampleDefinitions());
    await first.stop();

    const MESSAGES = 100;
    const ROWS = 100;
    const t = nowMicros() - 60 * SECOND;
    for (let m = 1; m <= MESSAGES; m++) {
      await world.publish(rows('customer_stats', ...Array.from({ length: ROWS }, (_, r) => row(`m${m}-r${r}`, t, { orders_7d: int64Value(BigInt(m)) }))));
    }
    const stored = async () => Number((await world.db.selectFrom('offline_rows').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

    const replica = await world.startReplica();
    await waitFor(async () => (await stored()) > 0, 'ingestion under way');
    await replica.stop();

    // Every message the consumer acked before the stop has all its rows stored.
    const nc = await connect({ servers: TEST_NATS_URL });
    const info = await (await nc.jetstreamManager()).consumers.info(namespacedStreamName('FEATURES', world.namespace), 'feature-store-ingest');
    await nc.close();
    const ackedMessages = info.ack_floor.stream_seq;
    const keys = new Set((await world.db.selectFrom('offline_rows').select('entity_key').execute()).map((r) => r.entity_key));
    for (let m = 1; m <= ackedMessages; m++) for (let r = 0; r < ROWS; r++) expect(keys.has(`m${m}-r${r}`), `m${m}-r${r}`).toBe(true);

    // After the restart the rest is ingested: nothing published is missing, nothing doubled.
    const again = await world.startReplica();
    // Messages the stopped consumer had pulled but not started come back after the ack wait (30 s).
    await waitFor(async () => (await stored()) === MESSAGES * ROWS, 'every published row stored', 90_000);
    const online = await world.db.selectFrom('online_rows').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(online.n)).toBe(MESSAGES * ROWS);
    const res = await again.client.getOnlineFeatures({ entityKeys: [`m${MESSAGES}-r0`, 'm1-r99'], featureRefs: ['customer_stats:orders_7d'] });
    expect(res.rows.map((r) => r.values[0]?.value?.kind.value)).toEqual([BigInt(MESSAGES), 1n]);
  });

  // An outage outlasting the consumer's retries used to dead-letter every row in flight.
  const OUTAGE_MS = DEFAULT_RETRIES_LAST_MS + 2_000;

  it('a PostgreSQL outage longer than the retries loses no row and dead-letters none; Push answers UNAVAILABLE meanwhile', { timeout: 120_000 }, async () => {
    const proxy = await startDatabaseProxy(world.database.url);
    onTestFinished(() => proxy.close());
    const dead = await world.collectDeadLetters();
    const replica = await world.startReplica({ DATABASE_URL: proxy.url });
    await replica.client.applyDefinitions(sampleDefinitions());
    const MESSAGES = 40;
    const ROWS = 50;
    const t = nowMicros() - 60 * SECOND;
    const publish = async (from: number, to: number) => {
      for (let m = from; m <= to; m++) {
        await world.publish(rows('customer_stats', ...Array.from({ length: ROWS }, (_, r) => row(`m${m}-r${r}`, t, { orders_7d: int64Value(BigInt(m)) }))));
      }
    };
    const count = async (table: 'offline_rows' | 'online_rows') =>
      Number((await world.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

    await publish(1, MESSAGES / 2);
    await waitFor(async () => (await count('offline_rows')) > 0, 'ingestion under way');
    await proxy.cut();
    await publish(MESSAGES / 2 + 1, MESSAGES);

    const pushed = await replica.client.push({ rows: rows('customer_stats', row('pushed', t, { orders_7d: int64Value(1n) })) }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(pushed).toBeInstanceOf(RpcError);
    expect([status[(pushed as RpcError).code], (pushed as RpcError).message]).toEqual(['UNAVAILABLE', DATABASE_UNAVAILABLE]);

    await sleep(OUTAGE_MS);
    await proxy.restore();
    await waitFor(async () => (await count('offline_rows')) === MESSAGES * ROWS, 'every published row stored', 60_000);
    expect(await count('online_rows')).toBe(MESSAGES * ROWS);
    expect(dead).toEqual([]);
    const res = await replica.client.getOnlineFeatures({ entityKeys: [`m${MESSAGES}-r0`, 'm1-r49'], featureRefs: ['customer_stats:orders_7d'] });
    expect(res.rows.map((r) => r.values[0]?.value?.kind.value)).toEqual([BigInt(MESSAGES), 1n]);
  });
});

import { randomBytes } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { createTestDatabase, type TestDatabase } from '@mlops/db/testing';
import { connectNatsBus, namespacedStreamName, STREAM_NAMES, type NatsEventBus } from '@mlops/events';
import { DEFAULT_FEATURE_STORE_OPTIONS, featureStoreSpec } from '@mlops/feature-store';
import { createClient, type Client } from '@mlops/grpc';
import { FeatureRowSchema, FeatureRowsSchema, ValueSchema, type Value } from '@mlops/proto/mlops/events/v1/events_pb';
import {
  FeatureStoreService,
  GetOnlineFeaturesRequestSchema,
  GetOnlineFeaturesResponseSchema,
  ValueType,
  type GetOnlineFeaturesRequest,
} from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { bootService, type BootedService } from '@mlops/runtime';
import { connect, type JetStreamManager } from 'nats';
import pg from 'pg';
import { pino } from 'pino';
import { ratioFigure, type Benchmark, type Figure } from '../result.js';
import { waitForConsumerAcked } from '../consumer-drain.js';
import { startLoadProcess } from '../load-process/index.js';
import { interleave, median } from '../stats.js';
import { startBareEcho, type BareEcho } from './bare-echo.js';

const NATS_URL = process.env['TEST_NATS_URL']?.trim() || 'nats://127.0.0.1:4222';
const VIEW = 'bench_view';
const FEATURES = Array.from({ length: 20 }, (_, i) => `f${String(i).padStart(2, '0')}`);
const ROWS_PER_MESSAGE = 1000;
const MESSAGES = 300;
const WARMUP_MESSAGES = 10;
const INGEST_ROUNDS = 3;
/** Publishes in flight at once: enough that the producer is never what the figure measures. */
const PUBLISH_WINDOW = 16;
const ENTITIES = 50_000;
const LATENCY_ROUNDS = 5;
const GET_ONLINE_FEATURES_PATH = `/${FeatureStoreService.typeName}/${FeatureStoreService.method.getOnlineFeatures.name}`;

/** `count` FeatureRows messages of ROWS_PER_MESSAGE rows, encoded once; event times never repeat. */
function encodeMessages(count: number, firstRow: number): Uint8Array[] {
  const baseMicros = Date.now() * 1000 - 3_600_000_000;
  const messages: Uint8Array[] = [];
  for (let m = 0; m < count; m++) {
    const rows = [];
    for (let r = 0; r < ROWS_PER_MESSAGE; r++) {
      const n = firstRow + m * ROWS_PER_MESSAGE + r;
      const values: Record<string, Value> = {};
      for (let f = 0; f < FEATURES.length; f++) values[FEATURES[f]!] = create(ValueSchema, { kind: { case: 'doubleValue', value: n * 0.001 + f } });
      const micros = baseMicros + n;
      rows.push(
        create(FeatureRowSchema, {
          entityKey: `e${n % ENTITIES}`,
          eventTime: { seconds: BigInt(Math.floor(micros / 1e6)), nanos: (micros % 1e6) * 1000 },
          values,
        }),
      );
    }
    messages.push(toBinary(FeatureRowsSchema, create(FeatureRowsSchema, { view: VIEW, producer: 'bench', rows })));
  }
  return messages;
}

async function publishAll(producer: NatsEventBus, messages: readonly Uint8Array[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: PUBLISH_WINDOW }, async () => {
      while (next < messages.length) await producer.publishBytes(`mlops.features.${VIEW}`, messages[next++]!);
    }),
  );
}

/** Resolves once the service has acknowledged (stored) every published message. */
async function waitForIngested(world: World): Promise<void> {
  await waitForConsumerAcked(world.jsm, {
    stream: namespacedStreamName('FEATURES', world.namespace),
    consumer: DEFAULT_FEATURE_STORE_OPTIONS.durableName,
  });
}

/** Checked once, after the clock stops: the acknowledged rows are all in the offline history. */
async function expectRows(pool: pg.Pool, expected: number): Promise<void> {
  const { rows } = await pool.query<{ n: string }>('select count(*) as n from featurestore.offline_rows');
  if (Number(rows[0]!.n) !== expected) throw new Error(`${rows[0]!.n} rows in featurestore.offline_rows, ${expected} acknowledged`);
}

/**
 * The database's own speed for the same rows: multi-row INSERTs (unnest of one array per column,
 * ROWS_PER_MESSAGE rows a statement, each row's values pre-encoded as the FeatureRow field-3
 * records the store keeps, all of them in one binary bytea parameter cut with substring()) into a
 * table shaped like featurestore.offline_rows, one statement at a time on one connection.
 */
async function bareInsertRowsPerSecond(pool: pg.Pool, messages: number): Promise<number> {
  await pool.query(`create table bench_bare_rows (
    view text not null, entity_key text not null, event_time_us bigint not null, feature_values bytea not null,
    ingested_at timestamptz not null default now(), primary key (view, entity_key, event_time_us))`);
  const baseMicros = Date.now() * 1000;
  const batches = Array.from({ length: messages }, (_, m) => {
    const keys: string[] = [];
    const times: number[] = [];
    const encoded: Uint8Array[] = [];
    for (let r = 0; r < ROWS_PER_MESSAGE; r++) {
      const n = m * ROWS_PER_MESSAGE + r;
      keys.push(`e${n % ENTITIES}`);
      times.push(baseMicros + n);
      const values: Record<string, Value> = {};
      for (let f = 0; f < FEATURES.length; f++) values[FEATURES[f]!] = create(ValueSchema, { kind: { case: 'doubleValue', value: n * 0.001 + f } });
      encoded.push(toBinary(FeatureRowSchema, create(FeatureRowSchema, { values })));
    }
    const starts: number[] = [];
    let at = 1;
    for (const e of encoded) {
      starts.push(at);
      at += e.byteLength;
    }
    return { keys, times, starts, lengths: encoded.map((e) => e.byteLength), values: Buffer.concat(encoded) };
  });
  const client = await pool.connect();
  try {
    const started = performance.now();
    for (const b of batches) {
      await client.query(
        `insert into bench_bare_rows (view, entity_key, event_time_us, feature_values)
         select $1, k, t, substring($6::bytea from s for l) from unnest($2::text[], $3::bigint[], $4::int[], $5::int[]) as r(k, t, s, l)`,
        [VIEW, b.keys, b.times, b.starts, b.lengths, b.values],
      );
    }
    return ((messages * ROWS_PER_MESSAGE) / (performance.now() - started)) * 1000;
  } finally {
    client.release();
    await pool.query('drop table bench_bare_rows');
  }
}

interface World {
  readonly database: TestDatabase;
  readonly pool: pg.Pool;
  readonly service: BootedService;
  readonly client: Client<typeof FeatureStoreService>;
  readonly producer: NatsEventBus;
  readonly jsm: JetStreamManager;
  readonly namespace: string;
  /** Closed with the world: echoes and load processes started for the latency figures. */
  readonly echo: Array<Pick<BareEcho, 'close'>>;
}

async function latencyFigures(world: World, entities: number): Promise<{ figures: Figure[]; note: string }> {
  const request: GetOnlineFeaturesRequest = create(GetOnlineFeaturesRequestSchema, {
    entityKeys: Array.from({ length: entities }, (_, i) => `e${(i * 7919) % ENTITIES}`),
    featureRefs: FEATURES.map((f) => `${VIEW}:${f}`),
  });
  const response = await world.client.getOnlineFeatures(request);
  const missing = response.rows.filter((r) => r.values.some((v) => v.value?.kind.case !== 'doubleValue')).length;
  if (missing > 0) throw new Error(`${missing} of ${entities} entities came back without all their features`);
  const requestBytes = Buffer.from(toBinary(GetOnlineFeaturesRequestSchema, request));
  const responseBytes = Buffer.from(toBinary(GetOnlineFeaturesResponseSchema, response));
  const echo = await startBareEcho({ reply: responseBytes });
  world.echo.push(echo);
  const iterations = entities === 1 ? 2000 : 500;
  // Both are called from the load process with the same request bytes, by the same bare client.
  const load = await startLoadProcess();
  world.echo.push(load);
  await load.target('service', { address: `127.0.0.1:${world.service.grpcPort}`, path: GET_ONLINE_FEATURES_PATH, payload: requestBytes });
  await load.target('echo', { address: echo.address, path: echo.path, payload: requestBytes });
  const runs = await interleave(
    LATENCY_ROUNDS,
    () => load.sequential('service', iterations, 100),
    () => load.sequential('echo', iterations, 100),
  );
  const p50 = median(runs.a.map((r) => r.p50));
  const p99 = median(runs.a.map((r) => r.p99));
  const bareP50 = median(runs.b.map((r) => r.p50));
  const bareP99 = median(runs.b.map((r) => r.p99));
  const echoLabel = `bare grpc-js echo (${requestBytes.length} B in, ${responseBytes.length} B out)`;
  const what = `${entities} entit${entities === 1 ? 'y' : 'ies'} × ${FEATURES.length} features`;
  const figures = [
    ratioFigure(`GetOnlineFeatures p50, ${what}`, p50, 'ms', { label: echoLabel, value: bareP50 }, entities === 1 ? { text: '≤ 1.3×', test: (r) => r <= 1.3 } : undefined),
    ratioFigure(`GetOnlineFeatures p99, ${what}`, p99, 'ms', { label: echoLabel, value: bareP99 }),
  ];
  if (entities > 1) {
    // Sequential calls: rows/s of one caller, from the median call time.
    figures.push(ratioFigure(`GetOnlineFeatures rows/s, ${what}, one caller`, (entities / p50) * 1000, 'rows/s', { label: 'bare echo at its p50', value: (entities / bareP50) * 1000 }));
  }
  return {
    figures,
    note:
      `${what}: median of ${LATENCY_ROUNDS} interleaved rounds of ${iterations} sequential calls against the echo, both called from a load process of ` +
      'their own by one bare grpc-js client with the same pre-encoded request (neither side decodes the response there), as in the inference benchmark.',
  };
}

async function startWorld(cleanups: Array<() => Promise<unknown>>): Promise<World> {
  const namespace = `bfs${randomBytes(5).toString('hex')}`;
  const database = await createTestDatabase();
  cleanups.push(() => database.drop());
  cleanups.push(async () => {
    const nc = await connect({ servers: NATS_URL });
    try {
      const jsm = await nc.jetstreamManager();
      for (const stream of STREAM_NAMES) await jsm.streams.delete(namespacedStreamName(stream, namespace)).catch(() => undefined);
    } finally {
      await nc.close();
    }
  });
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  cleanups.push(() => pool.end());
  const service = await bootService(featureStoreSpec, {
    env: { DATABASE_URL: database.url, NATS_URL, LOG_LEVEL: 'silent' },
    grpcAddress: '127.0.0.1:0',
    adminAddress: '127.0.0.1:0',
    natsNamespace: namespace,
    logger: pino({ level: 'silent' }),
  });
  cleanups.push(() => service.stop(5_000));
  const client = createClient(FeatureStoreService, `127.0.0.1:${service.grpcPort}`, { defaultDeadlineMs: 60_000 });
  cleanups.push(async () => client.close());
  const producer = await connectNatsBus({ url: NATS_URL, name: 'bench-feature-producer', namespace });
  cleanups.push(() => producer.close());
  const nc = await connect({ servers: NATS_URL, name: 'bench-feature-drain' });
  cleanups.push(() => nc.close());
  const jsm = await nc.jetstreamManager();
  const world: World = { database, pool, service, client, producer, jsm, namespace, echo: [] };
  cleanups.push(() => Promise.all(world.echo.map((e) => e.close())));
  await client.applyDefinitions({
    entities: [{ name: 'bench_entity', joinKey: 'entity_id' }],
    featureViews: [{ name: VIEW, entity: 'bench_entity', features: FEATURES.map((name) => ({ name, type: ValueType.DOUBLE })) }],
  });
  return world;
}

/**
 * Feature store: NATS ingestion into the online and offline tables against the database's own
 * insert speed, and GetOnlineFeatures against a bare grpc-js echo of the same bytes.
 */
export const featureStore: Benchmark = {
  name: 'feature-store',
  issue: 'feature store ingestion and online serving',
  async run() {
    const cleanups: Array<() => Promise<unknown>> = [];
    try {
      const world = await startWorld(cleanups);
      // Warm-up: the service's code paths, connection pool and the consumer, off the clock.
      await publishAll(world.producer, encodeMessages(WARMUP_MESSAGES, 0));
      await waitForIngested(world);
      await expectRows(world.pool, WARMUP_MESSAGES * ROWS_PER_MESSAGE);

      // Rounds of new rows (the same entities, later event times), each followed by the bare
      // INSERT of as many rows: one run on this machine moves by ±25 %, the median of rounds less.
      const ingestRates: number[] = [];
      const bareRates: number[] = [];
      const publishedMs: number[] = [];
      let messageBytes = 0;
      for (let round = 0; round < INGEST_ROUNDS; round++) {
        const measured = encodeMessages(MESSAGES, (WARMUP_MESSAGES + round * MESSAGES) * ROWS_PER_MESSAGE);
        messageBytes = measured[0]!.byteLength;
        const started = performance.now();
        await publishAll(world.producer, measured);
        publishedMs.push(performance.now() - started);
        await waitForIngested(world);
        ingestRates.push(((MESSAGES * ROWS_PER_MESSAGE) / (performance.now() - started)) * 1000);
        await expectRows(world.pool, (WARMUP_MESSAGES + (round + 1) * MESSAGES) * ROWS_PER_MESSAGE);
        bareRates.push(await bareInsertRowsPerSecond(world.pool, MESSAGES));
      }
      const ingestRate = median(ingestRates);
      const bareRate = median(bareRates);

      const one = await latencyFigures(world, 1);
      const hundred = await latencyFigures(world, 100);
      return {
        name: this.name,
        issue: this.issue,
        figures: [
          {
            label: `NATS ingestion, ${FEATURES.length} double features a row, online + offline`,
            value: ingestRate,
            unit: 'rows/s',
            target: { text: '≥ 50,000 rows/s', met: ingestRate >= 50_000 },
          },
          ratioFigure('NATS ingestion vs bare INSERT of the same rows', ingestRate, 'rows/s', { label: 'bare multi-row INSERT, offline table only', value: bareRate }),
          ...one.figures,
          ...hundred.figures,
        ],
        notes: [
          `Ingestion: median of ${INGEST_ROUNDS} rounds (${ingestRates.map((r) => `${(r / 1000).toFixed(1)}k`).join(', ')} rows/s), each of ${MESSAGES} FeatureRows messages of ${ROWS_PER_MESSAGE} rows (${(messageBytes / 1024).toFixed(0)} KiB each, pre-encoded, ` +
            `${PUBLISH_WINDOW} publishes in flight, ${ENTITIES.toLocaleString('en')} entities, event times later than the round before), timed from the first publish until the service's durable consumer has acknowledged ` +
            `every message (acked means stored; the rows are counted in featurestore.offline_rows afterwards) (publishing alone took ${(median(publishedMs) / 1000).toFixed(1)} s). Real PostgreSQL and NATS JetStream; the service booted with bootService.`,
          `Bare INSERT baseline: after each ingestion round (median of ${bareRates.map((r) => `${(r / 1000).toFixed(1)}k`).join(', ')} rows/s), the same number of rows, one unnest() INSERT of 1,000 rows at a time on one connection into a table shaped like offline_rows ` +
            '(values as the protobuf bytea the store keeps, sent as one binary parameter; no online upsert, no NATS). The service writes on ' +
            `${DEFAULT_FEATURE_STORE_OPTIONS.ingestWriters} connections at once (rows split by entity key), offline history and online table in one statement each.`,
          one.note,
          hundred.note,
        ],
      };
    } finally {
      for (const fn of cleanups.reverse()) await fn().catch((err: unknown) => console.error('cleanup failed', err));
    }
  },
};

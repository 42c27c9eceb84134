import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { openDatabase, type Database } from '@mlops/db';
import { connectNatsBus, namespacedStreamName, type NatsEventBus } from '@mlops/events';
import { createClient, createGrpcServer } from '@mlops/grpc';
import { gaussian, seededRandom } from '@mlops/model-builders';
import {
  createMonitoringService,
  mergePanes,
  monitoringMigrations,
  noRegistry,
  PaneSummary,
  predictionConsumerName,
  referenceFromDataset,
  type DatasetColumn,
  type MonitoringTables,
} from '@mlops/monitoring';
import { binningsOf, createTestEnvironment, driftReport, NATS_URL, prediction, storePanes, type PaneDelta, type TestEnvironment } from '@mlops/monitoring/testing';
import type { Value } from '@mlops/proto/mlops/events/v1/events_pb';
import { PredictionEventSchema } from '@mlops/proto/mlops/events/v1/events_pb';
import { MonitoringService } from '@mlops/proto/mlops/monitoring/v1/monitoring_pb';
import { createLogger } from '@mlops/telemetry';
import { sql } from 'kysely';
import { AckPolicy, connect } from 'nats';
import { Registry } from 'prom-client';
import { waitForConsumerAcked } from '../consumer-drain.js';
import { ratioFigure, type Benchmark } from '../result.js';
import { median } from '../stats.js';

const FEATURES = Array.from({ length: 20 }, (_, i) => `f${String(i).padStart(2, '0')}`);
const MODEL = 'churn';
/** Events pre-published for the consumption figure. */
const EVENTS = 60_000;
const INGEST_ROUNDS = 5;
const PUBLISH_IN_FLIGHT = 1_000;
/** Predictions the drift report's window holds. */
const WINDOW_PREDICTIONS = 1_000_000;
const PANE_MS = 60_000;
const PANES = 15;
const REFERENCE_ROWS = 5_000;
const REPORT_RUNS = 5;

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

/** Feature i of a row: gaussians, every fourth shifted in the current window so some columns drift. */
const featureValue = (normal: () => number, i: number, drifted: boolean): number => normal() * (1 + i / 10) + (drifted && i % 4 === 0 ? 0.5 : 0);

/**
 * Monitoring's two hot paths: consuming prediction events into windows (against fetching and
 * acking the same events with a bare JetStream consumer), and a drift report over a window of a
 * million predictions (against computing the same statistics in-process on the same summaries).
 */
export const monitoring: Benchmark = {
  name: 'monitoring',
  issue: 'monitoring ingestion rate and drift report latency (services/monitoring)',
  async run() {
    const env = await createTestEnvironment();
    const logger = createLogger({ service: 'bench-monitoring', level: 'silent' });
    let database: Database<MonitoringTables> | undefined;
    let bus: NatsEventBus | undefined;
    try {
      const eventBus = (bus = await connectNatsBus({ url: NATS_URL, name: 'bench-monitoring', namespace: env.namespace }));
      database = await openDatabase<MonitoringTables>({ schema: 'monitoring', migrations: monitoringMigrations, url: env.dbUrl });
      const db = database.db;
      const newService = () =>
        createMonitoringService({
          db,
          bus: eventBus,
          logger,
          metrics: new Registry(),
          registry: noRegistry,
          options: { evaluationIntervalMs: 0, paneMs: PANE_MS },
        });

      // Rounds: a backlog of new events, the bare consumers over as many, then a service that
      // drains it. One run on this machine moves by ±20 %, the median of rounds less.
      const ingestRates: number[] = [];
      const bareRates: number[] = [];
      const bareBatchRates: number[] = [];
      const nc = await connect({ servers: NATS_URL, name: 'bench-monitoring-drain' });
      try {
        const jsm = await nc.jetstreamManager();
        for (let round = 0; round < INGEST_ROUNDS; round++) {
          await publishPredictions(eventBus, round);
          bareRates.push(await bareConsumeRate(env, 'explicit'));
          bareBatchRates.push(await bareConsumeRate(env, 'all'));
          const service = await newService();
          try {
            const started = nowMs();
            await service.start();
            await waitForConsumerAcked(jsm, { stream: namespacedStreamName('PREDICTIONS', env.namespace), consumer: predictionConsumerName() });
            ingestRates.push((EVENTS / (nowMs() - started)) * 1000);
          } finally {
            await service.close();
          }
          // Checked after the clock stops: every acknowledged event is a stored prediction.
          const stored = Number((await sql<{ n: string }>`select count(*) as n from monitoring.predictions`.execute(db)).rows[0]!.n);
          if (stored !== EVENTS * (round + 1)) throw new Error(`${stored} predictions stored, ${EVENTS * (round + 1)} acknowledged`);
        }
      } finally {
        await nc.close();
      }
      const ingestRate = median(ingestRates);
      const bareRate = median(bareRates);
      const bareBatchRate = median(bareBatchRates);

      const service = await newService();
      const server = createGrpcServer({ service: 'bench-monitoring', logger });
      service.register(server);
      const port = await server.listen('127.0.0.1:0');
      const client = createClient(MonitoringService, `127.0.0.1:${port}`, { defaultDeadlineMs: 120_000 });
      try {
        const drift = await measureDriftReport(db, client);
        return {
          name: this.name,
          issue: this.issue,
          figures: [
            ratioFigure('prediction events stored into windows', ingestRate, 'events/s', { label: 'bare JetStream fetch + ack of the same events', value: bareRate }),
            ratioFigure('prediction events stored into windows, against batch acks', ingestRate, 'events/s', {
              label: 'bare JetStream fetch + one cumulative ack per 1,000 of the same events',
              value: bareBatchRate,
            }),
            { label: 'prediction events stored into windows (absolute target)', value: ingestRate, unit: 'events/s', target: { text: '≥ 30,000/s', met: ingestRate >= 30_000 } },
            ratioFigure('GetDriftReport over 1,000,000 predictions × 20 features', drift.rpcMs, 'ms', {
              label: 'the same report computed in-process on the summaries',
              value: drift.inProcessMs,
            }),
            { label: 'GetDriftReport over 1,000,000 predictions (absolute target)', value: drift.rpcMs, unit: 'ms', target: { text: '≤ 1,000 ms', met: drift.rpcMs <= 1_000 } },
          ],
          notes: [
            `Median of ${INGEST_ROUNDS} rounds (${ingestRates.map((r) => `${(r / 1000).toFixed(1)}k`).join(', ')} events/s), each of ${EVENTS.toLocaleString('en')} new PredictionEvents of ${FEATURES.length} numeric inputs and one output, published on mlops.predictions.${MODEL} before a new service instance starts its consumers; timed from that start until the batch consumer has acknowledged every event (acked means stored; the rows are counted afterwards) (PostgreSQL test database; batches of up to 2,000 events, two in flight, each stored in one transaction (its predictions and its pane deltas appended as pane parts, which the compactor folds later) and acknowledged with one cumulative ack).`,
            `The bare consumers: durable pull consumers on the same stream that do not decode; one acks each message (AckPolicy.Explicit), the other acks every 1,000th (AckPolicy.All), the ceiling of the service's batch consumer, which acknowledges each stored batch cumulatively.`,
            `Drift: a ${REFERENCE_ROWS.toLocaleString('en')}-row reference set with SetReference; ${WINDOW_PREDICTIONS.toLocaleString('en')} predictions in ${PANES} panes built with the ingestion's PaneSummary and stored through its pane merge; median of ${REPORT_RUNS} GetDriftReport calls (${drift.drifted}/${drift.columns} columns drifted).`,
          ],
        };
      } finally {
        client.close();
        await server.shutdown(1_000);
        await service.close();
      }
    } finally {
      await bus?.close();
      await database?.close();
      await env.dispose();
    }
  },
};

async function publishPredictions(bus: NatsEventBus, round: number): Promise<void> {
  const random = seededRandom(1 + round);
  const normal = () => gaussian(random);
  const servedAt = new Date();
  const publishOne = (i: number) => {
    const inputs: Record<string, number> = {};
    FEATURES.forEach((f, j) => (inputs[f] = featureValue(normal, j, false)));
    const id = `p-${round}-${i}`;
    const event = prediction({ id, model: MODEL, servedAt, inputs, score: 0.3 });
    return bus.publish(`mlops.predictions.${MODEL}`, PredictionEventSchema, event, { msgId: id });
  };
  for (let i = 0; i < EVENTS; i += PUBLISH_IN_FLIGHT) {
    await Promise.all(Array.from({ length: Math.min(PUBLISH_IN_FLIGHT, EVENTS - i) }, (_, k) => publishOne(i + k)));
  }
}

/** Events per second a durable pull consumer fetches and acks (each, or cumulatively every 1,000th), doing nothing else. */
async function bareConsumeRate(env: TestEnvironment, acks: 'explicit' | 'all'): Promise<number> {
  const nc = await connect({ servers: NATS_URL });
  try {
    const stream = namespacedStreamName('PREDICTIONS', env.namespace);
    const jsm = await nc.jetstreamManager();
    const name = `bench-bare-${acks}`;
    const ackPolicy = acks === 'explicit' ? AckPolicy.Explicit : AckPolicy.All;
    await jsm.consumers.add(stream, { durable_name: name, ack_policy: ackPolicy, filter_subject: `${env.namespace}.mlops.predictions.>` });
    const consumer = await nc.jetstream().consumers.get(stream, name);
    const started = nowMs();
    const messages = await consumer.consume({ max_messages: 1024 });
    let seen = 0;
    for await (const msg of messages) {
      seen++;
      if (seen === EVENTS) {
        // The last ack is confirmed, so every ack before it has reached the server too.
        await msg.ackAck();
        break;
      }
      if (acks === 'explicit' || seen % 1_000 === 0) msg.ack();
    }
    const rate = (EVENTS / (nowMs() - started)) * 1000;
    messages.stop();
    await jsm.consumers.delete(stream, name);
    return rate;
  } finally {
    await nc.close();
  }
}

const num = (value: number): Value => ({ kind: { case: 'doubleValue', value } }) as Value;

async function measureDriftReport(
  db: Database<MonitoringTables>['db'],
  client: ReturnType<typeof createClient<typeof MonitoringService>>,
): Promise<{ rpcMs: number; inProcessMs: number; drifted: number; columns: number }> {
  const version = 2n;
  const random = seededRandom(2);
  const normal = () => gaussian(random);
  // The reference: uploaded as a dataset, and rebuilt here from the same rows for the binnings.
  const rows = Array.from({ length: REFERENCE_ROWS }, () => FEATURES.map((_, j) => featureValue(normal, j, false)));
  await client.setReference({
    model: MODEL,
    version,
    source: {
      case: 'dataset',
      value: { name: 'bench-reference', rows: rows.map((r) => ({ values: Object.fromEntries(FEATURES.map((f, j) => [f, num(r[j]!)])) })) },
    },
  });
  const columns = new Map<string, DatasetColumn>(FEATURES.map((f, j) => [f, { kind: 'numeric', values: rows.map((r) => r[j]!) }]));
  const reference = referenceFromDataset('bench-reference', columns);
  const binnings = binningsOf(reference);

  // The window: what ingestion would have summarized, pane by pane.
  const endMs = Math.floor(Date.now() / PANE_MS) * PANE_MS;
  const startMs = endMs - PANES * PANE_MS;
  const deltas: PaneDelta[] = [];
  for (let p = 0; p < PANES; p++) {
    const summary = new PaneSummary();
    const count = Math.floor(WINDOW_PREDICTIONS / PANES) + (p < WINDOW_PREDICTIONS % PANES ? 1 : 0);
    const numerics = FEATURES.map((f) => summary.numeric(f, binnings.get(f)!)!);
    for (let i = 0; i < count; i++) {
      summary.predictions++;
      summary.latency.add(5 + normal());
      for (let j = 0; j < FEATURES.length; j++) numerics[j]!.add(featureValue(normal, j, true));
    }
    deltas.push({ model: MODEL, version, paneStartMs: startMs + p * PANE_MS, summary });
  }
  await storePanes(db, PANE_MS, deltas);

  const range = { start: timestampFromDate(new Date(startMs)), end: timestampFromDate(new Date(endMs)) };
  const rpc: number[] = [];
  const inProcess: number[] = [];
  let report = await client.getDriftReport({ model: MODEL, version, range });
  if (Number(report.predictions) !== WINDOW_PREDICTIONS) throw new Error(`the report saw ${report.predictions} predictions, expected ${WINDOW_PREDICTIONS}`);
  for (let i = 0; i < REPORT_RUNS; i++) {
    let t = nowMs();
    report = await client.getDriftReport({ model: MODEL, version, range });
    rpc.push(nowMs() - t);
    t = nowMs();
    driftReport(reference, mergePanes(deltas.map((d) => d.summary)));
    inProcess.push(nowMs() - t);
  }
  return { rpcMs: median(rpc), inProcessMs: median(inProcess), drifted: report.features.filter((f) => f.drifted).length, columns: report.features.length };
}

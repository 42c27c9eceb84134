// End-to-end behaviour of the monitoring service on real PostgreSQL and NATS JetStream.
import { create, fromBinary, type MessageShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { status } from '@grpc/grpc-js';
import { startDatabaseProxy } from '@mlops/db/testing';
import { DEFAULT_RETRIES_LAST_MS } from '@mlops/events/testing';
import { isRpcError } from '@mlops/grpc';
import { DATABASE_UNAVAILABLE } from '@mlops/runtime';
import { setTimeout as sleep } from 'node:timers/promises';
import { AlertSchema, AlertState, DeadLetterSchema, LabelSchema, PredictionEventSchema, Severity, ValueSchema } from '@mlops/proto/mlops/events/v1/events_pb';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAlertRuleConfig } from './alerts/rule-config.js';
import type { LookupResult } from './registry/lookup.js';
import { label, prediction } from './testing/events.js';
import { createTestEnvironment, startMonitoring, waitFor, type RunningMonitoring, type TestEnvironment } from './testing/harness.js';
import { seededNormal } from './testing/random.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function environment(): Promise<TestEnvironment> {
  const env = await createTestEnvironment();
  cleanups.push(() => env.dispose());
  return env;
}

async function monitoring(env: TestEnvironment, opts: Parameters<typeof startMonitoring>[1] = {}): Promise<RunningMonitoring> {
  const m = await startMonitoring(env, opts);
  cleanups.push(() => m.stop());
  return m;
}

const range = (start: Date, end: Date) => ({ start: timestampFromDate(start), end: timestampFromDate(end) });
const storedPredictions = async (m: RunningMonitoring): Promise<number> =>
  Number((await m.database.db.selectFrom('predictions').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
/** Predictions counted in the panes: folded rows and the parts not folded yet. */
const panePredictions = async (m: RunningMonitoring): Promise<number> => {
  const db = m.database.db;
  const rows = await db.selectFrom('panes').select('summary').unionAll(db.selectFrom('pane_parts').select('summary')).execute();
  return rows.reduce((s, r) => s + (r.summary as { predictions: number }).predictions, 0);
};

/** `message`: a pattern the error's message must match, or the whole message it must be. */
async function expectRpcError(p: Promise<unknown>, code: status, message: RegExp | string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isRpcError(err)).toBe(true);
  if (!isRpcError(err)) return;
  expect(err.code).toBe(code);
  if (typeof message === 'string') expect(err.message).toBe(message);
  else expect(err.message).toMatch(message);
}

const T0 = new Date('2025-03-01T12:00:00Z');
const minute = (n: number) => new Date(T0.getTime() + n * 60_000);

describe('per-model alert rules', () => {
  it('judge each model by its own rules: a tighter latency objective fires for its model only', async () => {
    const env = await environment();
    const rules = parseAlertRuleConfig(JSON.stringify({ fraud: { latency_p99: { thresholds: { critical: 10 } } } }));
    if (!rules.ok) throw new Error(rules.error);
    const m = await monitoring(env, { options: { paneMs: 60_000, windowMs: 60_000, rulesOf: rules.value } });
    for (const model of ['churn', 'fraud']) {
      for (let i = 0; i < 30; i++) {
        await m.bus.publish(`mlops.predictions.${model}`, PredictionEventSchema, prediction({ id: `${model}-${i}`, model, servedAt: new Date(T0.getTime() + i), latencyMs: 50 }));
      }
    }
    await waitFor(async () => (await storedPredictions(m)) === 60, '60 predictions stored');
    const latencyAlerts = (await m.service.evaluateNow(minute(1))).transitions
      .filter((t) => t.alert.key.rule === 'latency_p99')
      .map((t) => [t.alert.key.model, t.kind, t.alert.severity]);
    expect(latencyAlerts).toEqual([['fraud', 'fired', 'critical']]);
  });
});

describe('drift alerts', () => {
  it('a synthetic shift raises a warning then a critical alert, and a return to normal resolves it', async () => {
    const env = await environment();
    const m = await monitoring(env, { options: { paneMs: 60_000, windowMs: 60_000 } });
    const published: Array<MessageShape<typeof AlertSchema>> = [];
    const subjects: string[] = [];
    await m.bus.consume({
      name: 'alerts-observer',
      stream: 'ALERTS',
      subjects: ['mlops.alerts.>'],
      schema: AlertSchema,
      handler: async (e) => {
        published.push(e.message);
        subjects.push(e.subject);
      },
    });

    const g = seededNormal(7);
    const rows = Array.from({ length: 2000 }, () => ({
      values: {
        x: create(ValueSchema, { kind: { case: 'doubleValue', value: g() } }),
        color: create(ValueSchema, { kind: { case: 'stringValue', value: ['red', 'green', 'blue'][Math.floor(Math.abs(g() * 1000)) % 3]! } }),
      },
    }));
    const set = await m.client.setReference({ model: 'churn', version: 1n, source: { case: 'dataset', value: { name: 'training', rows } } });
    expect(set.source).toBe('dataset');
    expect(set.rows).toBe(2000n);

    let id = 0;
    const publishPane = async (pane: number, shift: number) => {
      const h = seededNormal(100 + pane);
      for (let i = 0; i < 400; i++) {
        const p = prediction({ id: `p${id++}`, model: 'churn', servedAt: new Date(minute(pane).getTime() + i * 10), inputs: { x: h() + shift, color: ['red', 'green', 'blue'][i % 3]! } });
        await m.bus.publish('mlops.predictions.churn', PredictionEventSchema, p);
      }
      await waitFor(async () => (await storedPredictions(m)) === id, `${id} predictions stored`);
    };
    const psiAlerts = (transitions: Awaited<ReturnType<typeof m.service.evaluateNow>>['transitions']) =>
      transitions.filter((t) => t.alert.key.rule === 'column_psi' && t.alert.key.subject === 'x').map((t) => [t.kind, t.alert.severity]);

    await publishPane(0, 0.45);
    const first = await m.service.evaluateNow(minute(1));
    expect(psiAlerts(first.transitions)).toEqual([['fired', 'warning']]);
    // Deduplicated: the same window evaluated again emits nothing new.
    expect(psiAlerts((await m.service.evaluateNow(minute(1))).transitions)).toEqual([]);

    await publishPane(1, 1.5);
    expect(psiAlerts((await m.service.evaluateNow(minute(2))).transitions)).toEqual([
      ['resolved', 'warning'],
      ['fired', 'critical'],
    ]);

    await publishPane(2, 0);
    expect(psiAlerts((await m.service.evaluateNow(minute(3))).transitions)).toEqual([['resolved', 'critical']]);

    // Published on mlops.alerts.<model>.<severity>, with the figures that fired them.
    await waitFor(() => published.filter((a) => a.rule === 'column_psi:x').length === 4, 'four column_psi alert events');
    const onBus = published.filter((a) => a.rule === 'column_psi:x');
    expect(onBus.map((a) => [a.severity, a.state])).toEqual([
      [Severity.WARNING, AlertState.FIRING],
      [Severity.WARNING, AlertState.RESOLVED],
      [Severity.CRITICAL, AlertState.FIRING],
      [Severity.CRITICAL, AlertState.RESOLVED],
    ]);
    expect(subjects).toContain('mlops.alerts.churn.critical');
    expect(onBus[0]!.figures['psi']).toBeGreaterThanOrEqual(0.1);
    expect(onBus[0]!.figures['threshold']).toBe(0.1);
    expect(onBus[2]!.figures['psi']).toBeGreaterThanOrEqual(0.25);

    // Listed over gRPC; acknowledged by a person.
    const listed = await m.client.listAlerts({ model: 'churn' });
    const psi = listed.alerts.filter((a) => a.alert?.rule === 'column_psi:x');
    expect(psi).toHaveLength(2);
    expect(psi.every((a) => a.alert?.state === AlertState.RESOLVED)).toBe(true);
    const ack = await m.client.acknowledgeAlert({ alertId: psi[0]!.alert!.alertId, acknowledgedBy: 'ana', comment: 'rolled back' });
    expect(ack.alert?.acknowledged).toBe(true);
    expect(ack.alert?.acknowledgedBy).toBe('ana');
    await expectRpcError(m.client.acknowledgeAlert({ alertId: psi[0]!.alert!.alertId }), status.INVALID_ARGUMENT, /acknowledged_by/);
    await expectRpcError(m.client.acknowledgeAlert({ alertId: 'nope', acknowledgedBy: 'ana' }), status.NOT_FOUND, /nope/);

    // The drift report over the shifted pane, and a Prometheus gauge per drift score.
    const report = await m.client.getDriftReport({ model: 'churn', version: 1n, range: range(minute(1), minute(2)) });
    const x = report.features.find((f) => f.feature === 'x')!;
    expect(x.test).toBe('wasserstein');
    expect(x.drifted).toBe(true);
    expect(x.currentCount).toBe(400n);
    expect(x.referenceCount).toBe(2000n);
    expect(report.features.find((f) => f.feature === 'color')!.test).toBe('jensenshannon');
    const text = await m.metrics.metrics();
    expect(text).toMatch(/mlops_monitoring_drift_psi\{model="churn",version="1",column="x"\} /);
    expect(text).toMatch(/mlops_monitoring_drift_score\{model="churn",version="1",column="x",test="wasserstein"\} /);
  });
});

describe('labels', () => {
  it('joins labels that arrive after their predictions (by id over NATS, by entity and time over gRPC) and before them', async () => {
    const env = await environment();
    const registry = async (): Promise<LookupResult> => ({ ok: true, value: { profile: undefined, trainingMetrics: { accuracy: 0.9 } } });
    const m = await monitoring(env, { registry });
    const scores = [0.9, 0.8, 0.3, 0.2, 0.7];
    for (let i = 0; i < 4; i++) {
      await m.bus.publish('mlops.predictions.fraud', PredictionEventSchema, prediction({ id: `f${i}`, model: 'fraud', servedAt: minute(i), score: scores[i]!, entityKey: `acct-${i}` }));
    }
    await waitFor(async () => (await storedPredictions(m)) === 4, 'four predictions');

    // Minutes (or months) later: two labels by prediction id on NATS, one by entity and time over gRPC.
    await m.bus.publish('mlops.labels.fraud', LabelSchema, label({ model: 'fraud', predictionId: 'f0', category: '1' }));
    await m.bus.publish('mlops.labels.fraud', LabelSchema, label({ model: 'fraud', predictionId: 'f1', category: '0' }));
    const byEntity = await m.client.submitLabels({ labels: [label({ model: 'fraud', entityKey: 'acct-2', eventTime: minute(30), category: '0' })] });
    expect(byEntity).toMatchObject({ accepted: 1, joined: 1 });
    // A label before its prediction: stored, joined when the prediction arrives.
    const early = await m.client.submitLabels({ labels: [label({ model: 'fraud', predictionId: 'f4', category: '1' })] });
    expect(early).toMatchObject({ accepted: 1, joined: 0 });
    await m.bus.publish('mlops.predictions.fraud', PredictionEventSchema, prediction({ id: 'f4', model: 'fraud', servedAt: minute(4), score: 0.7 }));

    const report = async () => m.client.getPerformanceReport({ model: 'fraud', version: 1n, range: range(minute(0), minute(60)) });
    await waitFor(async () => (await report()).labelled === 4n, 'four labelled predictions');
    const r = await report();
    expect(r.predictions).toBe(5n);
    // Predicted 1,1,0,-,1 vs labels 1,0,0,-,1: three of four right.
    expect(r.metrics['accuracy']).toBeCloseTo(0.75, 12);
    // Positives score 0.9, 0.7; negatives 0.8, 0.3: pairs won 1,1,0,1 -> 0.75.
    expect(r.metrics['auc']).toBeCloseTo(0.75, 12);
    expect(r.trainingMetrics['accuracy']).toBe(0.9);
    expect(r.p50LatencyMs).toBeGreaterThan(4.5);
    expect(r.p50LatencyMs).toBeLessThan(5.5);

    await expectRpcError(m.client.submitLabels({ labels: [label({ model: 'fraud' })] }), status.INVALID_ARGUMENT, /labels\[0\]\.prediction_id/);
    await expectRpcError(m.client.getPerformanceReport({ model: 'fraud', version: 1n }), status.INVALID_ARGUMENT, /range\.start/);
    await expectRpcError(m.client.getDriftReport({ model: 'bad model', version: 1n, range: range(minute(0), minute(1)) }), status.INVALID_ARGUMENT, /model/);
    await expectRpcError(m.client.getDriftReport({ model: 'fraud', version: 1n, range: range(minute(0), minute(1)) }), status.FAILED_PRECONDITION, /no reference/);
  });
});

describe('durability', () => {
  it('a restart mid-window loses nothing and counts redelivered events once', async () => {
    const env = await environment();
    const options = { consumerPrefix: 'restart' };
    const first = await startMonitoring(env, { options });
    const publish = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        await first.bus.publish('mlops.predictions.eta', PredictionEventSchema, prediction({ id: `e${i}`, model: 'eta', servedAt: new Date(T0.getTime() + i), inputs: { d: i % 17 } }));
      }
    };
    await publish(0, 150);
    await waitFor(async () => (await storedPredictions(first)) >= 50, 'some predictions stored');
    // Stop mid-stream: whatever was not stored is not acknowledged and is redelivered.
    await first.service.close();
    await publish(150, 300);
    await publish(0, 20); // a producer retry: same prediction ids again
    await first.stop();

    const second = await monitoring(env, { options });
    await waitFor(async () => (await storedPredictions(second)) === 300, '300 predictions stored');
    await waitFor(async () => (await panePredictions(second)) === 300, 'panes counting 300');
    // Give any straggling duplicate a chance to be (wrongly) counted, then check again.
    await waitFor(async () => Number((await second.metrics.getSingleMetric('mlops_monitoring_duplicate_predictions_total')?.get())?.values[0]?.value ?? 0) >= 20, 'the 20 duplicates seen');
    expect(await panePredictions(second)).toBe(300);
  });

  it('a PostgreSQL outage longer than the consumer retries loses and dead-letters nothing; SubmitLabels answers UNAVAILABLE meanwhile', { timeout: 120_000 }, async () => {
    const env = await environment();
    const proxy = await startDatabaseProxy(env.dbUrl);
    cleanups.push(() => proxy.close());
    const m = await monitoring(env, { databaseUrl: proxy.url });
    const dead: Array<MessageShape<typeof DeadLetterSchema>> = [];
    await m.bus.consume({ name: 'dead-observer', stream: 'DEADLETTER', subjects: ['mlops.deadletter.>'], schema: DeadLetterSchema, handler: async (e) => void dead.push(e.message) });
    const publish = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        await m.bus.publish('mlops.predictions.eta', PredictionEventSchema, prediction({ id: `o${i}`, model: 'eta', servedAt: new Date(T0.getTime() + i), inputs: { d: i % 17 } }));
      }
    };
    await publish(0, 100);
    await waitFor(async () => (await storedPredictions(m)) > 0, 'ingestion under way');
    await proxy.cut();
    await publish(100, 200);
    await m.bus.publish('mlops.labels.eta', LabelSchema, label({ model: 'eta', predictionId: 'o150', numeric: 1.5 }));
    await expectRpcError(m.client.submitLabels({ labels: [label({ model: 'eta', predictionId: 'o10', numeric: 2 })] }), status.UNAVAILABLE, DATABASE_UNAVAILABLE);

    // Longer than the consumers' retries, which used to dead-letter everything in flight.
    await sleep(DEFAULT_RETRIES_LAST_MS + 2_000);
    await proxy.restore();
    await waitFor(async () => (await storedPredictions(m)) === 200, '200 predictions stored');
    await waitFor(async () => (await panePredictions(m)) === 200, 'panes counting 200');
    await waitFor(
      async () => (await m.database.db.selectFrom('labels').select('joined_prediction_id').where('joined_prediction_id', '=', 'o150').execute()).length === 1,
      'the label published during the outage joined to its prediction',
    );
    expect(dead).toEqual([]);
  });

  it('dead-letters malformed events with the reason', async () => {
    const env = await environment();
    const m = await monitoring(env);
    const dead: Array<MessageShape<typeof DeadLetterSchema>> = [];
    await m.bus.consume({ name: 'dead-observer', stream: 'DEADLETTER', subjects: ['mlops.deadletter.>'], schema: DeadLetterSchema, handler: async (e) => void dead.push(e.message) });

    await m.bus.publishBytes('mlops.predictions.churn', new Uint8Array([0xff, 0xff, 0xff, 0x01]));
    await m.bus.publish('mlops.predictions.churn', PredictionEventSchema, prediction({ id: 'x1', model: 'other', servedAt: T0 }));
    await m.bus.publish('mlops.predictions.churn', PredictionEventSchema, create(PredictionEventSchema, {}));
    await m.bus.publish('mlops.labels.churn', LabelSchema, create(LabelSchema, { model: 'churn', predictionId: 'x' }));
    await m.bus.publish('mlops.predictions.churn', PredictionEventSchema, prediction({ id: 'ok', model: 'churn', servedAt: T0 }));

    await waitFor(() => dead.length === 4, 'four dead letters');
    const reasons = dead.map((d) => `${d.originalSubject} ${d.reason}`).join('\n');
    expect(reasons).toMatch(/prediction\.model: expected "churn"/);
    expect(reasons).toMatch(/kind: expected prediction or shadow/);
    expect(reasons).toMatch(/label\.value: expected numeric or category/);
    expect(dead.every((d) => d.consumer.startsWith('monitoring-'))).toBe(true);
    // The valid event behind them was processed.
    await waitFor(async () => (await storedPredictions(m)) === 1, 'the valid prediction stored');
    const undecodable = dead.find((d) => !/expected/.test(d.reason))!;
    expect(() => fromBinary(PredictionEventSchema, undecodable.payload)).toThrow();
  });
});

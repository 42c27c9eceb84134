// The demo's whole loop against real PostgreSQL and NATS: the five services booted in this
// process (one tracer provider, an in-memory exporter), the scenario talking to them only over
// gRPC and NATS, each stage's outcome asserted, and one prediction followed across services.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@mlops/db/testing';
import { connectNatsBus, type EventBus } from '@mlops/events';
import type { ReadableSpan } from '@mlops/telemetry';
import { useInMemoryTracing, type InMemoryTracing } from '@mlops/telemetry/testing';
import { SpanKind } from '@opentelemetry/api';
import { connect } from 'nats';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessPlatform, type InProcessPlatform } from './platform/in-process.js';
import { FEATURE_REFS, FEATURE_VIEW } from './scenario/churn-data.js';
import { connectPlatform, type PlatformClients } from './scenario/platform-clients.js';
import { runScenario, type ScenarioOutcome, type ScenarioResult } from './scenario/scenario.js';
import { waitFor } from './scenario/waiting.js';

const natsUrl = process.env['TEST_NATS_URL']?.trim() || 'nats://127.0.0.1:4222';
const namespace = `demo${randomBytes(4).toString('hex')}`;
const MODEL = 'churn';

let tracing: InMemoryTracing;
let database: TestDatabase | undefined;
let dataDir: string | undefined;
let platform: InProcessPlatform | undefined;
let bus: EventBus | undefined;
let clients: PlatformClients | undefined;
let result: ScenarioResult;

/** The run's outcome; fails the calling test (with the stage and error) if the run did not complete. */
function outcome(): ScenarioOutcome {
  if (!result.ok) throw new Error(`the scenario stopped at stage "${result.stage}": ${result.error.message}`);
  return result.value;
}

beforeAll(async () => {
  tracing = useInMemoryTracing({ service: 'mlops-demo-e2e' });
  database = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), 'demo-e2e-'));
  platform = await startInProcessPlatform({
    env: { DATABASE_URL: database.url, NATS_URL: natsUrl, MLOPS_DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    natsNamespace: namespace,
    // A logger of our own: bootService then leaves tracing to this test's in-memory provider.
    logger: pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' }),
  });
  bus = await connectNatsBus({ url: natsUrl, name: 'demo-e2e', namespace });
  clients = connectPlatform(platform.addresses, bus);
  result = await runScenario(clients, { model: MODEL, canaryStepSeconds: 1, stageTimeoutMs: 60_000 });
}, 180_000);

afterAll(async () => {
  clients?.close();
  await bus?.close();
  await platform?.stop();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    for await (const info of jsm.streams.list()) {
      if (info.config.name.startsWith(namespace.toUpperCase())) await jsm.streams.delete(info.config.name);
    }
  } finally {
    await nc.close();
  }
  await tracing?.shutdown();
});

describe('the demo scenario', () => {
  it('runs every stage', () => {
    expect(result.ok ? 'completed' : `stopped at ${result.stage}: ${result.error.message}`).toBe('completed');
  });

  it('generates a reproducible churn set and trains two models, the trees ahead on AUC', () => {
    const { data, training } = outcome();
    expect(data.rows).toBe(6_000);
    expect(data.churnRate).toBeGreaterThan(0.2);
    expect(data.churnRate).toBeLessThan(0.6);
    expect(data.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(training.logistic.auc).toBeGreaterThan(0.75);
    expect(training.boosted.auc).toBeGreaterThan(training.logistic.auc);
    expect(training.boosted.onnxBytes).toBeGreaterThan(0);
  });

  it('registers both versions with lineage and a reference profile of every feature', async () => {
    const { registration } = outcome();
    expect(registration.versions.map((v) => v.version)).toEqual([1n, 2n]);
    const { version } = await clients!.registry.getVersion({ model: MODEL, version: 2n });
    const lineage = version!.lineage!;
    expect(lineage.datasetDigest).toBe(outcome().data.digest);
    expect(lineage.featureRefs).toEqual(FEATURE_REFS);
    expect(lineage.metrics['auc']).toBeCloseTo(outcome().training.boosted.auc, 10);
    expect(lineage.hyperparameters['algorithm']).toBe('gradient_boosted_trees');
    expect(lineage.referenceProfile!.features.map((f) => f.feature)).toEqual(FEATURE_REFS);
    expect(lineage.referenceProfile!.rows).toBe(4_000n);
  });

  it('gates the production alias: a too strict gate is refused, then v1 goes live', () => {
    const { production } = outcome();
    expect(production.refused.moved).toBe(false);
    if (!production.refused.moved) {
      expect(production.refused.code).toBe('FAILED_PRECONDITION');
      expect(production.refused.message).toContain('auc');
    }
    expect(production.moved).toMatchObject({ moved: true, version: 1n, previous: 0n });
  });

  it('applies the feature definitions and serves every streamed customer', () => {
    const { features } = outcome();
    expect(features.changes.length).toBeGreaterThan(0);
    expect(features.subject).toBe(`mlops.features.${FEATURE_VIEW}`);
    expect(features.customers).toBe(2_000);
    expect(features.messages).toBe(8);
  });

  it('splits traffic between v1 and v2, joins every label, mirrors every request to the shadow, and promotes the leader', () => {
    const { experiment } = outcome();
    const { variants, shadow } = experiment.experiment;
    expect(variants.map((v) => v.version).sort()).toEqual([1n, 2n]);
    expect(variants.reduce((n, v) => n + v.requests, 0)).toBe(2_000);
    expect(variants.reduce((n, v) => n + v.labelled, 0)).toBe(2_000);
    for (const v of variants) {
      // 50/50 by a hash of the customer id: 2,000 keys land within a few percent of half.
      expect(v.requests).toBeGreaterThan(900);
      expect(v.errors).toBe(0);
      expect(v.accuracyCi[0]).toBeLessThanOrEqual(v.accuracy);
    }
    expect(shadow.comparisons).toBe(2_000);
    // A shadow call past the router's shadow deadline is reported as failed; most must answer.
    expect(shadow.failed).toBeLessThan(shadow.comparisons / 2);
    expect(shadow.agreement).toBeGreaterThan(0.7);
    expect(experiment.experiment.leader.version).toBe(2n);
    expect(experiment.promotion).toMatchObject({ moved: true, version: 2n, previous: 1n });
  });

  it('promotes the retrained candidate through every canary step and moves the alias', () => {
    const { canary, experiment } = outcome();
    // On failure, the decisions say which gate or alert ended it.
    expect(canary.result, canary.decisions.map((d) => `${d.action} at ${d.candidateWeight}%: ${d.reason}`).join('\n')).toBe('promoted');
    expect(canary.candidateVersion).toBe(experiment.shadowVersion.version);
    expect(canary.stableVersion).toBe(2n);
    // The decisions that move traffic; a hold (or a pause on a warning alert) keeps the weights.
    const moves = canary.decisions.filter((d) => ['start', 'advance', 'promote', 'rollback'].includes(d.action));
    expect(moves.map((d) => [d.action, d.candidateWeight])).toEqual([
      ['start', 25],
      ['advance', 50],
      ['advance', 100],
      ['promote', 100],
    ]);
    expect(canary.aliasBefore).toBe(2n);
    expect(canary.aliasAfter).toBe(canary.candidateVersion);
    expect(canary.failedBatches).toBe(0);
  });

  it('rolls the bad candidate back on divergence; the production alias never moves', () => {
    const { 'bad-candidate': bad, canary: good } = outcome();
    expect(bad.canary.result).toBe('rolled_back');
    const rollback = bad.canary.decisions.at(-1)!;
    expect(rollback.action).toBe('rollback');
    expect(rollback.reason).toContain('divergence');
    expect(rollback.figures['divergence']).toBeGreaterThan(0.1);
    expect(bad.canary.aliasesSeen).toEqual([good.candidateVersion]);
    expect(bad.canary.aliasAfter).toBe(good.candidateVersion);
    expect(bad.canary.finalVariants).toContainEqual(['canary', bad.candidate.version, 0]);
  });

  it('raises a warning on moderate drift, then a critical alert on strong drift', () => {
    const { drift, canary } = outcome();
    expect(drift.alerted ? 'alerted' : drift.reason).toBe('alerted');
    if (!drift.alerted) return;
    expect(drift.feature).toBe(`${FEATURE_VIEW}:monthly_charges`);
    expect(drift.warning.version).toBe(canary.candidateVersion);
    expect(drift.warning.psi).toBeGreaterThanOrEqual(0.1);
    expect(drift.warning.psi).toBeLessThan(0.25);
    expect(drift.critical.psi).toBeGreaterThanOrEqual(0.25);
    const charges = drift.report.find((c) => c.feature === drift.feature);
    expect(charges?.drifted).toBe(true);
  });

  it('ends with the production version, the alerts and a trace id', () => {
    const { summary, canary } = outcome();
    expect(summary.production).toBe(canary.candidateVersion);
    expect(summary.traced.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(summary.alerts.some((a) => a.severity === 'critical' && a.rule.includes('monthly_charges'))).toBe(true);
    expect(summary.auditRecords).toBeGreaterThan(0);
  });
});

describe('one trace across the platform', () => {
  const spansOf = (traceId: string) => tracing.spans().filter((s) => s.spanContext().traceId === traceId);
  const describeSpan = (s: ReadableSpan) => `${SpanKind[s.kind]} ${s.name}`;

  it('follows the traced prediction through NATS, the feature store, the router and inference', async () => {
    const { traced } = outcome().summary;
    const expected = [
      `PRODUCER mlops.features.${FEATURE_VIEW} publish`,
      `CONSUMER mlops.features.${FEATURE_VIEW} process`,
      'SERVER mlops.featurestore.v1.FeatureStoreService/GetOnlineFeatures',
      'SERVER mlops.router.v1.RouterService/Predict',
      'SERVER inference.GRPCInferenceService/ModelInfer',
    ];
    // Consumer spans end just after their handler: wait (bounded) for every expected span.
    const names = await waitFor(
      () => {
        const seen = new Set(spansOf(traced.traceId).map(describeSpan));
        return expected.every((e) => seen.has(e)) ? seen : undefined;
      },
      'the spans of the traced prediction',
      10_000,
    ).catch(() => new Set(spansOf(traced.traceId).map(describeSpan)));
    expect([...names].sort()).toEqual(expect.arrayContaining(expected));
    // The feature store's consumer span of the update is a child of the demo's publish.
    const spans = spansOf(traced.traceId);
    const consumer = spans.find((s) => s.kind === SpanKind.CONSUMER && s.name.startsWith(`mlops.features.${FEATURE_VIEW}`))!;
    const producer = spans.find((s) => s.spanContext().spanId === consumer.parentSpanContext?.spanId);
    expect(producer?.kind).toBe(SpanKind.PRODUCER);
  });

  const monitoringSpanOf = (predictionId: string) =>
    tracing
      .spans()
      .find((s) => s.kind === SpanKind.CONSUMER && s.attributes['messaging.message.id'] === predictionId && String(s.attributes['messaging.consumer.group.name']).startsWith('monitoring'));

  it("records monitoring's consumer span of that prediction's event", async () => {
    const { traced } = outcome().summary;
    const span = await waitFor(() => monitoringSpanOf(traced.predictionId), "monitoring's consumer span of the traced prediction's event", 10_000);
    expect(span.attributes['messaging.destination.name']).toBe(`mlops.predictions.${MODEL}`);
  });

  // The router publishes prediction events later, from its buffer's loop, under the request's
  // trace context that it kept with each event: monitoring's work joins the prediction's trace.
  it("puts monitoring's consumer span of that prediction's event in the prediction's trace", () => {
    const { traced } = outcome().summary;
    const span = monitoringSpanOf(traced.predictionId);
    expect(span?.spanContext().traceId).toBe(traced.traceId);
  });
});

// End to end: registry, feature store, inference and router booted in this process over loopback,
// on a fresh PostgreSQL database and a private NATS namespace. Monitoring's part (alerts, labels)
// is played by the test publishing the events monitoring and label producers would publish.
import { randomBytes } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { isRpcError, status, type RpcError } from '@mlops/grpc';
import { buildLogisticRegression, buildSlowMlp, predictLogisticRegression, type LogisticRegressionSpec } from '@mlops/model-builders';
import {
  AlertSchema,
  AlertState,
  CanaryAction,
  DeploymentEventSchema,
  LabelSchema,
  PredictionEventSchema,
  Severity,
  type CanaryDecision,
  type ShadowComparison,
  type Value,
} from '@mlops/proto/mlops/events/v1/events_pb';
import { ValueType } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { CanaryState, MissingFeaturePolicy, type PredictResponse } from '@mlops/proto/mlops/router/v1/router_pb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, waitFor, type PlatformUnderTest } from './testing/platform.js';

const FEATURES = ['customer:age', 'customer:tenure', 'customer:spend'];
const BASE: LogisticRegressionSpec = { weights: [0.03, -0.05, 0.002], bias: -0.9 };
/** Nearly the same model: a candidate that agrees with the stable version. */
const CLOSE: LogisticRegressionSpec = { weights: [0.0301, -0.0499, 0.002], bias: -0.9 };
/** A model that disagrees strongly with BASE. */
const FAR: LogisticRegressionSpec = { weights: [-0.09, 0.12, -0.004], bias: 2 };

const ENTITIES = 50;
const entityValues = (i: number) => [20 + i, i % 12, 100 + 3 * i];
const num = (value: number): Value => ({ kind: { case: 'doubleValue', value } }) as Value;

let platform: PlatformUnderTest;

const expectedScore = (spec: LogisticRegressionSpec, values: number[]) => predictLogisticRegression(spec, [values])[0]!;

async function createModel(name: string, versions: { onnx: Uint8Array; refs?: string[] }[]): Promise<bigint[]> {
  await platform.registry.createModel({ name });
  const numbers: bigint[] = [];
  for (const v of versions) numbers.push(await platform.uploadVersion(name, v.onnx, { featureRefs: v.refs ?? FEATURES }));
  return numbers;
}

const keyed = (i: number) => ({ entityKey: `c${i % ENTITIES}`, requestKey: `user-${i}` });

async function predictMany(model: string, keys: number[]): Promise<PredictResponse[]> {
  const out: PredictResponse[] = [];
  for (let i = 0; i < keys.length; i += 1000) {
    const r = await platform.router.predictBatch({ model, requests: keys.slice(i, i + 1000).map(keyed) });
    out.push(...r.responses);
  }
  return out;
}

const rpcError = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => {
      if (!isRpcError(e)) throw e;
      return e as RpcError;
    },
  );

beforeAll(async () => {
  platform = await startPlatform({ MLOPS_ROUTER_SHADOW_DEADLINE_MS: '100' });
  await platform.featureStore.applyDefinitions({
    entities: [{ name: 'customer', joinKey: 'customer_id' }],
    featureViews: [
      {
        name: 'customer',
        entity: 'customer',
        features: ['age', 'tenure', 'spend', 'extra'].map((name) => ({ name, type: ValueType.DOUBLE })),
      },
    ],
  });
  const now = timestampFromDate(new Date());
  await platform.featureStore.push({
    rows: {
      view: 'customer',
      producer: 'router-e2e',
      rows: [
        ...Array.from({ length: ENTITIES }, (_, i) => {
          const [age, tenure, spend] = entityValues(i);
          return { entityKey: `c${i}`, eventTime: now, values: { age: num(age!), tenure: num(tenure!), spend: num(spend!) } };
        }),
        { entityKey: 'c-partial', eventTime: now, values: { age: num(33) } },
      ],
    },
  });
}, 180_000);

afterAll(async () => {
  await platform?.close();
});

describe('A/B with sticky assignment', () => {
  it('splits 10,000 keys by weight, keeps each key on its variant, and moves only the keys it must when weights change', async () => {
    const [v1, v2] = await createModel('ab', [{ onnx: buildLogisticRegression(BASE) }, { onnx: buildLogisticRegression(CLOSE) }]);
    await platform.router.setDeployment({
      deployment: { model: 'ab', variants: [{ name: 'a', version: v1, weight: 70 }, { name: 'b', version: v2, weight: 30 }] },
      expectedRevision: 0n,
    });
    const keys = Array.from({ length: 10_000 }, (_, i) => i);
    const first = await predictMany('ab', keys);
    expect(first).toHaveLength(10_000);

    // Each answer comes from the version its variant names, computed on the stored features.
    first.slice(0, 200).forEach((r, i) => {
      expect(r.version).toBe(r.variant === 'a' ? v1 : v2);
      expect(r.outputs[0]!.values[0]).toBeCloseTo(expectedScore(r.variant === 'a' ? BASE : CLOSE, entityValues(i % ENTITIES)), 5);
      expect(r.predictionId).toMatch(/^[0-9a-f-]{36}$/);
    });

    // Tolerance: 1.5 percentage points, over 3 standard deviations of a binomial(10,000, 0.3).
    const shareA = first.filter((r) => r.variant === 'a').length / first.length;
    expect(Math.abs(shareA - 0.7)).toBeLessThan(0.015);

    const again = await predictMany('ab', keys.slice(0, 2_000));
    expect(again.map((r) => r.variant)).toEqual(first.slice(0, 2_000).map((r) => r.variant));

    await platform.router.setDeployment({
      deployment: { model: 'ab', variants: [{ name: 'a', version: v1, weight: 50 }, { name: 'b', version: v2, weight: 50 }] },
      expectedRevision: 1n,
    });
    // Every replica applies the change from mlops.deployments.ab; this one already did.
    const after = await predictMany('ab', keys);
    const moves = after.map((r, i) => `${first[i]!.variant}->${r.variant}`).filter((m) => m === 'a->b' || m === 'b->a');
    expect(moves.every((m) => m === 'a->b')).toBe(true);
    expect(Math.abs(moves.length / keys.length - 0.2)).toBeLessThan(0.015);

    // A stale revision is refused, naming both revisions.
    const stale = await rpcError(platform.router.setDeployment({ deployment: { model: 'ab', variants: [{ name: 'a', version: v1, weight: 1 }] }, expectedRevision: 1n }));
    expect(stale.code).toBe(status.ABORTED);
    expect(stale.message).toContain('revision 2');
  });

  it('reports per-variant figures with accuracy from labels', async () => {
    const sample = await predictMany('ab', Array.from({ length: 400 }, (_, i) => i));
    // The label producer's role: every prediction's truth is "0".
    for (const r of sample) {
      await platform.bus.publish('mlops.labels.ab', LabelSchema, create(LabelSchema, { model: 'ab', predictionId: r.predictionId, value: { case: 'numeric', value: 0 } }));
    }
    const report = await waitFor(async () => {
      const rep = await platform.router.getExperimentReport({ model: 'ab' });
      const labelled = rep.variants.reduce((n, v) => n + Number(v.labelled), 0);
      return labelled === 400 ? rep : undefined;
    }, 'labels to be joined');
    expect(report.variants.map((v) => v.variant)).toEqual(['a', 'b']);
    const total = report.variants.reduce((n, v) => n + Number(v.requests), 0);
    expect(total).toBe(10_000 + 2_000 + 10_000 + 400);
    for (const v of report.variants) {
      expect(v.errors).toBe(0n);
      expect(v.p99LatencyMs).toBeGreaterThanOrEqual(v.p50LatencyMs);
      expect(v.meanOutput).toBeGreaterThan(0);
      expect(v.accuracyCiLow).toBeLessThanOrEqual(v.accuracy);
      expect(v.accuracyCiHigh).toBeGreaterThanOrEqual(v.accuracy);
    }
    expect(report.comparedVariants).toEqual(['a', 'b']);
    expect(report.pValue).toBeGreaterThan(0);
    expect(report.pValue).toBeLessThanOrEqual(1);
  });
});

describe('shadow traffic', () => {
  it('leaves primary answers untouched when shadows fail or are slow, and publishes every comparison', async () => {
    const [v1, v2, v3] = await createModel('shadowed', [
      { onnx: buildLogisticRegression(BASE) },
      // Needs a feature no entity has: every shadow call fails (FAILED_PRECONDITION).
      { onnx: buildLogisticRegression({ weights: [0.01, 0.01, 0.01, 0.01], bias: 0 }), refs: [...FEATURES, 'customer:extra'] },
      // Big enough that a batch of 1,000 rows takes far longer than the 100 ms shadow deadline.
      { onnx: buildSlowMlp(7, { inputs: 3, hidden: [2048, 2048] }) },
    ]);
    const comparisons: ShadowComparison[] = [];
    const consumer = await platform.bus.consume({
      name: `shadow-watch-${randomBytes(4).toString('hex')}`,
      stream: 'PREDICTIONS',
      subjects: ['mlops.predictions.shadowed'],
      schema: PredictionEventSchema,
      handler: async ({ message }) => {
        if (message.kind.case === 'shadow') comparisons.push(message.kind.value);
      },
    });
    try {
      await platform.router.setDeployment({
        deployment: {
          model: 'shadowed',
          variants: [{ name: 'main', version: v1, weight: 1 }],
          shadows: [
            { name: 'needs-extra', version: v2, sampleRate: 1 },
            { name: 'slow', version: v3, sampleRate: 1 },
          ],
        },
      });
      // One at a time first, so each failing shadow call fails on its own merits, well inside its deadline.
      const single: PredictResponse[] = [];
      for (let i = 0; i < 20; i++) single.push(await platform.router.predict({ model: 'shadowed', ...keyed(i) }));
      const failed = await waitFor(() => {
        const f = comparisons.filter((c) => c.shadowVariant === 'needs-extra');
        return f.length >= 20 ? f : undefined;
      }, 'failed shadow comparisons');
      // A cold first call (version metadata, connections) may exceed the 100 ms deadline instead.
      expect(failed.filter((c) => c.shadowErrorCode === 'FAILED_PRECONDITION').length).toBeGreaterThan(0);
      for (const c of failed) {
        expect(['FAILED_PRECONDITION', 'DEADLINE_EXCEEDED']).toContain(c.shadowErrorCode);
        expect(c.shadowOutputs).toEqual([]);
        expect(c.primaryOutputs[0]!.values).toHaveLength(1);
        expect(single.map((r) => r.predictionId)).toContain(c.predictionId);
      }
      // Then batches of 1,000 rows, whose slow shadow cannot finish within its deadline.
      const batch = await predictMany('shadowed', Array.from({ length: 2_000 }, (_, i) => i));
      for (const [i, r] of [...single.map((r, i) => [i, r] as const), ...batch.map((r, i) => [i, r] as const)]) {
        expect(r.variant).toBe('main');
        expect(r.version).toBe(v1);
        expect(r.outputs[0]!.values[0]).toBeCloseTo(expectedScore(BASE, entityValues(i % ENTITIES)), 5);
      }
      const metrics = await waitFor(async () => {
        const text = await (await fetch(`http://127.0.0.1:${platform.routerAdminPort}/metrics`)).text();
        return /mlops_router_background_calls_total\{kind="shadow",outcome="timeout"[^}]*\} [1-9]/.test(text) ? text : undefined;
      }, 'a shadow timeout to be counted');
      expect(metrics).toMatch(/mlops_router_background_calls_total\{kind="shadow",outcome="error"[^}]*\} [1-9]/);
    } finally {
      await consumer.stop();
    }
  });
});

describe('canary', () => {
  const decisions: CanaryDecision[] = [];
  beforeAll(async () => {
    await platform.bus.consume({
      name: `decision-watch-${randomBytes(4).toString('hex')}`,
      stream: 'DEPLOYMENTS',
      subjects: ['mlops.deployments.>'],
      schema: DeploymentEventSchema,
      handler: async ({ message }) => {
        if (message.kind.case === 'decision') decisions.push(message.kind.value);
      },
    });
  });

  /** Sends traffic until the canary of `model` ends; returns its final status. */
  async function driveUntilDone(model: string) {
    let i = 0;
    return waitFor(
      async () => {
        await platform.router.predictBatch({ model, requests: Array.from({ length: 50 }, () => keyed(i++)) });
        const { status: s } = await platform.router.getCanaryStatus({ model });
        return s && (s.state === CanaryState.PROMOTED || s.state === CanaryState.ROLLED_BACK) ? s : undefined;
      },
      `the canary of ${model} to end`,
      60_000,
    );
  }

  const policy = (over: Record<string, unknown> = {}) => ({
    steps: [20, 50, 100],
    stepDuration: { seconds: 1n },
    minSamples: 20n,
    maxErrorRate: 0.05,
    maxDivergence: 0.05,
    ...over,
  });

  it('rolls back a candidate that diverges from the stable model; the alias never moves', async () => {
    const [v1, v2] = await createModel('canary-bad', [{ onnx: buildLogisticRegression(BASE) }, { onnx: buildLogisticRegression(FAR) }]);
    await platform.registry.setAlias({ model: 'canary-bad', alias: 'production', version: v1 });
    const aliasMoves: bigint[] = [];
    const started = await platform.router.startCanary({ model: 'canary-bad', candidateVersion: v2, policy: policy(), reason: 'e2e' });
    expect(started.status!.state).toBe(CanaryState.PROGRESSING);
    expect(started.status!.candidateWeight).toBe(20);

    let i = 0;
    const final = await waitFor(
      async () => {
        await platform.router.predictBatch({ model: 'canary-bad', requests: Array.from({ length: 50 }, () => keyed(i++)) });
        aliasMoves.push((await platform.registry.getModel({ name: 'canary-bad' })).model!.aliases['production']!);
        const { status: s } = await platform.router.getCanaryStatus({ model: 'canary-bad' });
        return s?.state === CanaryState.ROLLED_BACK ? s : undefined;
      },
      'the diverging canary to be rolled back',
      60_000,
    );
    expect(new Set(aliasMoves)).toEqual(new Set([v1]));
    expect((await platform.registry.getModel({ name: 'canary-bad' })).model!.aliases['production']).toBe(v1);
    const rollback = final.decisions.at(-1)!;
    expect(rollback.action).toBe(CanaryAction.ROLLBACK);
    expect(rollback.reason).toContain('prediction divergence from stable');
    expect(rollback.figures['divergence']).toBeGreaterThan(0.05);
    expect(final.candidateWeight).toBe(0);
    expect(final.decisions.map((d) => d.action)).not.toContain(CanaryAction.PROMOTE);

    const { deployment } = await platform.router.getDeployment({ model: 'canary-bad' });
    expect(deployment!.variants.map((v) => [v.name, v.version, v.weight])).toEqual([
      ['stable', v1, 100],
      ['canary', v2, 0],
    ]);
    const after = await predictMany('canary-bad', Array.from({ length: 200 }, (_, k) => k));
    expect(after.every((r) => r.version === v1)).toBe(true);
    await waitFor(() => decisions.some((d) => d.model === 'canary-bad' && d.action === CanaryAction.ROLLBACK), 'the rollback decision on NATS');
  });

  it('promotes a good candidate through every step and moves the alias', async () => {
    const [v1, v2] = await createModel('canary-good', [{ onnx: buildLogisticRegression(BASE) }, { onnx: buildLogisticRegression(CLOSE) }]);
    await platform.registry.setAlias({ model: 'canary-good', alias: 'production', version: v1 });
    await platform.router.startCanary({ model: 'canary-good', candidateVersion: v2, policy: policy(), reason: 'e2e' });
    const final = await driveUntilDone('canary-good');
    expect(final.state).toBe(CanaryState.PROMOTED);
    const actions = final.decisions.map((d) => d.action).filter((a) => a !== CanaryAction.HOLD);
    expect(actions).toEqual([CanaryAction.START, CanaryAction.ADVANCE, CanaryAction.ADVANCE, CanaryAction.PROMOTE]);
    expect(final.decisions.filter((d) => d.action === CanaryAction.ADVANCE).map((d) => d.candidateWeight)).toEqual([50, 100]);
    for (const d of final.decisions.filter((x) => x.action === CanaryAction.ADVANCE || x.action === CanaryAction.PROMOTE)) {
      expect(d.figures['candidate_samples']).toBeGreaterThanOrEqual(20);
      expect(d.figures['divergence']).toBeLessThan(0.05);
    }
    expect((await platform.registry.getModel({ name: 'canary-good' })).model!.aliases['production']).toBe(v2);
    const served = await predictMany('canary-good', Array.from({ length: 100 }, (_, k) => k));
    expect(served.every((r) => r.version === v2 && r.variant === 'stable')).toBe(true);
    await waitFor(() => decisions.some((d) => d.model === 'canary-good' && d.action === CanaryAction.PROMOTE), 'the promotion on NATS');
  });

  it('rolls back at once on a critical alert from monitoring', async () => {
    const [v1, v2] = await createModel('canary-alert', [{ onnx: buildLogisticRegression(BASE) }, { onnx: buildLogisticRegression(CLOSE) }]);
    await platform.registry.setAlias({ model: 'canary-alert', alias: 'production', version: v1 });
    await platform.router.startCanary({ model: 'canary-alert', candidateVersion: v2, policy: policy({ stepDuration: { seconds: 3600n } }) });
    await platform.bus.publish(
      'mlops.alerts.canary-alert.critical',
      AlertSchema,
      create(AlertSchema, { alertId: 'alert-1', model: 'canary-alert', version: v2, rule: 'prediction_drift', severity: Severity.CRITICAL, state: AlertState.FIRING, at: timestampFromDate(new Date()) }),
    );
    const final = await waitFor(async () => {
      const { status: s } = await platform.router.getCanaryStatus({ model: 'canary-alert' });
      return s?.state === CanaryState.ROLLED_BACK ? s : undefined;
    }, 'the critical alert to roll the canary back');
    expect(final.decisions.at(-1)!.reason).toBe('critical alert firing: prediction_drift');
    expect((await platform.registry.getModel({ name: 'canary-alert' })).model!.aliases['production']).toBe(v1);
  });
});

describe('missing features', () => {
  it('rejects naming the features, or uses declared defaults, never a silent zero', async () => {
    const [v1] = await createModel('missing', [{ onnx: buildLogisticRegression(BASE) }]);
    await platform.registry.setAlias({ model: 'missing', alias: 'production', version: v1 });

    // No deployment: the production alias serves, with the reject policy.
    const ok = await platform.router.predict({ model: 'missing', entityKey: 'c3' });
    expect(ok.variant).toBe('production');
    expect(ok.outputs[0]!.values[0]).toBeCloseTo(expectedScore(BASE, entityValues(3)), 5);

    const rejected = await rpcError(platform.router.predict({ model: 'missing', entityKey: 'c-partial' }));
    expect(rejected.code).toBe(status.FAILED_PRECONDITION);
    expect(rejected.message).toContain('customer:tenure');
    expect(rejected.message).toContain('customer:spend');
    expect(rejected.message).not.toContain('customer:age');

    const inline = await platform.router.predict({ model: 'missing', entityKey: 'c-partial', features: { tenure: num(4), 'customer:spend': num(150) } });
    expect(inline.outputs[0]!.values[0]).toBeCloseTo(expectedScore(BASE, [33, 4, 150]), 5);

    await platform.router.setDeployment({
      deployment: {
        model: 'missing',
        variants: [{ name: 'main', version: v1, weight: 1 }],
        missingFeaturePolicy: MissingFeaturePolicy.USE_DEFAULTS,
        featureDefaults: { tenure: num(5), 'customer:spend': num(200) },
      },
    });
    const defaulted = await platform.router.predict({ model: 'missing', entityKey: 'c-partial' });
    expect(defaulted.variant).toBe('main');
    expect(defaulted.outputs[0]!.values[0]).toBeCloseTo(expectedScore(BASE, [33, 5, 200]), 5);

    // Age has no default: still refused, naming only it.
    const noDefault = await rpcError(platform.router.predict({ model: 'missing', entityKey: 'nobody' }));
    expect(noDefault.code).toBe(status.FAILED_PRECONDITION);
    expect(noDefault.message).toContain('customer:age');
    expect(noDefault.message).not.toContain('customer:tenure');

    const typo = await rpcError(platform.router.predict({ model: 'missing', entityKey: 'c1', features: { agee: num(1) } }));
    expect(typo.code).toBe(status.INVALID_ARGUMENT);
    expect(typo.message).toContain('features["agee"]');
  });
});

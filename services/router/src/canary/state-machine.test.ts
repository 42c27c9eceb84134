import { create } from '@bufbuild/protobuf';
import { DurationSchema } from '@bufbuild/protobuf/wkt';
import { CanaryPolicySchema } from '@mlops/proto/mlops/router/v1/router_pb';
import { describe, expect, it } from 'vitest';
import type { CanaryFigures } from './figures.js';
import { evaluateGates } from './gates.js';
import { POLICY_DEFAULTS, validateCanaryPolicy, type CanaryPolicy } from './policy.js';
import { candidateWeight, decide, type CanaryPhase, type CanaryState } from './state-machine.js';

const policy: CanaryPolicy = {
  steps: [10, 50, 100],
  stepDurationMs: 60_000,
  minSamples: 100,
  maxErrorRate: 0.05,
  maxP99LatencyMs: 200,
  maxDivergence: 0.1,
  minAccuracy: 0.8,
  minLabels: 20,
  promoteAlias: 'production',
};

const T0 = new Date('2025-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const state = (over: Partial<CanaryState> = {}): CanaryState => ({
  model: 'churn',
  stableVersion: 1n,
  candidateVersion: 2n,
  phase: 'progressing',
  step: 0,
  startedAt: T0,
  stepStartedAt: T0,
  policy,
  ...over,
});

type FiguresOverride = { candidate?: Partial<CanaryFigures['candidate']>; divergence?: Partial<CanaryFigures['divergence']>; alerts?: Partial<CanaryFigures['alerts']> };

/** Healthy figures: enough samples, no errors, fast, close to stable, accurate. */
const figures = (over: FiguresOverride = {}): CanaryFigures => ({
  candidate: { samples: 200, errors: 2, p99LatencyMs: 50, labelled: 40, correct: 36, ...over.candidate },
  divergence: { pairs: 150, mean: 0.02, ...over.divergence },
  alerts: { warning: [], critical: [], ...over.alerts },
});

describe('decide', () => {
  it('waits while the step is running and nothing is wrong', () => {
    expect(decide(state(), figures(), at(30_000))).toEqual({ action: 'wait' });
  });

  it('advances a healthy step once its time is up, restarting the step clock', () => {
    const d = decide(state(), figures(), at(60_000));
    expect(d.action).toBe('advance');
    if (d.action === 'wait') return;
    expect(d.next).toMatchObject({ phase: 'progressing', step: 1, stepStartedAt: at(60_000) });
    expect(candidateWeight(d.next)).toBe(50);
    expect(d.reason).toContain('candidate to 50%');
    expect(d.figures).toMatchObject({ candidate_samples: 200, error_rate: 0.01, p99_latency_ms: 50, divergence: 0.02, accuracy: 0.9, step_elapsed_s: 60 });
  });

  it('promotes after the last step passes', () => {
    const d = decide(state({ step: 2 }), figures(), at(60_000));
    expect(d.action).toBe('promote');
    if (d.action !== 'wait') expect(candidateWeight(d.next)).toBe(100);
  });

  it('walks a good candidate through every step to promotion', () => {
    let s = state();
    let now = 0;
    const actions: string[] = [];
    for (let i = 0; i < 10 && (s.phase === 'progressing' || s.phase === 'paused'); i++) {
      now += 60_000;
      const d = decide(s, figures(), at(now));
      if (d.action === 'wait') continue;
      actions.push(d.action);
      s = d.next;
    }
    expect(actions).toEqual(['advance', 'advance', 'promote']);
    expect(s.phase).toBe('promoted');
  });

  it.each([
    ['error rate', { candidate: { errors: 20 } }, 'error rate 0.100 above 0.0500 (20/200)'],
    ['p99 latency', { candidate: { p99LatencyMs: 450 } }, 'p99 latency 450 ms above 200 ms'],
    ['divergence', { divergence: { mean: 0.4 } }, 'prediction divergence from stable 0.400 above 0.100 (150 pairs)'],
    ['accuracy', { candidate: { correct: 20 } }, 'accuracy 0.500 below 0.800 (20/40 labelled)'],
  ] as const)('rolls back at once when the %s gate fails, even mid-step', (_, over, reason) => {
    const d = decide(state({ step: 1 }), figures(over), at(5_000));
    expect(d.action).toBe('rollback');
    if (d.action === 'wait') return;
    expect(d.reason).toContain(reason);
    expect(d.next.phase).toBe('rolled_back');
    expect(candidateWeight(d.next)).toBe(0);
  });

  it('does not judge error rate or latency before min_samples (no rollback on noise)', () => {
    const d = decide(state(), figures({ candidate: { samples: 10, errors: 5, p99LatencyMs: 900 }, divergence: { pairs: 10 } }), at(5_000));
    expect(d).toEqual({ action: 'wait' });
  });

  it('holds, saying what it waits for, when the step is over without enough samples', () => {
    const d = decide(state(), figures({ candidate: { samples: 40 }, divergence: { pairs: 30 } }), at(61_000));
    expect(d.action).toBe('hold');
    if (d.action === 'wait') return;
    expect(d.reason).toContain('40/100 candidate predictions');
    expect(d.reason).toContain('30/50 paired comparisons');
    expect(d.next).toEqual(state());
  });

  it('holds without paired comparisons even with enough samples when divergence is gated', () => {
    const d = decide(state(), figures({ divergence: { pairs: 0, mean: undefined } }), at(60_000));
    expect(d.action).toBe('hold');
  });

  it('advances without labels: accuracy is judged only where labels exist', () => {
    const d = decide(state(), figures({ candidate: { labelled: 3, correct: 0 } }), at(60_000));
    expect(d.action).toBe('advance');
  });

  it('requires min_samples even when every gate is off', () => {
    const off: CanaryPolicy = { ...policy, maxErrorRate: 0, maxP99LatencyMs: 0, maxDivergence: 0, minAccuracy: 0 };
    expect(decide(state({ policy: off }), figures({ candidate: { samples: 5 } }), at(60_000)).action).toBe('hold');
    const d = decide(state({ policy: off }), figures(), at(60_000));
    expect(d.action).toBe('advance');
    if (d.action !== 'wait') expect(d.reason).toContain('no gates configured');
  });

  it('rolls back on a critical alert before anything else, even with too few samples', () => {
    const d = decide(state(), figures({ candidate: { samples: 0 }, alerts: { critical: ['psi_drift'] } }), at(1));
    expect(d.action).toBe('rollback');
    if (d.action !== 'wait') expect(d.reason).toBe('critical alert firing: psi_drift');
  });

  it('rolls back a paused canary on a critical alert', () => {
    expect(decide(state({ phase: 'paused' }), figures({ alerts: { critical: ['x'], warning: ['y'] } }), at(1)).action).toBe('rollback');
  });

  it('pauses on a warning alert, stays paused while it fires, resumes with a fresh step clock', () => {
    const warn = figures({ alerts: { warning: ['feature_drift'] } });
    const paused = decide(state(), warn, at(70_000));
    expect(paused.action).toBe('pause');
    if (paused.action === 'wait') return;
    expect(paused.next.phase).toBe('paused');
    expect(candidateWeight(paused.next)).toBe(10);
    expect(decide(paused.next, warn, at(200_000))).toEqual({ action: 'wait' });
    const resumed = decide(paused.next, figures(), at(300_000));
    expect(resumed.action).toBe('resume');
    if (resumed.action === 'wait') return;
    expect(resumed.next).toMatchObject({ phase: 'progressing', step: 0, stepStartedAt: at(300_000) });
    expect(decide(resumed.next, figures(), at(330_000))).toEqual({ action: 'wait' });
  });

  it.each(['promoted', 'rolled_back'] as CanaryPhase[])('does nothing once %s', (phase) => {
    expect(decide(state({ phase }), figures({ alerts: { critical: ['x'] } }), at(999_999))).toEqual({ action: 'wait' });
  });

  it('is pure: the same inputs give the same decision', () => {
    const s = state();
    const f = figures();
    expect(decide(s, f, at(60_000))).toEqual(decide(s, f, at(60_000)));
  });
});

describe('evaluateGates', () => {
  it('reports off gates and passes at the limit exactly', () => {
    const gates = evaluateGates({ ...policy, maxP99LatencyMs: 0 }, figures({ candidate: { errors: 10 } }));
    expect(gates.find((g) => g.gate === 'error_rate')).toMatchObject({ verdict: 'pass', observed: 0.05 });
    expect(gates.find((g) => g.gate === 'p99_latency')).toEqual({ gate: 'p99_latency', verdict: 'off' });
  });
});

describe('validateCanaryPolicy', () => {
  const msg = (over: Record<string, unknown> = {}) => create(CanaryPolicySchema, { steps: [10, 50, 100], ...over });

  it('applies defaults', () => {
    expect(validateCanaryPolicy(msg())).toEqual({
      ok: true,
      value: { steps: [10, 50, 100], stepDurationMs: POLICY_DEFAULTS.stepDurationMs, minSamples: 100, minLabels: 30, promoteAlias: 'production', maxErrorRate: 0, maxP99LatencyMs: 0, maxDivergence: 0, minAccuracy: 0 },
    });
    const custom = validateCanaryPolicy(msg({ stepDuration: create(DurationSchema, { seconds: 2n, nanos: 500_000_000 }), minSamples: 7n }));
    expect(custom.ok && [custom.value.stepDurationMs, custom.value.minSamples]).toEqual([2500, 7]);
  });

  it.each([
    [{ steps: [] }, 'policy.steps'],
    [{ steps: [50, 50] }, 'policy.steps[1]'],
    [{ steps: [0, 10] }, 'policy.steps[0]'],
    [{ steps: [10, 101] }, 'policy.steps[1]'],
    [{ maxErrorRate: 1.5 }, 'policy.max_error_rate'],
    [{ minAccuracy: -0.1 }, 'policy.min_accuracy'],
    [{ maxDivergence: Number.NaN }, 'policy.max_divergence'],
    [{ promoteAlias: '9x' }, 'policy.promote_alias'],
  ] as const)('rejects %j naming %s', (over, field) => {
    const r = validateCanaryPolicy(msg(over as never));
    expect(r.ok === false && r.error.field).toBe(field);
  });
});

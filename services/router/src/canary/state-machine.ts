import { flattenFigures, type CanaryFigures } from './figures.js';
import { evaluateGates, type GateVerdict } from './gates.js';
import type { CanaryPolicy } from './policy.js';

export type CanaryPhase = 'progressing' | 'paused' | 'promoted' | 'rolled_back';

export interface CanaryState {
  readonly model: string;
  readonly stableVersion: bigint;
  readonly candidateVersion: bigint;
  readonly phase: CanaryPhase;
  /** Index into policy.steps. */
  readonly step: number;
  readonly startedAt: Date;
  /** When the current step's window began (outcomes before it do not count). */
  readonly stepStartedAt: Date;
  readonly policy: CanaryPolicy;
}

export const isActive = (state: CanaryState): boolean => state.phase === 'progressing' || state.phase === 'paused';

/** The candidate's weight in percent in a state: 0 once rolled back, 100 once promoted. */
export function candidateWeight(state: CanaryState): number {
  switch (state.phase) {
    case 'rolled_back':
      return 0;
    case 'promoted':
      return 100;
    default:
      return state.policy.steps[state.step] ?? 0;
  }
}

/**
 * What the controller does next. `wait`: nothing to record (the step is still running). Every
 * other action is recorded with its figures; `hold` and `resume` keep the weights.
 */
export type CanaryDecision =
  | { readonly action: 'wait' }
  | {
      readonly action: 'hold' | 'resume' | 'pause' | 'advance' | 'promote' | 'rollback';
      readonly reason: string;
      readonly figures: Record<string, number>;
      readonly next: CanaryState;
    };

const failed = (gates: readonly GateVerdict[]) => gates.filter((g): g is Extract<GateVerdict, { verdict: 'fail' }> => g.verdict === 'fail');

/**
 * The canary controller's whole judgement, pure: the same state, figures and time always give the
 * same decision, so it is tested exhaustively without NATS, timers or a database. In order:
 * a critical alert rolls back at once; a failed gate rolls back; a drift warning pauses (and its
 * resolution resumes); a step whose time is up advances, or promotes after the last step, when no
 * gate lacks data (accuracy excepted: it is judged only where labels exist); otherwise it holds.
 */
export function decide(state: CanaryState, figures: CanaryFigures, now: Date): CanaryDecision {
  if (!isActive(state)) return { action: 'wait' };
  const elapsedMs = now.getTime() - state.stepStartedAt.getTime();
  const recorded = flattenFigures(figures, { step_elapsed_s: Math.max(0, elapsedMs) / 1000 });

  if (figures.alerts.critical.length > 0) {
    return { action: 'rollback', reason: `critical alert firing: ${figures.alerts.critical.join(', ')}`, figures: recorded, next: { ...state, phase: 'rolled_back' } };
  }

  const gates = evaluateGates(state.policy, figures);
  const failures = failed(gates);
  if (failures.length > 0) {
    return { action: 'rollback', reason: `gate failed: ${failures.map((f) => f.reason).join('; ')}`, figures: recorded, next: { ...state, phase: 'rolled_back' } };
  }

  if (figures.alerts.warning.length > 0) {
    if (state.phase === 'paused') return { action: 'wait' };
    return { action: 'pause', reason: `warning alert firing: ${figures.alerts.warning.join(', ')}`, figures: recorded, next: { ...state, phase: 'paused' } };
  }
  if (state.phase === 'paused') {
    // The step's clock restarts: time spent paused proved nothing about the candidate.
    return { action: 'resume', reason: 'warning alerts resolved', figures: recorded, next: { ...state, phase: 'progressing', stepStartedAt: now } };
  }

  if (elapsedMs < state.policy.stepDurationMs) return { action: 'wait' };

  const lacking = gates.filter((g): g is Extract<GateVerdict, { verdict: 'insufficient' }> => g.verdict === 'insufficient' && g.gate !== 'accuracy');
  if (state.policy.minSamples > figures.candidate.samples && !lacking.some((g) => g.reason.includes('candidate predictions'))) {
    lacking.push({ gate: 'error_rate', verdict: 'insufficient', reason: `${figures.candidate.samples}/${state.policy.minSamples} candidate predictions` });
  }
  if (lacking.length > 0) {
    return { action: 'hold', reason: `waiting for data: ${[...new Set(lacking.map((g) => g.reason))].join('; ')}`, figures: recorded, next: state };
  }

  const passed = gates.filter((g) => g.verdict === 'pass').map((g) => g.gate);
  const judged = passed.length > 0 ? `gates passed: ${passed.join(', ')}` : 'no gates configured';
  const last = state.step >= state.policy.steps.length - 1;
  if (last) {
    return { action: 'promote', reason: `last step (${state.policy.steps[state.step]}%) passed; ${judged}`, figures: recorded, next: { ...state, phase: 'promoted' } };
  }
  const step = state.step + 1;
  return {
    action: 'advance',
    reason: `step ${state.step + 1} (${state.policy.steps[state.step]}%) passed; ${judged}; candidate to ${state.policy.steps[step]}%`,
    figures: recorded,
    next: { ...state, step, stepStartedAt: now },
  };
}

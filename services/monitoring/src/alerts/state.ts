/**
 * The firing / resolved state machine of alerts, deduplicated per key (model, version, rule,
 * subject). An evaluation at the same severity as the firing alert emits nothing; a change of
 * severity resolves the old alert and fires one at the new severity; a value back under every
 * threshold resolves it. A new severity must hold for `forEvaluations` consecutive evaluations.
 */
import { severityOf, type AlertRule, type Severity } from './rules.js';

export interface AlertKey {
  readonly model: string;
  readonly version: bigint;
  readonly rule: string;
  /** The column or metric the alert is about; '' for version-wide rules. */
  readonly subject: string;
}

export const keyString = (k: AlertKey): string => `${k.model}\u0000${k.version}\u0000${k.rule}\u0000${k.subject}`;

export interface FiringAlert {
  readonly alertId: string;
  readonly key: AlertKey;
  readonly severity: Severity;
  readonly firedAt: Date;
  readonly figures: Readonly<Record<string, number>>;
  readonly summary: string;
}

export type AlertTransition =
  | { readonly kind: 'fired'; readonly alert: FiringAlert }
  | { readonly kind: 'resolved'; readonly alert: FiringAlert; readonly at: Date; readonly figures: Readonly<Record<string, number>> };

export interface Observation {
  readonly key: AlertKey;
  readonly value: number;
  /** Figures that go with the alert, e.g. { psi: 0.31, threshold: 0.25, current_count: 5000 }. */
  readonly figures: Readonly<Record<string, number>>;
  readonly describe: (severity: Severity) => string;
}

interface KeyState {
  firing?: FiringAlert;
  pending?: { severity: Severity | undefined; count: number };
}

export class AlertTracker {
  private readonly states = new Map<string, KeyState>();

  constructor(private readonly newId: () => string) {}

  /** Restores alerts that were firing before a restart, so they are not fired twice. */
  restore(alerts: Iterable<FiringAlert>): void {
    for (const a of alerts) this.states.set(keyString(a.key), { firing: a });
  }

  firing(): FiringAlert[] {
    return [...this.states.values()].flatMap((s) => (s.firing ? [s.firing] : []));
  }

  observe(rule: AlertRule, obs: Observation, now: Date): AlertTransition[] {
    const k = keyString(obs.key);
    const state = this.states.get(k) ?? {};
    const target = severityOf(rule, obs.value);
    const current = state.firing?.severity;
    if (target === current) {
      state.pending = undefined;
      this.states.set(k, state);
      return [];
    }
    const count = state.pending && state.pending.severity === target ? state.pending.count + 1 : 1;
    // Resolution is immediate; a new or changed severity waits for `forEvaluations` breaches.
    if (target !== undefined && count < rule.forEvaluations) {
      state.pending = { severity: target, count };
      this.states.set(k, state);
      return [];
    }
    const out: AlertTransition[] = [];
    const figures = { ...obs.figures, value: obs.value, ...(target ? { threshold: rule.thresholds[target]! } : {}) };
    if (state.firing) out.push({ kind: 'resolved', alert: state.firing, at: now, figures });
    if (target) {
      const alert: FiringAlert = { alertId: this.newId(), key: obs.key, severity: target, firedAt: now, figures, summary: obs.describe(target) };
      out.push({ kind: 'fired', alert });
      this.states.set(k, { firing: alert });
    } else {
      this.states.delete(k);
    }
    return out;
  }

  /** Keys observed in an evaluation round that were not seen are resolved (the signal disappeared). */
  resolveMissing(seen: ReadonlySet<string>, scope: (key: AlertKey) => boolean, now: Date): AlertTransition[] {
    const out: AlertTransition[] = [];
    for (const [k, s] of this.states) {
      if (!s.firing || seen.has(k) || !scope(s.firing.key)) continue;
      out.push({ kind: 'resolved', alert: s.firing, at: now, figures: s.firing.figures });
      this.states.delete(k);
    }
    return out;
  }
}

import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, severityOf, type AlertRule } from './rules.js';
import { AlertTracker, type Observation } from './state.js';

const psiRule = DEFAULT_RULES.find((r) => r.name === 'column_psi')!;
const obs = (value: number): Observation => ({
  key: { model: 'churn', version: 3n, rule: 'column_psi', subject: 'age' },
  value,
  figures: { psi: value },
  describe: (s) => `age drifted (${s})`,
});

describe('severityOf', () => {
  it('takes the highest threshold crossed, in the rule direction', () => {
    expect(severityOf(psiRule, 0.05)).toBeUndefined();
    expect(severityOf(psiRule, 0.1)).toBe('warning');
    expect(severityOf(psiRule, 0.3)).toBe('critical');
    const below: AlertRule = { ...psiRule, direction: 'below', thresholds: { warning: 0.8, critical: 0.6 } };
    expect(severityOf(below, 0.7)).toBe('warning');
    expect(severityOf(below, 0.5)).toBe('critical');
    expect(severityOf(psiRule, Number.NaN)).toBeUndefined();
  });
});

describe('AlertTracker', () => {
  it('warning, then critical, deduplicated, then resolved', () => {
    let n = 0;
    const t = new AlertTracker(() => `a${++n}`);
    const now = new Date('2025-01-01T00:00:00Z');
    expect(t.observe(psiRule, obs(0.02), now)).toEqual([]);
    const warn = t.observe(psiRule, obs(0.15), now);
    expect(warn.map((x) => [x.kind, x.alert.severity, x.alert.alertId])).toEqual([['fired', 'warning', 'a1']]);
    expect(warn[0]!.alert.figures).toMatchObject({ psi: 0.15, threshold: 0.1, value: 0.15 });
    expect(t.observe(psiRule, obs(0.18), now)).toEqual([]); // same severity: deduplicated
    const crit = t.observe(psiRule, obs(0.4), now);
    expect(crit.map((x) => [x.kind, x.alert.severity, x.alert.alertId])).toEqual([
      ['resolved', 'warning', 'a1'],
      ['fired', 'critical', 'a2'],
    ]);
    const back = t.observe(psiRule, obs(0.01), now);
    expect(back.map((x) => [x.kind, x.alert.alertId])).toEqual([['resolved', 'a2']]);
    expect(t.firing()).toEqual([]);
  });

  it('waits forEvaluations breaches before firing', () => {
    const t = new AlertTracker(() => 'id');
    const rule = { ...psiRule, forEvaluations: 2 };
    expect(t.observe(rule, obs(0.2), new Date())).toEqual([]);
    expect(t.observe(rule, obs(0.2), new Date()).map((x) => x.kind)).toEqual(['fired']);
  });

  it('restored firing alerts are not fired again after a restart', () => {
    const t = new AlertTracker(() => 'new');
    t.restore([{ alertId: 'old', key: obs(0).key, severity: 'warning', firedAt: new Date(), figures: {}, summary: '' }]);
    expect(t.observe(psiRule, obs(0.2), new Date())).toEqual([]);
    expect(t.observe(psiRule, obs(0), new Date()).map((x) => [x.kind, x.alert.alertId])).toEqual([['resolved', 'old']]);
  });
});

import { parseEnv } from '@mlops/config';
import { describe, expect, it } from 'vitest';
import { monitoringConfigShape } from '../spec.js';
import { parseAlertRuleConfig } from './rule-config.js';
import { DEFAULT_RULES } from './rules.js';

const rulesOf = (json: string | undefined) => {
  const parsed = parseAlertRuleConfig(json);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};
const rule = (rules: ReturnType<ReturnType<typeof rulesOf>>, name: string) => rules.find((r) => r.name === name);

describe('per-model alert rules', () => {
  it('are the defaults for every model when nothing is configured', () => {
    expect(rulesOf(undefined)('churn')).toBe(DEFAULT_RULES);
    expect(rulesOf('  ')('churn')).toBe(DEFAULT_RULES);
  });

  it('apply the overrides for every model, then the model own ones, and can turn a rule off', () => {
    const of = rulesOf(
      JSON.stringify({
        '*': { latency_p99: { thresholds: { warning: 300, critical: 1000 } }, error_rate: { minCount: 50 } },
        fraud: { latency_p99: { thresholds: { critical: 50 } }, dataset_drift: false },
      }),
    );
    expect(rule(of('churn'), 'latency_p99')).toMatchObject({ thresholds: { warning: 300, critical: 1000 }, minCount: 20 });
    expect(rule(of('churn'), 'error_rate')).toMatchObject({ thresholds: { warning: 0.01, critical: 0.05 }, minCount: 50 });
    // The model's thresholds replace the shared ones as a whole; what it does not name is shared.
    expect(rule(of('fraud'), 'latency_p99')?.thresholds).toEqual({ critical: 50 });
    expect(rule(of('fraud'), 'error_rate')?.minCount).toBe(50);
    expect(rule(of('fraud'), 'dataset_drift')).toBeUndefined();
    expect(rule(of('churn'), 'dataset_drift')).toBeDefined();
    expect(of('fraud')).toHaveLength(DEFAULT_RULES.length - 1);
  });

  it('refuse what they cannot mean, naming where', () => {
    const error = (json: string) => {
      const parsed = parseAlertRuleConfig(json);
      return parsed.ok ? 'accepted' : parsed.error;
    };
    expect(error('{')).toMatch(/^JSON \(/);
    expect(error('{"churn": {"latency": false}}')).toMatch(/^churn\.latency: expected a rule name \(column_psi, .*latency_p99/);
    expect(error('{"churn": {"latency_p99": {"thresholds": {"fatal": 3}}}}')).toMatch(/^churn\.latency_p99\.thresholds/);
    expect(error('{"churn": {"latency_p99": {"minCount": 0}}}')).toMatch(/^churn\.latency_p99\.minCount/);
    expect(error('{"churn": {"latency_p99": {"thresholds": {}}}}')).toMatch(/expected at least one of info, warning, critical/);
    expect(error('{"no good": {}}')).toMatch(/expected "\*" or a model name/);
  });

  it('stop the service at start with the path of what is wrong', () => {
    const parsed = parseEnv(monitoringConfigShape, { MONITORING_ALERT_RULES: '{"churn": {"latency": false}}' });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.message).toMatch(/MONITORING_ALERT_RULES: expected JSON of per-model rule overrides .*\(churn\.latency: expected a rule name \(column_psi/);
    expect(parseEnv(monitoringConfigShape, { MONITORING_ALERT_RULES: '{"churn": {"dataset_drift": false}}' }).ok).toBe(true);
  });
});

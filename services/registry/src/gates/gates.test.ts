import { create } from '@bufbuild/protobuf';
import { ComparisonOperator, GateSchema } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { describe, expect, it } from 'vitest';
import { compileGate, describeFailedGate, evaluateGate, formatCondition, parseCondition, type GateCondition, type MetricSource } from './index.js';

function parsed(text: string): GateCondition {
  const result = parseCondition(text);
  if (!result.ok) throw new Error(`did not parse: ${JSON.stringify(result.error)}`);
  return result.value;
}

describe('parseCondition', () => {
  it('parses thresholds and alias comparisons', () => {
    expect(parsed('auc >= 0.9')).toEqual({ metric: 'auc', op: '>=', bound: { kind: 'threshold', value: 0.9 } });
    expect(parsed('latency_ms<25')).toEqual({ metric: 'latency_ms', op: '<', bound: { kind: 'threshold', value: 25 } });
    expect(parsed('loss <= -1e-3')).toEqual({ metric: 'loss', op: '<=', bound: { kind: 'threshold', value: -0.001 } });
    expect(parsed('auc >= production.auc - 0.005')).toEqual({
      metric: 'auc',
      op: '>=',
      bound: { kind: 'alias', alias: 'production', metric: 'auc', offset: -0.005 },
    });
    expect(parsed('  f1 > champion.f1 + .01 ')).toEqual({
      metric: 'f1',
      op: '>',
      bound: { kind: 'alias', alias: 'champion', metric: 'f1', offset: 0.01 },
    });
    expect(parsed('auc >= staging.auc')).toMatchObject({ bound: { kind: 'alias', alias: 'staging', offset: 0 } });
  });

  it('round-trips through its canonical text', () => {
    for (const text of ['auc >= 0.9', 'auc >= production.auc - 0.005', 'f1 > champion.f1 + 0.01', 'rmse < 3']) {
      expect(formatCondition(parsed(text))).toBe(text);
    }
  });

  it.each([
    ['', 'must start with a metric name'],
    ['auc 0.9', 'a comparison'],
    ['auc == 0.9', 'unexpected character "="'],
    ['auc >=', 'must follow the comparison'],
    ['auc >= 0.9 0.1', 'nothing may follow the threshold'],
    ['auc >= production', 'a number or "<alias>.<metric>"'],
    ['auc >= production.auc * 2', 'unexpected character "*"'],
    ['auc >= production.auc - x', 'only "+ <number>" or "- <number>"'],
  ])('refuses %j naming the field and what was expected', (text, why) => {
    const result = parseCondition(text, 'gate.expressions[0]');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'invalid_argument', field: 'gate.expressions[0]', received: text });
    expect(result.error.kind === 'invalid_argument' && result.error.expected).toContain(why);
  });
});

describe('compileGate', () => {
  it('merges structured conditions and expressions', () => {
    const gate = create(GateSchema, {
      conditions: [
        { metric: 'auc', op: ComparisonOperator.GE, bound: { case: 'threshold', value: 0.9 } },
        { metric: 'auc', op: ComparisonOperator.GE, bound: { case: 'alias', value: { alias: 'production', offset: -0.005 } } },
      ],
      expressions: ['rmse < 3'],
    });
    const compiled = compileGate(gate);
    expect(compiled.ok && compiled.value.map(formatCondition)).toEqual(['auc >= 0.9', 'auc >= production.auc - 0.005', 'rmse < 3']);
  });

  it('names the bad field', () => {
    const noOp = compileGate(create(GateSchema, { conditions: [{ metric: 'auc', bound: { case: 'threshold', value: 1 } }] }));
    expect(noOp).toMatchObject({ ok: false, error: { field: 'gate.conditions[0].op' } });
    const noBound = compileGate(create(GateSchema, { conditions: [{ metric: 'auc', op: ComparisonOperator.GT }] }));
    expect(noBound).toMatchObject({ ok: false, error: { field: 'gate.conditions[0]' } });
    const reserved = compileGate(create(GateSchema, { expressions: ['auc >= 0.5', 'auc >= latest.auc'] }));
    expect(reserved).toMatchObject({ ok: false, error: { field: 'gate.expressions[1]' } });
  });
});

describe('evaluateGate', () => {
  const candidate: MetricSource = { version: 4, metrics: { auc: 0.85, rmse: 2 } };
  const production: MetricSource = { version: 3, metrics: { auc: 0.88 } };
  const holders = (alias: string) => (alias === 'production' ? production : undefined);

  it('passes when every condition holds', () => {
    const verdict = evaluateGate([parsed('auc >= 0.8'), parsed('auc >= production.auc - 0.05'), parsed('rmse < 3')], candidate, holders);
    expect(verdict.passed).toBe(true);
    expect(verdict.outcomes.map((o) => o.kind)).toEqual(['passed', 'passed', 'passed']);
  });

  it('reports every failed condition with actual and required values', () => {
    const verdict = evaluateGate(
      [parsed('auc >= 0.9'), parsed('rmse < 3'), parsed('auc >= production.auc - 0.005'), parsed('auc >= staging.auc'), parsed('f1 > 0.5')],
      candidate,
      holders,
    );
    expect(verdict.passed).toBe(false);
    expect(verdict.outcomes).toEqual([
      { kind: 'failed', condition: 'auc >= 0.9', actual: 0.85, required: 0.9, explanation: 'auc is 0.85, required >= 0.9, off by 0.05' },
      { kind: 'passed', condition: 'rmse < 3', actual: 2, required: 3 },
      {
        kind: 'failed',
        condition: 'auc >= production.auc - 0.005',
        actual: 0.85,
        required: 0.875,
        explanation: 'auc is 0.85, required >= 0.875, off by 0.025 (production is version 3 with auc 0.88)',
      },
      { kind: 'unevaluable', condition: 'auc >= staging.auc', explanation: 'alias "staging" is not set, so there is nothing to compare with' },
      { kind: 'unevaluable', condition: 'f1 > 0.5', explanation: 'version 4 has no metric "f1"' },
    ]);
    const message = describeFailedGate(verdict);
    expect(message).toContain('[auc >= 0.9] auc is 0.85, required >= 0.9');
    expect(message).toContain('[auc >= production.auc - 0.005] auc is 0.85, required >= 0.875');
    expect(message).not.toContain('rmse');
  });

  it('an empty gate passes', () => {
    expect(evaluateGate([], candidate, holders).passed).toBe(true);
  });
});

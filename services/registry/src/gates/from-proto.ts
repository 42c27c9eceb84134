import { ComparisonOperator, type Gate, type GateCondition as GateConditionMessage } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { validateAlias } from '../domain/names.js';
import { invalidArgument, ok, fail, type Result } from '../domain/result.js';
import { parseCondition } from './parse.js';
import type { Comparison, GateCondition } from './types.js';

const OPERATORS: Partial<Record<ComparisonOperator, Comparison>> = {
  [ComparisonOperator.GE]: '>=',
  [ComparisonOperator.GT]: '>',
  [ComparisonOperator.LE]: '<=',
  [ComparisonOperator.LT]: '<',
};

const MAX_CONDITIONS = 64;

/** The structured conditions and the textual expressions of a gate, as one list of conditions. */
export function compileGate(gate: Gate | undefined, field = 'gate'): Result<GateCondition[]> {
  if (gate === undefined) return ok([]);
  if (gate.conditions.length + gate.expressions.length > MAX_CONDITIONS) {
    return fail(invalidArgument(field, `at most ${MAX_CONDITIONS} conditions`));
  }
  const conditions: GateCondition[] = [];
  for (const [i, message] of gate.conditions.entries()) {
    const condition = fromMessage(message, `${field}.conditions[${i}]`);
    if (!condition.ok) return condition;
    conditions.push(condition.value);
  }
  for (const [i, text] of gate.expressions.entries()) {
    const itemField = `${field}.expressions[${i}]`;
    const condition = parseCondition(text, itemField);
    if (!condition.ok) return condition;
    const checked = checkAlias(condition.value, itemField);
    if (!checked.ok) return checked;
    conditions.push(condition.value);
  }
  return ok(conditions);
}

function fromMessage(message: GateConditionMessage, field: string): Result<GateCondition> {
  if (message.metric === '' || message.metric.length > 256) {
    return fail(invalidArgument(`${field}.metric`, 'a metric name of 1-256 characters', message.metric));
  }
  const op = OPERATORS[message.op];
  if (op === undefined) return fail(invalidArgument(`${field}.op`, 'one of GE, GT, LE, LT', ComparisonOperator[message.op] ?? message.op));
  const { bound } = message;
  switch (bound.case) {
    case 'threshold':
      if (!Number.isFinite(bound.value)) return fail(invalidArgument(`${field}.threshold`, 'a finite number', String(bound.value)));
      return ok({ metric: message.metric, op, bound: { kind: 'threshold', value: bound.value } });
    case 'alias': {
      const alias = validateAlias(bound.value.alias, `${field}.alias.alias`);
      if (!alias.ok) return alias;
      if (!Number.isFinite(bound.value.offset)) {
        return fail(invalidArgument(`${field}.alias.offset`, 'a finite number', String(bound.value.offset)));
      }
      // The structured form compares a metric with the same metric of the alias holder.
      return ok({ metric: message.metric, op, bound: { kind: 'alias', alias: alias.value, metric: message.metric, offset: bound.value.offset } });
    }
    case undefined:
      return fail(invalidArgument(field, 'a threshold or an alias bound'));
  }
}

function checkAlias(condition: GateCondition, field: string): Result<GateCondition> {
  if (condition.bound.kind !== 'alias') return ok(condition);
  const alias = validateAlias(condition.bound.alias, field);
  return alias.ok ? ok(condition) : alias;
}

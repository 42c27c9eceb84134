import type { Comparison, GateCondition } from './types.js';

/** Numbers as a person writes them: 0.875, not 0.8750000000000001. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(12)));
}

/** The canonical text of a condition, e.g. `auc >= production.auc - 0.005`. */
export function formatCondition(condition: GateCondition): string {
  const { bound } = condition;
  if (bound.kind === 'threshold') return `${condition.metric} ${condition.op} ${formatNumber(bound.value)}`;
  const base = `${bound.alias}.${bound.metric}`;
  if (bound.offset === 0) return `${condition.metric} ${condition.op} ${base}`;
  const sign = bound.offset < 0 ? '-' : '+';
  return `${condition.metric} ${condition.op} ${base} ${sign} ${formatNumber(Math.abs(bound.offset))}`;
}

export function compare(actual: number, op: Comparison, required: number): boolean {
  switch (op) {
    case '>=':
      return actual >= required;
    case '>':
      return actual > required;
    case '<=':
      return actual <= required;
    case '<':
      return actual < required;
  }
}

export { compileGate } from './from-proto.js';
export { describeFailedGate, evaluateGate } from './evaluate.js';
export { formatCondition, formatNumber } from './format.js';
export { parseCondition } from './parse.js';
export type { Comparison, ConditionOutcome, GateBound, GateCondition, GateVerdict, MetricSource } from './types.js';

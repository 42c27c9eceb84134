import { invalidArgument, ok, fail, type Result } from '../domain/result.js';
import type { Comparison, GateBound, GateCondition } from './types.js';

/*
 * The textual gate form:
 *
 *   condition := metric op bound
 *   bound     := number | alias "." metric [("+" | "-") number]
 *   op        := ">=" | ">" | "<=" | "<"
 *
 * e.g. `auc >= 0.9`, `latency_p99_ms < 25`, `auc >= production.auc - 0.005`.
 * Metric names in expressions are identifiers (letters, digits, `_`, `/`); a metric whose name
 * needs other characters can still be gated with the structured GateCondition form.
 */

type Token =
  | { kind: 'ident'; text: string }
  | { kind: 'number'; value: number; text: string }
  | { kind: 'op'; op: Comparison }
  | { kind: 'dot' }
  | { kind: 'sign'; sign: '+' | '-' };

// One token per alternative; the order matters only in that `>=` must win over `>`.
const TOKEN =
  /\s*(?:(?<ident>[A-Za-z_][A-Za-z0-9_/]*)|(?<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?<op>>=|<=|>|<)|(?<dot>\.)|(?<sign>[+-]))/y;

const EXPECTED = 'a condition like "auc >= 0.9" or "auc >= production.auc - 0.005"';

function tokenize(text: string): Result<Token[], string> {
  const tokens: Token[] = [];
  const source = text.trimEnd();
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    const at = TOKEN.lastIndex;
    const groups = TOKEN.exec(source)?.groups;
    if (groups === undefined) return fail(`unexpected character ${JSON.stringify(source.slice(at).trimStart()[0])}`);
    if (groups['ident'] !== undefined) tokens.push({ kind: 'ident', text: groups['ident'] });
    else if (groups['number'] !== undefined) tokens.push({ kind: 'number', value: Number(groups['number']), text: groups['number'] });
    else if (groups['op'] !== undefined) tokens.push({ kind: 'op', op: groups['op'] as Comparison });
    else if (groups['dot'] !== undefined) tokens.push({ kind: 'dot' });
    else tokens.push({ kind: 'sign', sign: groups['sign'] === '-' ? '-' : '+' });
  }
  return ok(tokens);
}

/** Parses one textual condition; the error names `field` and says what was expected. */
export function parseCondition(text: string, field = 'gate.expressions'): Result<GateCondition> {
  const tokens = tokenize(text);
  if (!tokens.ok) return fail(invalidArgument(field, `${EXPECTED} (${tokens.error})`, text));
  const parsed = parseTokens(tokens.value);
  if (!parsed.ok) return fail(invalidArgument(field, `${EXPECTED} (${parsed.error})`, text));
  return parsed;
}

function parseTokens(tokens: readonly Token[]): Result<GateCondition, string> {
  let i = 0;
  const next = (): Token | undefined => tokens[i++];

  const metric = next();
  if (metric?.kind !== 'ident') return fail('it must start with a metric name');
  const op = next();
  if (op?.kind !== 'op') return fail(`a comparison (>=, >, <=, <) must follow "${metric.text}"`);

  const bound = parseBound(tokens.slice(i));
  if (!bound.ok) return bound;
  return ok({ metric: metric.text, op: op.op, bound: bound.value });
}

function parseBound(tokens: readonly Token[]): Result<GateBound, string> {
  const [first, second, third, fourth, fifth, ...extra] = tokens;
  if (first === undefined) return fail('a number or "<alias>.<metric>" must follow the comparison');

  // A signed or unsigned threshold: `0.9`, `-1.5`, `+3`.
  if (first.kind === 'number' || (first.kind === 'sign' && second?.kind === 'number')) {
    const used = first.kind === 'number' ? 1 : 2;
    if (tokens.length > used) return fail('nothing may follow the threshold');
    const value = first.kind === 'number' ? first.value : (second as { value: number }).value * (first.sign === '-' ? -1 : 1);
    return ok({ kind: 'threshold', value });
  }

  if (first.kind !== 'ident' || second?.kind !== 'dot' || third?.kind !== 'ident') {
    return fail('the bound must be a number or "<alias>.<metric>"');
  }
  const alias = first.text;
  const metric = third.text;
  if (fourth === undefined) return ok({ kind: 'alias', alias, metric, offset: 0 });
  if (fourth.kind !== 'sign' || fifth?.kind !== 'number' || extra.length > 0) {
    return fail(`only "+ <number>" or "- <number>" may follow "${alias}.${metric}"`);
  }
  return ok({ kind: 'alias', alias, metric, offset: fourth.sign === '-' ? -fifth.value : fifth.value });
}

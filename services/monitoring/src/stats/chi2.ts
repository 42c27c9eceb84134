/**
 * Pearson's chi-squared test of independence on a contingency table, as
 * scipy.stats.chi2_contingency(observed) with its defaults: Yates' continuity correction only
 * when there is one degree of freedom (a 2x2 table), lambda_ = None (Pearson).
 */
import { chi2Sf } from './special.js';

export interface Chi2Result {
  readonly statistic: number;
  readonly pValue: number;
  readonly dof: number;
}

export type Chi2Error = { readonly kind: 'empty-table' } | { readonly kind: 'zero-expected'; readonly row: number; readonly column: number };

export type Chi2Outcome = { ok: true; value: Chi2Result } | { ok: false; error: Chi2Error };

/** `observed[r][c]`: counts, every row the same length. */
export function chi2Contingency(observed: readonly (readonly number[])[], correction = true): Chi2Outcome {
  const rows = observed.length;
  const cols = observed[0]?.length ?? 0;
  if (rows === 0 || cols === 0) return { ok: false, error: { kind: 'empty-table' } };
  const rowSums = observed.map((r) => r.reduce((s, x) => s + x, 0));
  const colSums = Array.from({ length: cols }, (_, c) => observed.reduce((s, r) => s + r[c]!, 0));
  const total = rowSums.reduce((s, x) => s + x, 0);
  const expected = (r: number, c: number): number => (rowSums[r]! * colSums[c]!) / total;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (!(expected(r, c) > 0)) return { ok: false, error: { kind: 'zero-expected', row: r, column: c } };
    }
  }
  const dof = rows * cols - rows - cols + 1;
  if (dof === 0) return { ok: true, value: { statistic: 0, pValue: 1, dof } };
  let statistic = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const e = expected(r, c);
      let o = observed[r]![c]!;
      if (dof === 1 && correction) {
        const diff = e - o;
        o += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
      }
      statistic += ((o - e) * (o - e)) / e;
    }
  }
  return { ok: true, value: { statistic, pValue: chi2Sf(statistic, dof), dof } };
}

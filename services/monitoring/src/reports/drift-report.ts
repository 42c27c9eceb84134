/** Drift of every column a reference and a window share. */
import { compareColumn, type ColumnDrift, type CompareOptions } from '../drift/compare.js';
import type { Reference } from '../drift/reference.js';
import type { PaneSummary } from '../windows/pane.js';

export interface DriftReport {
  readonly columns: ColumnDrift[];
  readonly driftedShare: number;
  readonly predictions: number;
  /** Columns not compared, with the reason. */
  readonly skipped: Record<string, string>;
}

export function driftReport(reference: Reference, window: PaneSummary, options: CompareOptions = {}): DriftReport {
  const columns: ColumnDrift[] = [];
  const skipped: Record<string, string> = {};
  for (const [name, refColumn] of reference.columns) {
    const current = window.features.get(name);
    if (!current) {
      skipped[name] = 'no values in the window';
      continue;
    }
    if (window.unmergeable.has(name)) {
      skipped[name] = 'summaries in the range could not be merged (type or binning changed)';
      continue;
    }
    const r = compareColumn(name, refColumn, current, options);
    if (r.ok) columns.push(r.value);
    else skipped[name] = r.error.kind === 'no-data' ? `no data (${r.error.side})` : r.error.kind === 'kind-mismatch' ? `reference is ${r.error.reference}, traffic is ${r.error.current}` : `${r.error.test} does not apply to ${r.error.columnKind} columns`;
  }
  for (const name of window.features.keys()) if (!reference.columns.has(name)) skipped[name] = 'not in the reference';
  columns.sort((a, b) => a.column.localeCompare(b.column));
  const drifted = columns.filter((c) => c.drifted).length;
  return { columns, driftedShare: columns.length > 0 ? drifted / columns.length : 0, predictions: window.predictions, skipped };
}

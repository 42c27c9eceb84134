/**
 * The reference a model version's traffic is compared with: per column, a summary of the
 * reference data, and for numeric columns the reference deciles that bound the 10 PSI bins.
 */
import type { FeatureSummary } from '../windows/pane.js';

export type ReferenceSource =
  | { readonly kind: 'registry' }
  | { readonly kind: 'window'; readonly startMs: number; readonly endMs: number }
  | { readonly kind: 'dataset'; readonly name: string };

export interface ReferenceColumn {
  readonly summary: FeatureSummary;
  /** Numeric columns: the reference deciles (numpy 'linear' quantiles at 0.1 … 0.9, deduplicated). */
  readonly psiEdges?: readonly number[];
}

export interface Reference {
  readonly source: ReferenceSource;
  readonly rows: number;
  readonly columns: ReadonlyMap<string, ReferenceColumn>;
}

export const PSI_BINS = 10;
export const DECILE_PROBS: readonly number[] = Array.from({ length: PSI_BINS - 1 }, (_, i) => (i + 1) / PSI_BINS);

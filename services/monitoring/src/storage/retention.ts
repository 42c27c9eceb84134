import type { RetentionRule } from '@mlops/db';

/** Labels may arrive months after their prediction; half a year of raw predictions waits for them. */
export const DEFAULT_PREDICTION_RETENTION_MS = 180 * 24 * 3_600_000;

/**
 * What monitoring deletes by age: raw predictions (kept for joining late labels) and labels.
 * Panes, the per-minute summaries drift and health reports read, are small and kept, as are
 * references, versions and alerts.
 */
export const predictionRetentionRules = (keepMs: number): RetentionRule[] => [
  { table: 'predictions', timeColumn: 'served_at', keepMs },
  { table: 'labels', timeColumn: 'received_at', keepMs },
];

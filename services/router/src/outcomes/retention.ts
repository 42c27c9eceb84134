import type { RetentionRule } from '@mlops/db';

/**
 * What the router deletes by age: per-prediction outcomes and divergences (canary windows and
 * experiment reports read recent ones) and the labels joined to them. Deployments, canaries and
 * their decisions are the record of what happened and are kept.
 */
export const outcomeRetentionRules = (keepMs: number): RetentionRule[] => [
  { table: 'outcomes', timeColumn: 'served_at', keepMs },
  { table: 'divergences', timeColumn: 'at', keepMs },
  { table: 'labels', timeColumn: 'received_at', keepMs },
];

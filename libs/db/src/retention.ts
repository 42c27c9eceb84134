/**
 * Retention of per-event tables (one row per prediction, outcome or label): rows older than a
 * rule's age are deleted in bounded batches, each its own short statement, so pruning a backlog
 * never holds long locks or one huge transaction, and replicas pruning at the same time only
 * split the work (a row deleted by one is skipped by the other).
 */
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { startPeriodicRounds, type PeriodicRounds } from './periodic-rounds.js';
import { logRoundFailure } from './unavailable.js';

export interface RetentionRule {
  /** A table of the service's schema (the search_path). */
  readonly table: string;
  /** Its timestamptz column the age is measured on (indexed, or the delete scans). */
  readonly timeColumn: string;
  /** Rows with `timeColumn` older than this are deleted. */
  readonly keepMs: number;
}

/** Rows one delete statement removes at most. */
export const PRUNE_BATCH_ROWS = 5_000;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

function checkRule(rule: RetentionRule): void {
  if (!IDENTIFIER.test(rule.table)) throw new TypeError(`table: expected a lower-case SQL identifier, got ${JSON.stringify(rule.table)}`);
  if (!IDENTIFIER.test(rule.timeColumn)) throw new TypeError(`timeColumn: expected a lower-case SQL identifier, got ${JSON.stringify(rule.timeColumn)}`);
  if (!(Number.isFinite(rule.keepMs) && rule.keepMs > 0)) throw new RangeError(`keepMs: expected a positive number of milliseconds, got ${rule.keepMs}`);
}

/** Deletes the rows of `rule.table` older than `now - rule.keepMs`, batch by batch; returns how many. */
export async function pruneOlderThan(db: Kysely<unknown>, rule: RetentionRule, now: Date, batchRows = PRUNE_BATCH_ROWS): Promise<number> {
  checkRule(rule);
  const cutoff = new Date(now.getTime() - rule.keepMs);
  const table = sql.table(rule.table);
  const column = sql.ref(rule.timeColumn);
  let total = 0;
  for (;;) {
    // The count comes back as a row: not every driver reports affected rows (PGlite does not).
    const result = await sql<{ n: number }>`
      with gone as (delete from ${table} where ctid in (select ctid from ${table} where ${column} < ${cutoff} limit ${batchRows}) returning 1)
      select count(*)::int as n from gone`.execute(db);
    const deleted = result.rows[0]?.n ?? 0;
    total += deleted;
    if (deleted < batchRows) return total;
  }
}

export interface RetentionOptions {
  readonly db: Kysely<unknown>;
  readonly rules: readonly RetentionRule[];
  /** Time between rounds (default an hour); the first runs a minute after start, or after one interval if shorter. */
  readonly intervalMs?: number;
  readonly logger?: Logger;
  /** When given, `mlops_retention_rows_deleted_total{table}` is registered on it. */
  readonly metrics?: Registry;
  readonly clock?: () => Date;
}

/** `runNow` runs one round over every rule (what the timer runs) and returns the rows deleted per table. */
export type Retention = PeriodicRounds<Record<string, number>>;

const FIRST_ROUND_AFTER_MS = 60_000;
const DEFAULT_INTERVAL_MS = 3_600_000;

/** Prunes every rule every `intervalMs` (the first time a minute after start); a failed round is logged and the next one tries again. */
export function startRetention(opts: RetentionOptions): Retention {
  opts.rules.forEach(checkRule);
  const clock = opts.clock ?? (() => new Date());
  const intervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
  const deletedRows = opts.metrics
    ? new Counter({ name: 'mlops_retention_rows_deleted_total', help: 'Rows deleted for being older than their retention, by table', labelNames: ['table'] as const, registers: [opts.metrics] })
    : undefined;
  // Every table's series exists from the start, so a dashboard shows 0 rather than no data.
  for (const rule of opts.rules) deletedRows?.inc({ table: rule.table }, 0);
  const round = async (): Promise<Record<string, number>> => {
    const deleted: Record<string, number> = {};
    for (const rule of opts.rules) {
      const rows = await pruneOlderThan(opts.db, rule, clock());
      deleted[rule.table] = rows;
      deletedRows?.inc({ table: rule.table }, rows);
    }
    if (Object.values(deleted).some((n) => n > 0)) opts.logger?.info({ deleted }, 'retention: old rows deleted');
    return deleted;
  };
  // The first round soon after start (a service that restarts often still prunes), then every interval.
  return startPeriodicRounds({
    round,
    intervalMs,
    firstAfterMs: Math.min(intervalMs, FIRST_ROUND_AFTER_MS),
    onError: logRoundFailure(opts.logger, 'retention round failed; the next one retries'),
  });
}

/**
 * Folds pane parts into their panes. Ingestion appends a part per batch and pane (panes.ts);
 * readers merge parts with the folded row, so compaction changes no result, only how many rows a
 * window read merges. Each step deletes a bounded set of one pane's parts and merges them into the
 * pane's row in one transaction: a replica compacting the same pane at once blocks on those rows
 * and then finds them gone, so no part is folded twice, and a crash folds none.
 */
import { logRoundFailure, startPeriodicRounds, type PeriodicRounds } from '@mlops/db';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { PaneSummary, mergePanes, type PaneSummaryJson } from '../windows/pane.js';
import { binningIdsIn, type BinningCache } from './binnings.js';
import { mergePaneDeltas } from './panes.js';
import type { MonitoringTables } from './schema.js';

/** Parts folded in one transaction: bounds the memory of a step after a backlog. */
const PARTS_PER_STEP = 500;
/** Panes looked at per round; the rest wait for the next round. */
const PANES_PER_ROUND = 200;
const DEFAULT_INTERVAL_MS = 5_000;

export interface PaneCompactionOptions {
  readonly db: Kysely<MonitoringTables>;
  readonly binnings: BinningCache;
  readonly paneMs: number;
  readonly logger?: Logger;
  readonly metrics?: Registry;
  /** Time between rounds; default 5 s. Until a round folds them, window reads also merge the parts appended since the last one. */
  readonly intervalMs?: number;
}

/** `runNow` runs one round now and returns the parts it folded. */
export type PaneCompaction = PeriodicRounds<number>;

/** Folds up to PARTS_PER_STEP parts of one pane into its row; returns how many it folded. */
export async function foldPaneParts(db: Kysely<MonitoringTables>, binnings: BinningCache, paneMs: number, pane: { model: string; version: bigint; paneStart: Date }): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const parts = await tx
      .deleteFrom('pane_parts')
      .where(
        'id',
        'in',
        tx
          .selectFrom('pane_parts')
          .select('id')
          .where('model', '=', pane.model)
          .where('version', '=', pane.version.toString())
          .where('pane_start', '=', pane.paneStart)
          .orderBy('id')
          .limit(PARTS_PER_STEP),
      )
      .returning('summary')
      .execute();
    if (parts.length === 0) return 0;
    await binnings.ensure(parts.flatMap((p) => binningIdsIn(p.summary)));
    const summary = mergePanes(parts.map((p) => PaneSummary.fromJSON(p.summary as PaneSummaryJson, binnings.resolve)));
    await mergePaneDeltas(tx, binnings, paneMs, [{ model: pane.model, version: pane.version, paneStartMs: pane.paneStart.getTime(), summary }]);
    return parts.length;
  });
}

/** Folds the parts of up to PANES_PER_ROUND panes; returns the parts folded. */
export async function compactPaneParts(db: Kysely<MonitoringTables>, binnings: BinningCache, paneMs: number): Promise<number> {
  const panes = await db.selectFrom('pane_parts').select(['model', 'version', 'pane_start']).distinct().orderBy('pane_start').limit(PANES_PER_ROUND).execute();
  let folded = 0;
  for (const p of panes) {
    const pane = { model: p.model, version: BigInt(p.version), paneStart: p.pane_start };
    for (;;) {
      const n = await foldPaneParts(db, binnings, paneMs, pane);
      folded += n;
      if (n < PARTS_PER_STEP) break;
    }
  }
  return folded;
}

/** Runs compaction rounds on a timer, with a counter of folded parts and a gauge of the parts left. */
export function startPaneCompaction(opts: PaneCompactionOptions): PaneCompaction {
  const registers = opts.metrics ? [opts.metrics] : [];
  const compacted = new Counter({ name: 'mlops_monitoring_pane_parts_compacted_total', help: 'Pane parts folded into their panes', registers });
  const pending = new Gauge({ name: 'mlops_monitoring_pane_parts_pending', help: 'Pane parts not yet folded, after the last compaction round (growing: compaction is behind)', registers });
  return startPeriodicRounds({
    async round() {
      const folded = await compactPaneParts(opts.db, opts.binnings, opts.paneMs);
      compacted.inc(folded);
      const left = await opts.db.selectFrom('pane_parts').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      pending.set(Number(left.n));
      return folded;
    },
    intervalMs: opts.intervalMs ?? DEFAULT_INTERVAL_MS,
    onError: logRoundFailure(opts.logger, 'pane compaction round failed; parts stay readable and are folded by a later round'),
  });
}

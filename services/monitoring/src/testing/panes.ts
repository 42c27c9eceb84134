/** Loads pane summaries the way ingestion stores them, for benchmarks that need big windows fast. */
import type { Kysely } from 'kysely';
import { BinningCache } from '../storage/binnings.js';
import { mergePaneDeltas, type PaneDelta } from '../storage/panes.js';
import type { MonitoringTables } from '../storage/schema.js';

export type { PaneDelta } from '../storage/panes.js';

/** Merges `deltas` into the stored panes in one transaction, through the ingestion's own merge. */
export async function storePanes(db: Kysely<MonitoringTables>, paneMs: number, deltas: readonly PaneDelta[]): Promise<void> {
  const binnings = new BinningCache(db);
  await db.transaction().execute((tx) => mergePaneDeltas(tx, binnings, paneMs, deltas));
}

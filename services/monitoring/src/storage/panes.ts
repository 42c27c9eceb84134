/**
 * Pane storage. A flush merges its in-memory pane deltas into the stored panes under a row lock
 * (mergeable summaries: replicas splitting the stream add up), in the same transaction that
 * records the predictions, so an event is acknowledged only once its contribution is stored.
 */
import type { Kysely, Transaction } from 'kysely';
import { PaneSummary, mergePanes, type PaneSummaryJson } from '../windows/pane.js';
import type { TimeRange } from '../windows/time.js';
import { binningIdsIn, type BinningCache } from './binnings.js';
import type { MonitoringTables } from './schema.js';

export interface PaneDelta {
  readonly model: string;
  readonly version: bigint;
  readonly paneStartMs: number;
  readonly summary: PaneSummary;
}

export async function mergePaneDeltas(tx: Transaction<MonitoringTables>, binnings: BinningCache, paneMs: number, deltas: Iterable<PaneDelta>): Promise<void> {
  // A stable order of row locks, so two replicas flushing the same panes cannot deadlock.
  const sorted = [...deltas].sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : Number(a.version - b.version) || a.paneStartMs - b.paneStartMs));
  for (const d of sorted) {
    const key = { model: d.model, version: d.version.toString(), pane_start: new Date(d.paneStartMs) };
    const inserted = await tx
      .insertInto('panes')
      .values({ ...key, pane_ms: paneMs, summary: JSON.stringify(d.summary.toJSON()) })
      .onConflict((oc) => oc.columns(['model', 'version', 'pane_start']).doNothing())
      .returning('pane_start')
      .executeTakeFirst();
    if (inserted) continue;
    const row = await tx
      .selectFrom('panes')
      .select('summary')
      .where('model', '=', key.model)
      .where('version', '=', key.version)
      .where('pane_start', '=', key.pane_start)
      .forUpdate()
      .executeTakeFirstOrThrow();
    await binnings.ensure(binningIdsIn(row.summary));
    const merged = PaneSummary.fromJSON(row.summary as PaneSummaryJson, binnings.resolve).merge(d.summary);
    await tx
      .updateTable('panes')
      .set({ summary: JSON.stringify(merged.toJSON()), updated_at: new Date() })
      .where('model', '=', key.model)
      .where('version', '=', key.version)
      .where('pane_start', '=', key.pane_start)
      .execute();
  }
}

/** The merge of every pane of a version starting in [range.startMs, range.endMs). */
export async function loadWindow(db: Kysely<MonitoringTables>, binnings: BinningCache, model: string, version: bigint, range: TimeRange): Promise<PaneSummary> {
  const rows = await db
    .selectFrom('panes')
    .select('summary')
    .where('model', '=', model)
    .where('version', '=', version.toString())
    .where('pane_start', '>=', new Date(range.startMs))
    .where('pane_start', '<', new Date(range.endMs))
    .execute();
  await binnings.ensure(rows.flatMap((r) => binningIdsIn(r.summary)));
  return mergePanes(rows.map((r) => PaneSummary.fromJSON(r.summary as PaneSummaryJson, binnings.resolve)));
}

/** Versions with traffic in a range (what the evaluator looks at). */
export async function activeVersions(db: Kysely<MonitoringTables>, range: TimeRange): Promise<Array<{ model: string; version: bigint }>> {
  const rows = await db
    .selectFrom('panes')
    .select(['model', 'version'])
    .distinct()
    .where('pane_start', '>=', new Date(range.startMs))
    .where('pane_start', '<', new Date(range.endMs))
    .execute();
  return rows.map((r) => ({ model: r.model, version: BigInt(r.version) }));
}

/**
 * Pane storage. A pane is stored as one folded row in `panes` plus the parts appended since
 * (mergeable summaries: parts, batches and replicas splitting the stream add up). An ingestion
 * batch appends its pane deltas as parts in the same transaction that records its predictions,
 * so an event is acknowledged only once its contribution is stored, and no batch waits on a row
 * lock another batch holds. The compactor (pane-compaction.ts) folds parts into `panes`.
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

/** Appends a batch's pane deltas as parts: one insert, no lock on the pane. */
export async function appendPaneParts(tx: Transaction<MonitoringTables>, deltas: Iterable<PaneDelta>): Promise<void> {
  const rows = [...deltas].map((d) => ({ model: d.model, version: d.version.toString(), pane_start: new Date(d.paneStartMs), summary: JSON.stringify(d.summary.toJSON()) }));
  if (rows.length > 0) await tx.insertInto('pane_parts').values(rows).execute();
}

/** Folds deltas into the panes' rows under a row lock (the compactor's step; also how a pane is written whole). */
export async function mergePaneDeltas(tx: Transaction<MonitoringTables>, binnings: BinningCache, paneMs: number, deltas: Iterable<PaneDelta>): Promise<void> {
  // A stable order of row locks, so two replicas compacting the same panes cannot deadlock.
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

/**
 * The merge of every pane of a version starting in [range.startMs, range.endMs): folded rows and
 * parts read in one statement, so a compaction committing meanwhile is seen wholly or not at all.
 */
export async function loadWindow(db: Kysely<MonitoringTables>, binnings: BinningCache, model: string, version: bigint, range: TimeRange): Promise<PaneSummary> {
  const inRange = (table: 'panes' | 'pane_parts') =>
    db
      .selectFrom(table as 'panes')
      .select('summary')
      .where('model', '=', model)
      .where('version', '=', version.toString())
      .where('pane_start', '>=', new Date(range.startMs))
      .where('pane_start', '<', new Date(range.endMs));
  const rows = await inRange('panes').unionAll(inRange('pane_parts')).execute();
  await binnings.ensure(rows.flatMap((r) => binningIdsIn(r.summary)));
  return mergePanes(rows.map((r) => PaneSummary.fromJSON(r.summary as PaneSummaryJson, binnings.resolve)));
}

/** Versions with traffic in a range (what the evaluator looks at). */
export async function activeVersions(db: Kysely<MonitoringTables>, range: TimeRange): Promise<Array<{ model: string; version: bigint }>> {
  const inRange = (table: 'panes' | 'pane_parts') =>
    db
      .selectFrom(table as 'panes')
      .select(['model', 'version'])
      .where('pane_start', '>=', new Date(range.startMs))
      .where('pane_start', '<', new Date(range.endMs));
  // union (not union all): distinct pairs across both tables.
  const rows = await inRange('panes').union(inRange('pane_parts')).execute();
  return rows.map((r) => ({ model: r.model, version: BigInt(r.version) }));
}

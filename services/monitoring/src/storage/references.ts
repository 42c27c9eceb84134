/** Stored references, one per model version. */
import type { Kysely } from 'kysely';
import type { Reference, ReferenceColumn, ReferenceSource } from '../drift/reference.js';
import { featureSummaryFromJson, featureSummaryToJson, type FeatureSummaryJson } from '../windows/pane.js';
import { binningIdsIn, type BinningCache } from './binnings.js';
import type { MonitoringTables } from './schema.js';

type ColumnJson = { summary: FeatureSummaryJson; psiEdges?: number[] };

export async function saveReference(db: Kysely<MonitoringTables>, binnings: BinningCache, model: string, version: bigint, ref: Reference): Promise<void> {
  const columns: Record<string, ColumnJson> = {};
  for (const [name, c] of ref.columns) {
    if (c.summary.kind === 'numeric') await binnings.save(c.summary.binning);
    columns[name] = { summary: featureSummaryToJson(c.summary), ...(c.psiEdges ? { psiEdges: [...c.psiEdges] } : {}) };
  }
  const row = { source: JSON.stringify(ref.source), rows: ref.rows, columns: JSON.stringify(columns) };
  await db
    .insertInto('references')
    .values({ model, version: version.toString(), ...row })
    .onConflict((oc) => oc.columns(['model', 'version']).doUpdateSet({ ...row, created_at: new Date() }))
    .execute();
}

export async function loadReference(db: Kysely<MonitoringTables>, binnings: BinningCache, model: string, version: bigint): Promise<Reference | undefined> {
  const row = await db.selectFrom('references').selectAll().where('model', '=', model).where('version', '=', version.toString()).executeTakeFirst();
  if (!row) return undefined;
  await binnings.ensure(binningIdsIn(row.columns));
  const columns = new Map<string, ReferenceColumn>();
  for (const [name, c] of Object.entries(row.columns as Record<string, ColumnJson>)) {
    columns.set(name, { summary: featureSummaryFromJson(c.summary, binnings.resolve), ...(c.psiEdges ? { psiEdges: c.psiEdges } : {}) });
  }
  return { source: row.source as ReferenceSource, rows: Number(row.rows), columns };
}

import type { Kysely } from 'kysely';
import type { Micros } from '../domain/time.js';
import type { FeatureStoreTables } from './schema.js';

export interface StoredOnlineRow {
  readonly view: string;
  readonly entityKey: string;
  readonly eventTimeMicros: Micros;
  /** Encoded values: FeatureRow field-3 records. */
  readonly values: Uint8Array;
}

/** The online rows of some keys of one view (the cache's read-through on a miss). */
export async function readOnlineRows(db: Kysely<FeatureStoreTables>, view: string, keys: readonly string[]): Promise<StoredOnlineRow[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .selectFrom('online_rows')
    .select(['entity_key', 'event_time_us', 'feature_values'])
    .where('view', '=', view)
    .where('entity_key', 'in', keys)
    .execute();
  return rows.map((r) => ({ view, entityKey: r.entity_key, eventTimeMicros: Number(r.event_time_us), values: r.feature_values }));
}

/**
 * Every online row of one view, page by page in key order (keyset paging: no offset scans),
 * to fill the cache at start without holding the whole table in one result.
 */
export async function* scanOnlineRows(db: Kysely<FeatureStoreTables>, view: string, pageSize = 5_000): AsyncGenerator<StoredOnlineRow[]> {
  let after: string | undefined;
  for (;;) {
    let query = db
      .selectFrom('online_rows')
      .select(['entity_key', 'event_time_us', 'feature_values'])
      .where('view', '=', view)
      .orderBy('entity_key')
      .limit(pageSize);
    if (after !== undefined) query = query.where('entity_key', '>', after);
    const rows = await query.execute();
    if (rows.length === 0) return;
    yield rows.map((r) => ({ view, entityKey: r.entity_key, eventTimeMicros: Number(r.event_time_us), values: r.feature_values }));
    if (rows.length < pageSize) return;
    after = (rows[rows.length - 1] as (typeof rows)[number]).entity_key;
  }
}

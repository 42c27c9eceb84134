import { sql, type Kysely } from 'kysely';
import type { ValidRow } from '../domain/rows.js';
import { valuesToJson } from '../domain/values.js';
import type { FeatureStoreTables } from './schema.js';

/** Rows of one or more views, to be stored together. */
export interface ViewRows {
  readonly view: string;
  readonly rows: readonly ValidRow[];
}

/**
 * Reduces a batch to what the two tables take: per (view, key, time) the last row of the batch
 * (history keeps one row per event time), and of those, per (view, key), the newest, marked for
 * the online table. A multi-row INSERT … ON CONFLICT may not touch one row twice, hence this.
 */
/** The batch as parallel arrays, one per column: unnest() reads them without a JSON parse per row. */
interface Columns {
  readonly views: string[];
  readonly keys: string[];
  readonly times: number[];
  /** The JSON text of each row's values. */
  readonly values: string[];
  readonly online: boolean[];
}

function toColumns(batches: readonly ViewRows[]): Columns {
  const history = new Map<string, { view: string; row: ValidRow }>();
  const newest = new Map<string, ValidRow>();
  for (const { view, rows } of batches) {
    for (const row of rows) {
      const key = `${view}\u0000${row.entityKey}`;
      // Re-inserting moves the entry last, so a later duplicate replaces the earlier one.
      const historyKey = `${key}\u0000${row.eventTimeMicros}`;
      history.delete(historyKey);
      history.set(historyKey, { view, row });
      const held = newest.get(key);
      if (!held || row.eventTimeMicros >= held.eventTimeMicros) newest.set(key, row);
    }
  }
  const out: Columns = { views: [], keys: [], times: [], values: [], online: [] };
  for (const { view, row } of history.values()) {
    out.views.push(view);
    out.keys.push(row.entityKey);
    out.times.push(row.eventTimeMicros);
    out.values.push(valuesToJson(row.values));
    out.online.push(newest.get(`${view}\u0000${row.entityKey}`) === row);
  }
  return out;
}

/**
 * Stores rows in the offline history and the online table in ONE statement (atomic, one round
 * trip, the batch parsed once): data-modifying CTEs over unnest() of one array per column
 * (five parameters whatever the batch size; measured about twice as fast as json_to_recordset).
 * The values travel as their JSON texts joined by newlines (JSON text never holds a raw newline)
 * and split by string_to_array: an array literal would make node-postgres escape every quote of
 * every document, and PostgreSQL unescape them, which cost more than the rest of the write. The online upsert
 * keeps the stored row when it is newer (`>=`: on a tie the later write wins), so late and
 * out-of-order rows never replace a newer value, whatever the arrival order.
 * Works the same on PostgreSQL and PGlite.
 */
export async function writeRows(db: Kysely<FeatureStoreTables>, batches: readonly ViewRows[]): Promise<number> {
  const c = toColumns(batches);
  if (c.keys.length === 0) return 0;
  await sql`
    with batch as materialized (
      select * from unnest(${c.views}::text[], ${c.keys}::text[], ${c.times}::bigint[], string_to_array(${c.values.join('\n')}::text, chr(10))::json[], ${c.online}::boolean[]) as r(w, k, t, v, o)
    ), history as (
      insert into offline_rows (view, entity_key, event_time_us, feature_values)
      select w, k, t, v from batch
      on conflict (view, entity_key, event_time_us)
      do update set feature_values = excluded.feature_values, ingested_at = now()
    )
    insert into online_rows (view, entity_key, event_time_us, feature_values)
    select w, k, t, v from batch where o
    on conflict (view, entity_key)
    do update set event_time_us = excluded.event_time_us, feature_values = excluded.feature_values, written_at = now()
    where excluded.event_time_us >= online_rows.event_time_us
  `.execute(db);
  return c.keys.length;
}

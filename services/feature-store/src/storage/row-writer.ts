import { sql, type Kysely } from 'kysely';
import type { ValidRow } from '../domain/rows.js';
import type { FeatureStoreTables } from './schema.js';

/** Rows of one or more views, to be stored together. */
export interface ViewRows {
  readonly view: string;
  readonly rows: readonly ValidRow[];
}

/**
 * The batch as parallel arrays, one per column (unnest() reads them), and every row's encoded
 * values in ONE buffer, sent as a binary bytea parameter and cut with substring(): no escaping
 * on our side, no parsing on the server's.
 */
interface Columns {
  readonly views: string[];
  readonly keys: string[];
  readonly times: number[];
  /** 1-based start (substring's convention) and length of each row's values in `values`. */
  readonly starts: number[];
  readonly lengths: number[];
  readonly values: Buffer;
  /** True for the row that goes to the online table: the newest of its (view, key). */
  readonly online: boolean[];
}

/**
 * Reduces a batch to what the two tables take: per (view, key, time) the last row of the batch
 * (history keeps one row per event time), and of those, per (view, key), the newest (on a tie
 * the later one, the upsert's `>=`), marked for the online table. A multi-row
 * INSERT … ON CONFLICT may not touch one row twice, hence this. Rows of one key are chained
 * (`previous`), so a row is compared only with the earlier rows of its own key.
 */
function toColumns(batches: readonly ViewRows[]): Columns {
  const flat: { view: string; row: ValidRow }[] = [];
  for (const { view, rows } of batches) for (const row of rows) flat.push({ view, row });
  const previous = new Int32Array(flat.length).fill(-1);
  const dropped = new Uint8Array(flat.length);
  const lastOfKey = new Map<string, Map<string, number>>();
  const newestOfKey = new Map<string, Map<string, number>>();
  for (let i = 0; i < flat.length; i++) {
    const { view, row } = flat[i]!;
    let last = lastOfKey.get(view);
    let newest = newestOfKey.get(view);
    if (!last || !newest) {
      lastOfKey.set(view, (last = new Map()));
      newestOfKey.set(view, (newest = new Map()));
    }
    const before = last.get(row.entityKey);
    last.set(row.entityKey, i);
    if (before === undefined) {
      newest.set(row.entityKey, i);
      continue;
    }
    previous[i] = before;
    for (let j = before; j >= 0; j = previous[j]!) if (flat[j]!.row.eventTimeMicros === row.eventTimeMicros) dropped[j] = 1;
    if (row.eventTimeMicros >= flat[newest.get(row.entityKey)!]!.row.eventTimeMicros) newest.set(row.entityKey, i);
  }
  let size = 0;
  for (let i = 0; i < flat.length; i++) if (!dropped[i]) size += flat[i]!.row.values.byteLength;
  const out: Columns = { views: [], keys: [], times: [], starts: [], lengths: [], values: Buffer.allocUnsafe(size), online: [] };
  let at = 0;
  for (let i = 0; i < flat.length; i++) {
    if (dropped[i]) continue;
    const { view, row } = flat[i]!;
    out.views.push(view);
    out.keys.push(row.entityKey);
    out.times.push(row.eventTimeMicros);
    out.starts.push(at + 1);
    out.lengths.push(row.values.byteLength);
    out.values.set(row.values, at);
    at += row.values.byteLength;
    out.online.push(newestOfKey.get(view)!.get(row.entityKey) === i);
  }
  return out;
}

/**
 * Stores rows in the offline history and the online table in ONE statement (atomic, one round
 * trip, the batch parsed once): data-modifying CTEs over unnest() of one array per column. The
 * online upsert keeps the stored row when it is newer (`>=`: on a tie the later write wins), so
 * late and out-of-order rows never replace a newer value, whatever the arrival order.
 * Works the same on PostgreSQL and PGlite.
 */
export async function writeRows(db: Kysely<FeatureStoreTables>, batches: readonly ViewRows[]): Promise<number> {
  const c = toColumns(batches);
  if (c.keys.length === 0) return 0;
  await sql`
    with batch as materialized (
      select w, k, t, substring(${c.values}::bytea from s for l) as v, o
      from unnest(${c.views}::text[], ${c.keys}::text[], ${c.times}::bigint[], ${c.starts}::int[], ${c.lengths}::int[], ${c.online}::boolean[]) as r(w, k, t, s, l, o)
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

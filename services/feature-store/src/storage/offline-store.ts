import { sql, type Kysely } from 'kysely';
import type { Micros } from '../domain/time.js';
import type { StoredOnlineRow } from './online-store.js';
import type { FeatureStoreTables } from './schema.js';

type Db = Kysely<FeatureStoreTables>;

/** One entity row of a historical query: its position, key and as-of time. */
export interface AsOfQuery {
  readonly index: number;
  readonly entityKey: string;
  readonly asOfMicros: Micros;
}

export interface HistoricalRow {
  readonly eventTimeMicros: Micros;
  /** Encoded values: FeatureRow field-3 records. */
  readonly values: Uint8Array;
}

/**
 * The point-in-time join for one view: per query row, the newest stored row whose event time
 * is not after the as-of time (never a value from the row's future). TTL is applied by the
 * caller on the returned event time, so it can tell EXPIRED from NOT_FOUND.
 * LATERAL … ORDER BY … LIMIT 1 walks the (view, entity_key, event_time_us) primary key
 * backwards from the as-of time: one index probe per query row, on PostgreSQL and PGlite.
 */
export async function readAsOf(db: Db, view: string, queries: readonly AsOfQuery[]): Promise<Map<number, HistoricalRow>> {
  const found = new Map<number, HistoricalRow>();
  if (queries.length === 0) return found;
  const wire = queries.map((q) => ({ n: q.index, k: q.entityKey, t: q.asOfMicros }));
  const result = await sql<{ n: number; event_time_us: string; feature_values: Uint8Array }>`
    select q.n, h.event_time_us, h.feature_values
    from json_to_recordset(${JSON.stringify(wire)}::json) as q(n int, k text, t bigint)
    join lateral (
      select o.event_time_us, o.feature_values
      from offline_rows o
      where o.view = ${view} and o.entity_key = q.k and o.event_time_us <= q.t
      order by o.event_time_us desc
      limit 1
    ) h on true
  `.execute(db);
  for (const r of result.rows) found.set(Number(r.n), { eventTimeMicros: Number(r.event_time_us), values: r.feature_values });
  return found;
}

export async function countEntities(db: Db, view: string): Promise<number> {
  const row = await db
    .selectFrom('offline_rows')
    .select(sql<string>`count(distinct entity_key)`.as('n'))
    .where('view', '=', view)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface MaterializedPage {
  /** Entities scanned in this page (with or without a row in the window). */
  readonly entities: number;
  /** The last key of the page, where the next page starts; undefined when the view is done. */
  readonly lastKey: string | undefined;
  /** The newest row in the window of each scanned entity that has one. */
  readonly rows: readonly StoredOnlineRow[];
  /** Online rows replaced (a newer online row is kept). */
  readonly written: number;
}

/**
 * Rebuilds one page of the online table from the history: the next `pageSize` entity keys
 * after `after`, and for each the newest row with event time in [start, end). Keyset paging on
 * the primary key, so every page costs the same however far the scan is.
 */
export async function materializePage(
  db: Db,
  opts: { view: string; after: string | undefined; startMicros: Micros; endMicros: Micros; pageSize: number },
): Promise<MaterializedPage> {
  const { view, startMicros, endMicros, pageSize } = opts;
  const after = opts.after ?? null;
  const result = await sql<{ entity_key: string; event_time_us: string | null; feature_values: Uint8Array | null; written: boolean }>`
    with keys as (
      select distinct entity_key from offline_rows
      where view = ${view} and (${after}::text is null or entity_key > ${after}::text)
      order by entity_key
      limit ${pageSize}
    ), latest as (
      select k.entity_key, h.event_time_us, h.feature_values
      from keys k
      left join lateral (
        select o.event_time_us, o.feature_values from offline_rows o
        where o.view = ${view} and o.entity_key = k.entity_key
          and o.event_time_us >= ${startMicros} and o.event_time_us < ${endMicros}
        order by o.event_time_us desc
        limit 1
      ) h on true
    ), written as (
      insert into online_rows (view, entity_key, event_time_us, feature_values)
      select ${view}, entity_key, event_time_us, feature_values from latest where event_time_us is not null
      on conflict (view, entity_key)
      do update set event_time_us = excluded.event_time_us, feature_values = excluded.feature_values, written_at = now()
      where excluded.event_time_us >= online_rows.event_time_us
      returning entity_key
    )
    select l.entity_key, l.event_time_us, l.feature_values, (w.entity_key is not null) as written
    from latest l left join written w on w.entity_key = l.entity_key
    order by l.entity_key
  `.execute(db);
  const rows: StoredOnlineRow[] = [];
  let written = 0;
  for (const r of result.rows) {
    if (r.written) written++;
    if (r.event_time_us !== null && r.feature_values !== null) {
      rows.push({ view, entityKey: r.entity_key, eventTimeMicros: Number(r.event_time_us), values: r.feature_values });
    }
  }
  const last = result.rows[result.rows.length - 1];
  return {
    entities: result.rows.length,
    lastKey: result.rows.length < pageSize || !last ? undefined : last.entity_key,
    rows,
    written,
  };
}

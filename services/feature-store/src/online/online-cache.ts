import type { Micros } from '../domain/time.js';

/** The newest known row of one entity in one view. */
export interface CachedRow {
  readonly eventTimeMicros: Micros;
  /** Encoded values (FeatureRow field-3 records), this cache's own copy. */
  readonly values: Uint8Array;
  /**
   * Answers encoded on first read and shared by every later read of this row (see
   * online-reader.ts): per feature the OnlineRow.values record; `missing` for a feature the row
   * does not carry, `expired` once it is past the view's TTL.
   */
  answers?: Map<string, Uint8Array>;
  missing?: Uint8Array;
  expired?: Uint8Array;
  /** The records of the last selection that read this row, one after the other (readers repeat their requests). */
  selected?: { readonly selection: object; readonly records: Uint8Array };
}

interface ViewEntries {
  readonly rows: Map<string, CachedRow>;
  /** True once every stored row of the view was loaded: a miss then means "not found". */
  complete: boolean;
  /** Rows of this view pushed out to make room; a view that lost any is never complete again (until dropped). */
  evicted: number;
}

/** Rows the cache holds unless configured otherwise: about 1 KiB each with their encoded answers. */
export const DEFAULT_CACHE_MAX_ROWS = 1_000_000;

/**
 * Latest values per (view, entity) in memory. Every write path (local ingestion, the broadcast
 * stream of other replicas' ingestion, read-through, materialization) goes through `merge`,
 * which keeps the newest event time: merges commute, so replicas that see the same rows in a
 * different order end with the same cache.
 *
 * Bounded by `maxRows`: a new row beyond it pushes out the oldest-inserted row of its own view
 * (of the largest view when its own is empty), and a view that lost a row is no longer
 * complete, so its misses go to PostgreSQL again. A cache smaller than the online table thus
 * serves the rows written last from memory and the rest by read-through, never a wrong answer.
 */
export class OnlineCache {
  private readonly views = new Map<string, ViewEntries>();
  private rowCount = 0;
  private evictedCount = 0;

  constructor(private readonly maxRows = DEFAULT_CACHE_MAX_ROWS) {
    if (!Number.isInteger(maxRows) || maxRows < 1) throw new RangeError(`maxRows: expected a whole number of at least 1, got ${maxRows}`);
  }

  private entries(view: string): ViewEntries {
    let entries = this.views.get(view);
    if (!entries) this.views.set(view, (entries = { rows: new Map(), complete: false, evicted: 0 }));
    return entries;
  }

  get(view: string, entityKey: string): CachedRow | undefined {
    return this.views.get(view)?.rows.get(entityKey);
  }

  /** The rows map of a view (undefined when nothing is cached), for loops over many keys. */
  rowsOf(view: string): ReadonlyMap<string, CachedRow> | undefined {
    return this.views.get(view)?.rows;
  }

  /**
   * Keeps the row if it is at least as new as the cached one (ties: the later write wins, as in
   * the store). The values are copied: they are usually a view into a whole NATS message or
   * query result, which must not stay in memory for one row's sake. The copy comes from Node's
   * shared 8 KiB buffer pool: a typed array of its own would cost an off-heap allocation (and a
   * finalizer for the GC) per row, for a few hundred bytes.
   */
  merge(view: string, entityKey: string, eventTimeMicros: Micros, values: Uint8Array): boolean {
    const entries = this.entries(view);
    const held = entries.rows.get(entityKey);
    if (held && held.eventTimeMicros > eventTimeMicros) return false;
    const copy = Buffer.allocUnsafe(values.byteLength);
    copy.set(values);
    entries.rows.set(entityKey, { eventTimeMicros, values: copy });
    if (held === undefined && ++this.rowCount > this.maxRows) this.evictOne(entries);
    return true;
  }

  /** True when the view's stored rows are all in memory (a miss means "not found"). */
  isComplete(view: string): boolean {
    return this.views.get(view)?.complete ?? false;
  }

  /** Marks a view whose stored rows were all merged; refused (false) when some had to be pushed out. */
  markComplete(view: string): boolean {
    const entries = this.entries(view);
    entries.complete = entries.evicted === 0;
    return entries.complete;
  }

  /** Forgets a view (deleted, or to be reloaded after an online-store rebuild). */
  drop(view: string): void {
    const entries = this.views.get(view);
    if (entries === undefined) return;
    this.rowCount -= entries.rows.size;
    this.views.delete(view);
  }

  get size(): number {
    return this.rowCount;
  }

  /** True when a new row would push another out. */
  get full(): boolean {
    return this.rowCount >= this.maxRows;
  }

  /** Rows pushed out to stay within the bound, since start. */
  get evictions(): number {
    return this.evictedCount;
  }

  /** Pushes out the oldest-inserted row of `preferred`, or of the largest view when `preferred` holds only the new row. */
  private evictOne(preferred: ViewEntries): void {
    let victim = preferred;
    if (victim.rows.size <= 1) {
      for (const entries of this.views.values()) if (entries.rows.size > victim.rows.size) victim = entries;
    }
    const oldest = victim.rows.keys().next();
    if (oldest.done) return;
    victim.rows.delete(oldest.value);
    victim.complete = false;
    victim.evicted++;
    this.rowCount--;
    this.evictedCount++;
  }
}

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
}

/**
 * Latest values per (view, entity) in memory. Every write path (local ingestion, the broadcast
 * stream of other replicas' ingestion, read-through, materialization) goes through `merge`,
 * which keeps the newest event time: merges commute, so replicas that see the same rows in a
 * different order end with the same cache.
 */
export class OnlineCache {
  private readonly views = new Map<string, ViewEntries>();

  private entries(view: string): ViewEntries {
    let entries = this.views.get(view);
    if (!entries) this.views.set(view, (entries = { rows: new Map(), complete: false }));
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
   * query result, which must not stay in memory for one row's sake.
   */
  merge(view: string, entityKey: string, eventTimeMicros: Micros, values: Uint8Array): boolean {
    const rows = this.entries(view).rows;
    const held = rows.get(entityKey);
    if (held && held.eventTimeMicros > eventTimeMicros) return false;
    const copy = Buffer.allocUnsafe(values.byteLength);
    copy.set(values);
    rows.set(entityKey, { eventTimeMicros, values: copy });
    return true;
  }

  isComplete(view: string): boolean {
    return this.views.get(view)?.complete ?? false;
  }

  markComplete(view: string): void {
    this.entries(view).complete = true;
  }

  /** Forgets a view (deleted, or to be reloaded after an online-store rebuild). */
  drop(view: string): void {
    this.views.delete(view);
  }

  get size(): number {
    let n = 0;
    for (const entries of this.views.values()) n += entries.rows.size;
    return n;
  }
}

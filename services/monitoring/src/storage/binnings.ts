/**
 * Binnings by id: edges live once in `binnings`, summaries refer to them by id. Resolution is
 * synchronous (summaries parse inside hot loops), so callers `ensure` the ids first.
 */
import type { Kysely } from 'kysely';
import { UNIVERSAL_BINNING, type Binning } from '../windows/binning.js';
import type { MonitoringTables } from './schema.js';

export class BinningCache {
  private readonly known = new Map<string, Binning>([[UNIVERSAL_BINNING.id, UNIVERSAL_BINNING]]);

  constructor(private readonly db: Kysely<MonitoringTables>) {}

  async save(binning: Binning): Promise<void> {
    if (this.known.has(binning.id)) return;
    await this.db
      .insertInto('binnings')
      .values({ id: binning.id, edges: JSON.stringify([...binning.edges]) })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    this.known.set(binning.id, binning);
  }

  async ensure(ids: Iterable<string>): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.known.has(id));
    if (missing.length === 0) return;
    const rows = await this.db.selectFrom('binnings').select(['id', 'edges']).where('id', 'in', missing).execute();
    for (const r of rows) this.known.set(r.id, { id: r.id, edges: Float64Array.from(r.edges) });
  }

  resolve = (id: string): Binning => {
    const b = this.known.get(id);
    if (!b) throw new Error(`binning ${id} is not loaded (call ensure first)`);
    return b;
  };
}

/** Binning ids a serialized pane or reference mentions. */
export function binningIdsIn(json: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      // Arrays here are [k, count] pairs or edges: no binning ids inside.
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      if (k === 'binning' && typeof x === 'string') out.push(x);
      else walk(x);
    }
  };
  walk(json);
  return out;
}

import type { Kysely } from 'kysely';
import type { Micros } from '../domain/time.js';
import type { OnlineCache } from '../online/online-cache.js';
import { countEntities, materializePage } from '../storage/offline-store.js';
import type { FeatureStoreTables } from '../storage/schema.js';

export interface MaterializeProgress {
  readonly entitiesDone: number;
  readonly entitiesTotal: number;
  readonly rowsWritten: number;
}

export interface MaterializeJob {
  readonly view: string;
  readonly startMicros: Micros;
  readonly endMicros: Micros;
  readonly pageSize?: number;
  readonly signal?: AbortSignal;
}

/**
 * Rebuilds a view's online rows (PostgreSQL and this replica's cache) from its offline history,
 * page by page, reporting progress after each. Safe alongside live ingestion: a page only
 * replaces online rows that are not newer, the same rule ingestion follows.
 */
export async function* materialize(db: Kysely<FeatureStoreTables>, cache: OnlineCache, job: MaterializeJob): AsyncGenerator<MaterializeProgress> {
  const total = await countEntities(db, job.view);
  let done = 0;
  let written = 0;
  let after: string | undefined;
  if (total === 0) {
    yield { entitiesDone: 0, entitiesTotal: 0, rowsWritten: 0 };
    return;
  }
  do {
    job.signal?.throwIfAborted();
    const page = await materializePage(db, {
      view: job.view,
      after,
      startMicros: job.startMicros,
      endMicros: job.endMicros,
      pageSize: job.pageSize ?? 1_000,
    });
    for (const row of page.rows) cache.merge(job.view, row.entityKey, row.eventTimeMicros, row.values);
    done += page.entities;
    written += page.written;
    after = page.lastKey;
    // Entities first seen during the run can make `done` pass the count taken at the start.
    yield { entitiesDone: done, entitiesTotal: Math.max(total, done), rowsWritten: written };
  } while (after !== undefined);
}

import type { EventBus } from '@mlops/events';
import type { GrpcServer } from '@mlops/grpc';
import { FeatureStoreService } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import type { Logger, ReadinessReport } from '@mlops/telemetry';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import { featureStoreApi } from './api/feature-store-api.js';
import { CatalogHolder } from './catalog-holder.js';
import { Ingestor } from './ingest/ingestor.js';
import { startNatsIngestion, type NatsIngestion } from './ingest/nats-ingestion.js';
import { createFeatureStoreMetrics } from './metrics.js';
import { DEFAULT_CACHE_MAX_ROWS, OnlineCache } from './online/online-cache.js';
import { OnlineReader } from './online/online-reader.js';
import { loadCatalog } from './storage/definitions-store.js';
import { scanOnlineRows } from './storage/online-store.js';
import type { FeatureStoreTables } from './storage/schema.js';

export interface FeatureStoreOptions {
  /** How far in the future an event time may be before the row is rejected (producer clock skew). */
  readonly maxFutureSkewMs: number;
  /** How often definitions are reloaded from PostgreSQL (replicas learn of each other's applies). */
  readonly catalogRefreshMs: number;
  /** Durable consumer name of NATS ingestion; replicas share it and split the work. */
  readonly durableName: string;
  /**
   * NATS messages this replica stores at once (see NatsIngestionOptions.concurrency). Twice the
   * batches one write takes (8), so the next write's messages are decoded while one runs.
   */
  readonly ingestConcurrency: number;
  /** Ingestion statements run at once, each on its own database connection (rows split by entity key). */
  readonly ingestWriters: number;
  /** Online rows kept in memory (about 1 KiB each); beyond it the oldest are read through from PostgreSQL. */
  readonly cacheMaxRows: number;
}

export const DEFAULT_FEATURE_STORE_OPTIONS: FeatureStoreOptions = {
  maxFutureSkewMs: 5 * 60_000,
  catalogRefreshMs: 10_000,
  durableName: 'feature-store-ingest',
  ingestConcurrency: 16,
  ingestWriters: 2,
  cacheMaxRows: DEFAULT_CACHE_MAX_ROWS,
};

export interface FeatureStoreDeps {
  readonly db: Kysely<FeatureStoreTables>;
  readonly bus: EventBus;
  readonly logger: Logger;
  readonly metrics?: Registry;
  readonly options?: Partial<FeatureStoreOptions>;
}

export interface FeatureStoreServiceInstance {
  register(server: GrpcServer): void;
  /** Subscribes to the broadcast stream, fills the cache from PostgreSQL, starts durable ingestion. */
  start(): Promise<void>;
  readiness(): Promise<ReadinessReport['checks']>;
  close(): Promise<void>;
}

/**
 * The feature store, composed from its parts: the catalog of definitions, the online cache and
 * its reader, the ingestor shared by NATS and Push, and the gRPC API.
 */
export async function createFeatureStoreService(deps: FeatureStoreDeps): Promise<FeatureStoreServiceInstance> {
  const options = { ...DEFAULT_FEATURE_STORE_OPTIONS, ...deps.options };
  const { db, bus, logger } = deps;
  const cache = new OnlineCache(options.cacheMaxRows);
  const metrics = createFeatureStoreMetrics(deps.metrics, cache);
  const catalog = new CatalogHolder({ load: () => loadCatalog(db) });
  await catalog.reload();
  const ingestor = new Ingestor({ db, cache, catalog, metrics, maxFutureSkewMicros: options.maxFutureSkewMs * 1000, writers: options.ingestWriters });
  const reader = new OnlineReader({ cache, db, onStats: (s) => metrics.cacheLookups(s.hits, s.misses) });

  let ingestion: NatsIngestion | undefined;
  let warm: { state: 'pending' } | { state: 'done'; rows: number } | { state: 'failed'; error: string } = { state: 'pending' };
  let refreshTimer: NodeJS.Timeout | undefined;
  const closing = new AbortController();

  /**
   * Loads every view's online rows; views become "complete" so misses stop going to PostgreSQL.
   * Stops at the cache's bound: the views not loaded whole are served by read-through.
   */
  async function warmCache(): Promise<number> {
    let rows = 0;
    for (const view of catalog.current.views.keys()) {
      let whole = true;
      for await (const page of scanOnlineRows(db, view)) {
        if (closing.signal.aborted) return rows;
        if (cache.full) {
          whole = false;
          break;
        }
        for (const r of page) cache.merge(view, r.entityKey, r.eventTimeMicros, r.values);
        rows += page.length;
      }
      if (!whole) {
        logger.warn({ view, cachedRows: cache.size }, 'online cache full while loading; the rest is read from PostgreSQL on demand (MLOPS_FEATURE_STORE_CACHE_MAX_ROWS)');
        return rows;
      }
      cache.markComplete(view);
    }
    return rows;
  }

  async function refreshCatalog(): Promise<void> {
    const before = catalog.current;
    const after = await catalog.reload();
    // A view deleted elsewhere: forget its rows, it may come back under the same name.
    for (const name of before.views.keys()) if (!after.views.has(name)) cache.drop(name);
  }

  return {
    register(server) {
      server.add(FeatureStoreService, featureStoreApi({ db, bus, logger, catalog, cache, ingestor, reader, metrics }), {
        permissions: { applyDefinitions: 'deploy', materialize: 'deploy', push: 'produce' },
      });
    },

    async start() {
      ingestion = await startNatsIngestion({ bus, ingestor, logger, durableName: options.durableName, concurrency: options.ingestConcurrency });
      const started = Date.now();
      try {
        const rows = await warmCache();
        warm = { state: 'done', rows };
        logger.info({ rows, ms: Date.now() - started }, 'online cache filled from PostgreSQL');
      } catch (err) {
        // Reads still work (they fall back to PostgreSQL); readiness reports the failure.
        warm = { state: 'failed', error: String(err) };
        logger.error({ err }, 'filling the online cache failed; serving misses from PostgreSQL');
      }
      refreshTimer = setInterval(() => {
        refreshCatalog().catch((err: unknown) => logger.warn({ err }, 'reloading feature definitions failed'));
      }, options.catalogRefreshMs);
      refreshTimer.unref();
    },

    async readiness() {
      return {
        ingestion: ingestion ? { ok: true } : { ok: false, detail: 'NATS ingestion not started' },
        online_cache:
          warm.state === 'done'
            ? { ok: true, detail: `${cache.size} rows in memory` }
            : warm.state === 'pending'
              ? { ok: false, detail: 'filling from PostgreSQL' }
              : { ok: false, detail: warm.error },
      };
    },

    async close() {
      closing.abort();
      if (refreshTimer) clearInterval(refreshTimer);
      await ingestion?.stop();
      ingestion = undefined;
    },
  };
}

import { tallyHistogram } from '@mlops/telemetry';
import { Counter, Gauge, Registry } from 'prom-client';

export type IngestSource = 'nats' | 'push';

/** The feature store's Prometheus metrics (names prefixed mlops_featurestore_). */
export interface FeatureStoreMetrics {
  rowsIngested(view: string, source: IngestSource, n: number): void;
  rowsRejected(view: string, reason: string, n: number): void;
  cacheLookups(hits: number, misses: number): void;
  /** Seconds one GetOnlineFeatures spent in the handler. */
  onlineRead(seconds: number): void;
}

/** What the metrics read of the online cache when scraped. */
export interface CacheGauges {
  readonly size: number;
  readonly evictions: number;
}

export function createFeatureStoreMetrics(registry: Registry | undefined, cache: CacheGauges): FeatureStoreMetrics {
  const registers = registry ? [registry] : [];
  const ingested = new Counter({
    name: 'mlops_featurestore_rows_ingested_total',
    help: 'Feature rows stored (online and offline), by view and source',
    labelNames: ['view', 'source'] as const,
    registers,
  });
  const rejected = new Counter({
    name: 'mlops_featurestore_rows_rejected_total',
    help: 'Feature rows rejected by validation (dead-lettered or reported to the pusher), by view and reason',
    labelNames: ['view', 'reason'] as const,
    registers,
  });
  const hits = new Counter({ name: 'mlops_featurestore_cache_hits_total', help: 'Online lookups answered from memory', registers });
  const misses = new Counter({
    name: 'mlops_featurestore_cache_misses_total',
    help: 'Online lookups that went to PostgreSQL (view not fully loaded, key not in memory)',
    registers,
  });
  // Observed per call: a tally (prom-client's own observe costs a read ~3 µs, its buckets being
  // object keys made from doubles).
  const readSeconds = tallyHistogram(registry ?? new Registry(), {
    name: 'mlops_featurestore_online_read_seconds',
    help: 'Time spent serving one GetOnlineFeatures call',
    labelNames: [],
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1],
  }).series({});
  new Gauge({
    name: 'mlops_featurestore_cache_rows',
    help: 'Online rows held in memory',
    registers,
    collect() {
      this.set(cache.size);
    },
  });
  let evictionsReported = 0;
  new Counter({
    name: 'mlops_featurestore_cache_evictions_total',
    help: 'Online rows pushed out of memory to stay within MLOPS_FEATURE_STORE_CACHE_MAX_ROWS (their reads go to PostgreSQL)',
    registers,
    collect() {
      const evictions = cache.evictions;
      this.inc(evictions - evictionsReported);
      evictionsReported = evictions;
    },
  });
  return {
    rowsIngested: (view, source, n) => {
      if (n > 0) ingested.inc({ view, source }, n);
    },
    rowsRejected: (view, reason, n) => {
      if (n > 0) rejected.inc({ view, reason }, n);
    },
    cacheLookups: (h, m) => {
      if (h > 0) hits.inc(h);
      if (m > 0) misses.inc(m);
    },
    onlineRead: (seconds) => readSeconds.observe(seconds),
  };
}

import { positiveInt } from '@mlops/config';
import type { ServiceSpec } from '@mlops/runtime';
import { DEFAULT_CACHE_MAX_ROWS } from './online/online-cache.js';
import { createFeatureStoreService } from './service.js';
import { featureStoreMigrations } from './storage/migrations.js';
import type { FeatureStoreTables } from './storage/schema.js';

/** Variables only the feature store reads. */
export const featureStoreConfigShape = {
  /** Rows with an event time further than this in the future are rejected (producer clock skew). */
  MLOPS_FEATURE_STORE_MAX_FUTURE_SKEW_MS: positiveInt(300_000),
  /** How often each replica reloads the definitions from PostgreSQL. */
  MLOPS_FEATURE_STORE_CATALOG_REFRESH_MS: positiveInt(10_000),
  /** Online rows each replica keeps in memory (about 1 KiB each); the rest is read from PostgreSQL on demand. */
  MLOPS_FEATURE_STORE_CACHE_MAX_ROWS: positiveInt(DEFAULT_CACHE_MAX_ROWS),
};

export interface FeatureStoreConfig extends Record<string, unknown> {
  readonly MLOPS_FEATURE_STORE_MAX_FUTURE_SKEW_MS: number;
  readonly MLOPS_FEATURE_STORE_CATALOG_REFRESH_MS: number;
  readonly MLOPS_FEATURE_STORE_CACHE_MAX_ROWS: number;
}

/** How the runtime boots the feature store (main.ts, the all-in-one launcher, integration tests). */
export const featureStoreSpec: ServiceSpec<FeatureStoreTables, FeatureStoreConfig> = {
  name: 'feature-store',
  version: '0.1.0',
  schema: 'featurestore',
  migrations: featureStoreMigrations,
  configShape: featureStoreConfigShape,
  create: (deps) =>
    createFeatureStoreService({
      db: deps.db.db,
      bus: deps.bus,
      logger: deps.logger,
      metrics: deps.metrics,
      options: {
        maxFutureSkewMs: deps.config.MLOPS_FEATURE_STORE_MAX_FUTURE_SKEW_MS,
        catalogRefreshMs: deps.config.MLOPS_FEATURE_STORE_CATALOG_REFRESH_MS,
        cacheMaxRows: deps.config.MLOPS_FEATURE_STORE_CACHE_MAX_ROWS,
      },
    }),
};

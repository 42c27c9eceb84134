export { featureStoreSpec, featureStoreConfigShape, type FeatureStoreConfig } from './spec.js';
export {
  createFeatureStoreService,
  DEFAULT_FEATURE_STORE_OPTIONS,
  type FeatureStoreDeps,
  type FeatureStoreOptions,
  type FeatureStoreServiceInstance,
} from './service.js';
export { featureStoreMigrations } from './storage/migrations.js';
export type { FeatureStoreTables } from './storage/schema.js';
export { featureSubject, PUSH_MSG_ID_PREFIX } from './ingest/nats-ingestion.js';
export { encodeValue, decodeValue, type FeatureType, type StoredValue } from './domain/values.js';
export { timestampToMicros, microsToTimestamp, type Micros } from './domain/time.js';

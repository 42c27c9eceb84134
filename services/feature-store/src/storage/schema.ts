import type { ColumnType, Generated } from 'kysely';

/*
 * Tables of the `featurestore` schema. int8 columns come back as strings (pg, and PGlite as
 * configured by @mlops/db) and are converted at the edge. JSON columns are written as JSON
 * text, so pg never turns a JS array into a PostgreSQL array literal.
 */

type Int8 = ColumnType<string, number | string, number | string>;
type Json<T> = ColumnType<T, string, string>;
type Timestamptz = ColumnType<Date, Date | undefined, Date>;
/** FeatureRow field-3 records (see ingest/feature-row-decoder.ts): a Buffer from pg, a Uint8Array from PGlite. */
type EncodedValues = ColumnType<Uint8Array, Uint8Array, Uint8Array>;

export interface StoredFeature {
  readonly name: string;
  readonly type: string;
  readonly description: string;
}

export interface EntitiesTable {
  name: string;
  join_key: string;
  description: string;
  updated_at: Timestamptz;
}

export interface FeatureViewsTable {
  name: string;
  entity: string;
  features: Json<StoredFeature[]>;
  ttl_us: Int8;
  owner: string;
  description: string;
  tags: Json<Record<string, string>>;
  updated_at: Timestamptz;
}

export interface FeatureServicesTable {
  name: string;
  /** "view:feature" strings in model-input order. */
  feature_refs: Json<string[]>;
  description: string;
  updated_at: Timestamptz;
}

/** The newest row per (view, entity): what GetOnlineFeatures serves (through the cache). */
export interface OnlineRowsTable {
  view: string;
  entity_key: string;
  /** Event time, µs since the epoch (see domain/time.ts for why not timestamptz). */
  event_time_us: Int8;
  feature_values: EncodedValues;
  written_at: Timestamptz;
}

/** Every ingested row, for point-in-time joins and materialization. */
export interface OfflineRowsTable {
  view: string;
  entity_key: string;
  event_time_us: Int8;
  feature_values: EncodedValues;
  ingested_at: Generated<Date>;
}

export interface FeatureStoreTables {
  entities: EntitiesTable;
  feature_views: FeatureViewsTable;
  feature_services: FeatureServicesTable;
  online_rows: OnlineRowsTable;
  offline_rows: OfflineRowsTable;
}

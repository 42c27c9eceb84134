export { openDatabase, type Database, type DatabaseKind, type OpenDatabaseOptions } from './open-database.js';
export type { Migrations } from './migrate.js';
export type { PoolOptions } from './postgres.js';
export { DatabaseOpenError, type DatabaseOpenFailure } from './errors.js';
export { isSerializationFailure, isUniqueViolation, sqlState } from './sqlstate.js';
export { isDatabaseUnavailable, isTransientDatabaseFailure, logRoundFailure } from './unavailable.js';
export type { Kysely, Migration } from 'kysely';
export { pruneOlderThan, PRUNE_BATCH_ROWS, startRetention, type Retention, type RetentionOptions, type RetentionRule } from './retention.js';
export { startPeriodicRounds, type PeriodicRounds, type PeriodicRoundsOptions } from './periodic-rounds.js';

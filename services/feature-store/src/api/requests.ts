import { invalidArgument } from '@mlops/grpc';
import type { EntityRow } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import type { EntityAsOf } from '../historical/historical-reader.js';
import { timestampToMicros } from '../domain/time.js';
import { MAX_ENTITY_KEY_LENGTH } from '../domain/rows.js';

/** Limits that keep one call from taking the service down; each names itself in the error. */
export const MAX_ONLINE_ENTITIES = 10_000;
export const MAX_HISTORICAL_ENTITY_ROWS = 1_000_000;
export const MAX_PUSH_ROWS = 100_000;

/** Throws INVALID_ARGUMENT unless every key is usable. */
export function checkEntityKeys(keys: readonly string[]): void {
  if (keys.length === 0) throw invalidArgument('entity_keys', 'at least one entity key');
  if (keys.length > MAX_ONLINE_ENTITIES) throw invalidArgument('entity_keys', `at most ${MAX_ONLINE_ENTITIES} keys per call`, keys.length);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (key.length === 0 || key.length > MAX_ENTITY_KEY_LENGTH) {
      throw invalidArgument(`entity_keys[${i}]`, `a key of 1 to ${MAX_ENTITY_KEY_LENGTH} characters`, key);
    }
  }
}

export function parseEntityRows(rows: readonly EntityRow[], field = 'entity_rows'): EntityAsOf[] {
  if (rows.length === 0) throw invalidArgument(field, 'at least one entity row');
  if (rows.length > MAX_HISTORICAL_ENTITY_ROWS) throw invalidArgument(field, `at most ${MAX_HISTORICAL_ENTITY_ROWS} rows`, rows.length);
  return rows.map((row, i) => {
    if (row.entityKey.length === 0 || row.entityKey.length > MAX_ENTITY_KEY_LENGTH) {
      throw invalidArgument(`${field}[${i}].entity_key`, `a key of 1 to ${MAX_ENTITY_KEY_LENGTH} characters`, row.entityKey);
    }
    if (!row.timestamp) throw invalidArgument(`${field}[${i}].timestamp`, 'the as-of time of the row');
    return { entityKey: row.entityKey, asOfMicros: timestampToMicros(row.timestamp) };
  });
}

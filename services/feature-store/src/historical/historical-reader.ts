import type { Kysely } from 'kysely';
import { FeatureStatus, type FeatureValue } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import type { FeatureSelection } from '../domain/feature-selection.js';
import { isExpired } from '../domain/freshness.js';
import { microsToTimestamp, type Micros } from '../domain/time.js';
import { decodeValue, type StoredValue } from '../domain/values.js';
import { readAsOf, type AsOfQuery, type HistoricalRow } from '../storage/offline-store.js';
import type { FeatureStoreTables } from '../storage/schema.js';

export interface EntityAsOf {
  readonly entityKey: string;
  readonly asOfMicros: Micros;
}

export interface HistoricalResult {
  readonly entity: EntityAsOf;
  /** In the order of the selection's features. */
  readonly values: readonly FeatureValue[];
}

const FEATURE_VALUE = 'mlops.featurestore.v1.FeatureValue' as const;

/** Entity rows answered per database round trip: bounds memory and keeps the stream moving. */
export const HISTORICAL_CHUNK = 2_000;

function answer(row: HistoricalRow | undefined, feature: string, ttlMicros: Micros, asOf: Micros): FeatureValue {
  if (!row) return { $typeName: FEATURE_VALUE, status: FeatureStatus.NOT_FOUND };
  const eventTime = microsToTimestamp(row.eventTimeMicros);
  if (isExpired(row.eventTimeMicros, ttlMicros, asOf)) return { $typeName: FEATURE_VALUE, status: FeatureStatus.EXPIRED, eventTime };
  const stored = row.values[feature] as StoredValue | undefined;
  if (stored === undefined) return { $typeName: FEATURE_VALUE, status: FeatureStatus.NOT_FOUND, eventTime };
  return { $typeName: FEATURE_VALUE, status: FeatureStatus.PRESENT, value: decodeValue(stored), eventTime };
}

/**
 * Point-in-time correct feature values for entity rows, in request order, chunk by chunk:
 * per row and view, the newest stored row not after the row's timestamp, subject to the
 * view's TTL (older than TTL: EXPIRED, as Feast leaves it null).
 */
export async function* readHistorical(
  db: Kysely<FeatureStoreTables>,
  selection: FeatureSelection,
  entities: readonly EntityAsOf[],
  chunkSize = HISTORICAL_CHUNK,
): AsyncGenerator<HistoricalResult[]> {
  for (let start = 0; start < entities.length; start += chunkSize) {
    const chunk = entities.slice(start, start + chunkSize);
    const queries: AsOfQuery[] = chunk.map((e, i) => ({ index: i, entityKey: e.entityKey, asOfMicros: e.asOfMicros }));
    const perView = new Map<string, Map<number, HistoricalRow>>();
    for (const { view } of selection.views) perView.set(view.name, await readAsOf(db, view.name, queries));
    yield chunk.map((entity, i) => ({
      entity,
      values: selection.features.map((f) => answer(perView.get(f.view.name)?.get(i), f.feature, f.view.ttlMicros, entity.asOfMicros)),
    }));
  }
}

import type { Kysely } from 'kysely';
import type { Value } from '@mlops/proto/mlops/events/v1/events_pb';
import { FeatureStatus, type FeatureValue } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import type { FeatureSelection } from '../domain/feature-selection.js';
import { isExpired } from '../domain/freshness.js';
import { microsToTimestamp, type Micros } from '../domain/time.js';
import { decodeRowValues } from '../ingest/feature-row-decoder.js';
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

/** A stored row with its values decoded once, however many of its features are asked for. */
interface DecodedRow {
  readonly eventTimeMicros: Micros;
  readonly values: Readonly<Record<string, Value>>;
}

function answer(row: DecodedRow | undefined, feature: string, ttlMicros: Micros, asOf: Micros): FeatureValue {
  if (!row) return { $typeName: FEATURE_VALUE, status: FeatureStatus.NOT_FOUND };
  const eventTime = microsToTimestamp(row.eventTimeMicros);
  if (isExpired(row.eventTimeMicros, ttlMicros, asOf)) return { $typeName: FEATURE_VALUE, status: FeatureStatus.EXPIRED, eventTime };
  const value = row.values[feature];
  if (value === undefined) return { $typeName: FEATURE_VALUE, status: FeatureStatus.NOT_FOUND, eventTime };
  return { $typeName: FEATURE_VALUE, status: FeatureStatus.PRESENT, value, eventTime };
}

const decoded = (row: HistoricalRow): DecodedRow => ({ eventTimeMicros: row.eventTimeMicros, values: decodeRowValues(row.values) });

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
    const perView = new Map<string, Map<number, DecodedRow>>();
    for (const { view } of selection.views) {
      const found = new Map<number, DecodedRow>();
      for (const [i, row] of await readAsOf(db, view.name, queries)) found.set(i, decoded(row));
      perView.set(view.name, found);
    }
    yield chunk.map((entity, i) => ({
      entity,
      values: selection.features.map((f) => answer(perView.get(f.view.name)?.get(i), f.feature, f.view.ttlMicros, entity.asOfMicros)),
    }));
  }
}

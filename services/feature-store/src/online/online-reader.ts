import type { Kysely } from 'kysely';
import { FeatureStatus, type FeatureValue } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import type { FeatureSelection } from '../domain/feature-selection.js';
import { isExpired } from '../domain/freshness.js';
import type { Micros } from '../domain/time.js';
import { decodeValues } from '../domain/values.js';
import { readOnlineRows } from '../storage/online-store.js';
import type { FeatureStoreTables } from '../storage/schema.js';
import { eventTimeOf, type CachedRow, type OnlineCache } from './online-cache.js';

const FEATURE_VALUE = 'mlops.featurestore.v1.FeatureValue' as const;

const NOT_FOUND: FeatureValue = { $typeName: FEATURE_VALUE, status: FeatureStatus.NOT_FOUND };

export interface OnlineReadStats {
  readonly hits: number;
  readonly misses: number;
}

export interface OnlineReaderOptions {
  readonly cache: OnlineCache;
  readonly db: Kysely<FeatureStoreTables>;
  readonly onStats?: (stats: OnlineReadStats) => void;
}

function presentValue(row: CachedRow, feature: string): FeatureValue {
  const answers = (row.present ??= new Map());
  let answer = answers.get(feature);
  if (!answer) {
    const value = row.values[feature];
    answer =
      value === undefined
        ? // The row carries no value for this feature (rows are snapshots): not found, as of that row.
          { $typeName: FEATURE_VALUE, status: FeatureStatus.NOT_FOUND, eventTime: eventTimeOf(row) }
        : { $typeName: FEATURE_VALUE, status: FeatureStatus.PRESENT, value, eventTime: eventTimeOf(row) };
    answers.set(feature, answer);
  }
  return answer;
}

/**
 * Answers GetOnlineFeatures from the cache. Only keys missing from a view that is not fully
 * loaded go to PostgreSQL (one query per view for all of them); the common case is synchronous
 * work on maps and shared answer objects.
 */
export class OnlineReader {
  constructor(private readonly opts: OnlineReaderOptions) {}

  async read(selection: FeatureSelection, entityKeys: readonly string[], nowMicros: Micros): Promise<FeatureValue[][]> {
    const { cache } = this.opts;
    let misses = 0;
    for (const { view } of selection.views) {
      if (cache.isComplete(view.name)) continue;
      const rows = cache.rowsOf(view.name);
      const missing = rows ? entityKeys.filter((k) => !rows.has(k)) : [...entityKeys];
      if (missing.length === 0) continue;
      misses += missing.length;
      for (const stored of await readOnlineRows(this.opts.db, view.name, [...new Set(missing)])) {
        cache.merge(view.name, stored.entityKey, stored.eventTimeMicros, decodeValues(stored.values));
      }
    }
    this.opts.onStats?.({ hits: entityKeys.length * selection.views.length - misses, misses });
    return this.answer(selection, entityKeys, nowMicros);
  }

  private answer(selection: FeatureSelection, entityKeys: readonly string[], nowMicros: Micros): FeatureValue[][] {
    const { cache } = this.opts;
    const features = selection.features;
    const out: FeatureValue[][] = [];
    for (const key of entityKeys) {
      const values: FeatureValue[] = new Array<FeatureValue>(features.length);
      for (let i = 0; i < features.length; i++) {
        const f = features[i] as (typeof features)[number];
        const row = cache.get(f.view.name, key);
        if (!row) values[i] = NOT_FOUND;
        else if (isExpired(row.eventTimeMicros, f.view.ttlMicros, nowMicros)) {
          values[i] = { $typeName: FEATURE_VALUE, status: FeatureStatus.EXPIRED, eventTime: eventTimeOf(row) };
        } else values[i] = presentValue(row, f.feature);
      }
      out.push(values);
    }
    return out;
  }
}

import type { Kysely } from 'kysely';
import { FeatureStatus } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import type { FeatureSelection } from '../domain/feature-selection.js';
import { isExpired } from '../domain/freshness.js';
import { microsToTimestamp, type Micros } from '../domain/time.js';
import { decodeRowValues } from '../ingest/feature-row-decoder.js';
import { readOnlineRows, type StoredOnlineRow } from '../storage/online-store.js';
import type { FeatureStoreTables } from '../storage/schema.js';
import { featureValueRecord, NOT_FOUND_RECORD, onlineRowRecord } from './online-answers.js';
import type { CachedRow, OnlineCache } from './online-cache.js';

const FEATURE_VALUE = 'mlops.featurestore.v1.FeatureValue' as const;

export interface OnlineReadStats {
  readonly hits: number;
  readonly misses: number;
}

export interface OnlineReaderOptions {
  readonly cache: OnlineCache;
  readonly db: Kysely<FeatureStoreTables>;
  readonly onStats?: (stats: OnlineReadStats) => void;
}

/** Encodes, once per cached row, the answer of each feature it carries (PRESENT at the row's time). */
function answersOf(row: CachedRow): Map<string, Uint8Array> {
  if (row.answers) return row.answers;
  const eventTime = microsToTimestamp(row.eventTimeMicros);
  const answers = new Map<string, Uint8Array>();
  const values = decodeRowValues(row.values);
  for (const name in values) {
    answers.set(name, featureValueRecord({ $typeName: FEATURE_VALUE, status: FeatureStatus.PRESENT, value: values[name], eventTime }));
  }
  return (row.answers = answers);
}

/** The row carries no value for this feature (rows are snapshots): not found, as of that row. */
const missingOf = (row: CachedRow): Uint8Array =>
  (row.missing ??= featureValueRecord({ $typeName: FEATURE_VALUE, status: FeatureStatus.NOT_FOUND, eventTime: microsToTimestamp(row.eventTimeMicros) }));

const expiredOf = (row: CachedRow): Uint8Array =>
  (row.expired ??= featureValueRecord({ $typeName: FEATURE_VALUE, status: FeatureStatus.EXPIRED, eventTime: microsToTimestamp(row.eventTimeMicros) }));

/** The rows one call answers from, by view and entity key, when it could not use the cache directly (undefined: the cache). */
type Snapshot = ReadonlyMap<string, ReadonlyMap<string, CachedRow>> | undefined;

/**
 * Answers GetOnlineFeatures from the cache, as encoded response rows (online-answers.ts). Only
 * keys missing from a view that is not fully loaded go to PostgreSQL (one query per view for
 * all of them); the common case is synchronous work on maps and bytes encoded at first read.
 */
export class OnlineReader {
  constructor(private readonly opts: OnlineReaderOptions) {}

  async read(selection: FeatureSelection, entityKeys: readonly string[], nowMicros: Micros): Promise<Uint8Array[]> {
    const { cache } = this.opts;
    let misses = 0;
    let missingByView: Map<string, string[]> | undefined;
    for (const { view } of selection.views) {
      if (cache.isComplete(view.name)) continue;
      const rows = cache.rowsOf(view.name);
      const missing = rows ? entityKeys.filter((k) => !rows.has(k)) : [...entityKeys];
      if (missing.length === 0) continue;
      misses += missing.length;
      (missingByView ??= new Map()).set(view.name, missing);
    }
    this.opts.onStats?.({ hits: entityKeys.length * selection.views.length - misses, misses });
    // Every row in memory: answered synchronously, nothing can change the cache meanwhile.
    if (missingByView === undefined) return this.answer(selection, entityKeys, nowMicros, undefined);

    // Some rows come from PostgreSQL. While they are awaited, ingestion (or these rows, once
    // merged) may push rows out of a bounded cache, so the answer is built from what was held
    // before the query plus what it returned, and merged into the cache only after.
    const known = new Map<string, Map<string, CachedRow>>();
    for (const { view } of selection.views) {
      const held = new Map<string, CachedRow>();
      for (const key of entityKeys) {
        const row = cache.get(view.name, key);
        if (row) held.set(key, row);
      }
      known.set(view.name, held);
    }
    const fetched: Array<{ view: string; rows: StoredOnlineRow[] }> = [];
    for (const [view, missing] of missingByView) {
      const rows = await readOnlineRows(this.opts.db, view, [...new Set(missing)]);
      // These keys were missing from the snapshot: what the query returned is their answer.
      const held = known.get(view)!;
      for (const stored of rows) held.set(stored.entityKey, stored);
      fetched.push({ view, rows });
    }
    const answer = this.answer(selection, entityKeys, nowMicros, known);
    for (const { view, rows } of fetched) for (const stored of rows) cache.merge(view, stored.entityKey, stored.eventTimeMicros, stored.values);
    return answer;
  }

  /** Per entity, its GetOnlineFeaturesResponse.rows record. */
  private answer(selection: FeatureSelection, entityKeys: readonly string[], nowMicros: Micros, rows: Snapshot): Uint8Array[] {
    const out: Uint8Array[] = new Array<Uint8Array>(entityKeys.length);
    const only = selection.views.length === 1 ? selection.views[0]!.view : undefined;
    if (only) {
      // One view (the common case): per entity, one row, and when it is fresh, the records of
      // this selection already laid out one after the other by an earlier read.
      const viewRows = rows ? rows.get(only.name) : this.opts.cache.rowsOf(only.name);
      for (let k = 0; k < entityKeys.length; k++) {
        const key = entityKeys[k] as string;
        const row = viewRows?.get(key);
        out[k] =
          row && !isExpired(row.eventTimeMicros, only.ttlMicros, nowMicros)
            ? onlineRowRecord(key, [selectedRecords(row, selection)])
            : onlineRowRecord(key, this.records(selection, key, nowMicros, rows));
      }
      return out;
    }
    for (let k = 0; k < entityKeys.length; k++) {
      const key = entityKeys[k] as string;
      out[k] = onlineRowRecord(key, this.records(selection, key, nowMicros, rows));
    }
    return out;
  }

  /** The answer of each selected feature for one entity, in selection order. */
  private records(selection: FeatureSelection, key: string, nowMicros: Micros, rows: Snapshot): Uint8Array[] {
    const features = selection.features;
    const records = new Array<Uint8Array>(features.length);
    for (let i = 0; i < features.length; i++) {
      const f = features[i] as (typeof features)[number];
      const row = rows ? rows.get(f.view.name)?.get(key) : this.opts.cache.get(f.view.name, key);
      if (!row) records[i] = NOT_FOUND_RECORD;
      else if (isExpired(row.eventTimeMicros, f.view.ttlMicros, nowMicros)) records[i] = expiredOf(row);
      else records[i] = answerOf(row, f.feature);
    }
    return records;
  }
}

const answerOf = (row: CachedRow, feature: string): Uint8Array => answersOf(row).get(feature) ?? missingOf(row);

/** The fresh answers of a single-view selection for one row, concatenated once per row and selection. */
function selectedRecords(row: CachedRow, selection: FeatureSelection): Uint8Array {
  if (row.selected?.selection === selection) return row.selected.records;
  const parts = selection.features.map((f) => answerOf(row, f.feature));
  // Its own allocation, not Buffer.concat's shared pool: a cached row must not pin a pool slab.
  const records = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    records.set(p, at);
    at += p.byteLength;
  }
  row.selected = { selection, records };
  return records;
}

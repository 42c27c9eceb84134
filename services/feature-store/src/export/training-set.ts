import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { FeatureSelection } from '../domain/feature-selection.js';
import { readHistorical, type EntityAsOf, type HistoricalResult } from '../historical/historical-reader.js';
import type { FeatureStoreTables } from '../storage/schema.js';
import { csvHeader, csvLines } from './csv.js';
import { writeParquet } from './parquet.js';

export type TrainingSetFormat = 'csv' | 'parquet';

export const MEDIA_TYPES: Record<TrainingSetFormat, string> = {
  csv: 'text/csv',
  parquet: 'application/vnd.apache.parquet',
};

/** The file, as it is sent: chunks, then a summary with the digest the registry records as lineage. */
export type TrainingSetPart =
  | { readonly kind: 'chunk'; readonly bytes: Uint8Array }
  | {
      readonly kind: 'summary';
      readonly sha256: string;
      readonly rows: number;
      readonly bytes: number;
      readonly mediaType: string;
      readonly columns: readonly string[];
    };

export const CHUNK_BYTES = 64 * 1024;

export const trainingSetColumns = (selection: FeatureSelection): string[] => ['entity_key', 'event_timestamp', ...selection.refs];

/** Splits bytes into chunks of at most CHUNK_BYTES (gRPC messages stay small). */
function* chunks(bytes: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < bytes.byteLength; at += CHUNK_BYTES) yield bytes.subarray(at, Math.min(at + CHUNK_BYTES, bytes.byteLength));
}

/**
 * Writes the point-in-time training set as CSV (streamed as it is computed) or Parquet (built
 * at the end), hashing exactly the bytes sent, so the digest identifies the file a trainer got.
 */
export async function* exportTrainingSet(
  db: Kysely<FeatureStoreTables>,
  selection: FeatureSelection,
  entities: readonly EntityAsOf[],
  format: TrainingSetFormat,
): AsyncGenerator<TrainingSetPart> {
  const columns = trainingSetColumns(selection);
  const hash = createHash('sha256');
  let size = 0;
  let rowCount = 0;
  const emit = function* (bytes: Uint8Array): Generator<TrainingSetPart> {
    for (const chunk of chunks(bytes)) {
      hash.update(chunk);
      size += chunk.byteLength;
      yield { kind: 'chunk', bytes: chunk };
    }
  };

  if (format === 'csv') {
    yield* emit(Buffer.from(csvHeader(columns)));
    for await (const rows of readHistorical(db, selection, entities)) {
      rowCount += rows.length;
      yield* emit(Buffer.from(csvLines(rows)));
    }
  } else {
    const all: HistoricalResult[] = [];
    for await (const rows of readHistorical(db, selection, entities)) all.push(...rows);
    rowCount = all.length;
    yield* emit(writeParquet(columns, selection.features, all));
  }
  yield { kind: 'summary', sha256: hash.digest('hex'), rows: rowCount, bytes: size, mediaType: MEDIA_TYPES[format], columns };
}

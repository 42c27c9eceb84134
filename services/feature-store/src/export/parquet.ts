import { parquetWriteBuffer, type ColumnSource, type SchemaElement } from 'hyparquet-writer';
import { FeatureStatus, type FeatureValue } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import type { SelectedFeature } from '../domain/feature-selection.js';
import type { FeatureType } from '../domain/values.js';
import type { HistoricalResult } from '../historical/historical-reader.js';

type Cell = number | bigint | string | boolean | Uint8Array | null;

function schemaElement(name: string, type: FeatureType): SchemaElement {
  switch (type) {
    case 'double':
      return { name, type: 'DOUBLE', repetition_type: 'OPTIONAL' };
    case 'int64':
      return { name, type: 'INT64', repetition_type: 'OPTIONAL' };
    case 'string':
      return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' };
    case 'bool':
      return { name, type: 'BOOLEAN', repetition_type: 'OPTIONAL' };
    case 'bytes':
      return { name, type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' };
  }
}

/** A value of the declared type, or null (not present, explicit null, or stored under another type). */
function cellOf(v: FeatureValue, type: FeatureType): Cell {
  if (v.status !== FeatureStatus.PRESENT || !v.value) return null;
  const kind = v.value.kind;
  switch (kind.case) {
    case 'doubleValue':
      return type === 'double' ? kind.value : null;
    case 'int64Value':
      return type === 'int64' ? kind.value : null;
    case 'stringValue':
      return type === 'string' ? kind.value : null;
    case 'boolValue':
      return type === 'bool' ? kind.value : null;
    case 'bytesValue':
      return type === 'bytes' ? kind.value : null;
    default:
      return null;
  }
}

/**
 * A Parquet file of a training set, typed from the view definitions: entity_key (UTF8),
 * event_timestamp (INT64 TIMESTAMP_MICROS, the entity row's as-of time), one optional column
 * per feature. Pure JS (hyparquet-writer), written in memory at the end, since Parquet's
 * footer needs every row group first.
 */
export function writeParquet(columns: readonly string[], features: readonly SelectedFeature[], rows: readonly HistoricalResult[]): Uint8Array {
  const [keyColumn, timeColumn, ...featureColumns] = columns as [string, string, ...string[]];
  const schema: SchemaElement[] = [
    { name: 'root', num_children: columns.length },
    { name: keyColumn, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
    { name: timeColumn, type: 'INT64', converted_type: 'TIMESTAMP_MICROS', repetition_type: 'REQUIRED' },
    ...features.map((f, i) => schemaElement(featureColumns[i] as string, f.type)),
  ];
  const columnData: ColumnSource[] = [
    { name: keyColumn, data: rows.map((r) => r.entity.entityKey) },
    { name: timeColumn, data: rows.map((r) => BigInt(r.entity.asOfMicros)) },
    ...features.map((f, i) => ({ name: featureColumns[i] as string, data: rows.map((r) => cellOf(r.values[i] as FeatureValue, f.type)) })),
  ];
  return new Uint8Array(parquetWriteBuffer({ columnData, schema, createdBy: 'mlops feature-store' }));
}

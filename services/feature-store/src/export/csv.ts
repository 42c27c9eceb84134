import { FeatureStatus, type FeatureValue } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { microsToIso } from '../domain/time.js';
import { valueToText } from '../domain/values.js';
import type { HistoricalResult } from '../historical/historical-reader.js';

/** RFC 4180: quote a cell that holds a comma, quote or line break; double inner quotes. */
export function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const cellOf = (v: FeatureValue): string => (v.status === FeatureStatus.PRESENT && v.value ? valueToText(v.value) : '');

export const csvHeader = (columns: readonly string[]): string => `${columns.map(csvCell).join(',')}\r\n`;

/**
 * Data lines: entity key, the row's timestamp (ISO 8601, µs when not whole ms), then one cell
 * per feature; a value that is not PRESENT (and a null) is an empty cell.
 */
export function csvLines(rows: readonly HistoricalResult[]): string {
  let out = '';
  for (const row of rows) {
    out += `${csvCell(row.entity.entityKey)},${microsToIso(row.entity.asOfMicros)}`;
    for (const v of row.values) out += `,${csvCell(cellOf(v))}`;
    out += '\r\n';
  }
  return out;
}

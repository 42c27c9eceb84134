import { toJson, type DescEnum, type DescMessage, type JsonValue, type MessageShape } from '@bufbuild/protobuf';

export interface Column {
  readonly header: string;
  /** Numbers read best right-aligned, so their digits line up. */
  readonly align?: 'left' | 'right';
}

/** Display width of a string: code points, so "✓" or "é" count as one column. */
const width = (text: string): number => [...text].length;

const pad = (text: string, to: number, align: 'left' | 'right'): string => {
  const fill = ' '.repeat(Math.max(0, to - width(text)));
  return align === 'right' ? fill + text : text + fill;
};

/**
 * An aligned plain-text table: a header row, then one line per row, columns two spaces apart.
 * No borders, so the output still greps and cuts well. Trailing spaces are trimmed.
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  return alignRows(columns, [columns.map((c) => c.header), ...rows]);
}

/** Rows aligned in columns without a header line (help screens: flag, then what it does). */
export function renderRows(rows: readonly (readonly string[])[], indent = ''): string {
  const columnCount = Math.max(0, ...rows.map((row) => row.length));
  const columns: Column[] = Array.from({ length: columnCount }, () => ({ header: '' }));
  return alignRows(columns, rows)
    .split('\n')
    .map((line) => (line === '' ? line : indent + line))
    .join('\n');
}

function alignRows(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((_, i) => Math.max(0, ...rows.map((row) => width(row[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    columns
      .map((column, i) => pad(cells[i] ?? '', widths[i] ?? 0, column.align ?? 'left'))
      .join('  ')
      .trimEnd();
  return rows.map(line).join('\n') + '\n';
}

/** "key: value" lines with the values aligned, for one object (`models show`). */
export function renderFields(fields: readonly (readonly [string, string])[]): string {
  const keyWidth = Math.max(0, ...fields.map(([key]) => width(key) + 1));
  return fields.map(([key, value]) => `${pad(`${key}:`, keyWidth, 'left')} ${value}`.trimEnd()).join('\n') + '\n';
}

/**
 * A protobuf message in its canonical JSON form. Fields at their default are written too, so
 * scripts can rely on a field being present (`.version.version`, never a missing key for 0).
 */
export const messageJson = <D extends DescMessage>(schema: D, message: MessageShape<D>): JsonValue =>
  toJson(schema, message, { alwaysEmitImplicit: true });

export const renderJson = (value: JsonValue): string => JSON.stringify(value, null, 2) + '\n';

/** Compact number for tables: integers as they are, others with up to 4 significant decimals. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e9)) return value.toExponential(3);
  return String(Number(value.toPrecision(6)));
}

/** Signed difference, e.g. "+0.012" or "-3", for diffs and reports. */
export const formatDelta = (delta: number): string => (delta > 0 ? `+${formatNumber(delta)}` : formatNumber(delta));

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/** "2024-05-01 12:00:03" in UTC: sortable, unambiguous, and short enough for a table. */
export const formatTime = (date: Date | undefined): string =>
  date === undefined || Number.isNaN(date.getTime()) || date.getTime() === 0 ? '-' : date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');

/** "a=1, b=2" with keys sorted, for maps shown in one table cell. */
export const formatMap = (map: Readonly<Record<string, string | number | bigint>>): string =>
  Object.keys(map)
    .sort()
    .map((key) => `${key}=${typeof map[key] === 'number' ? formatNumber(map[key]) : String(map[key])}`)
    .join(', ') || '-';

/** An enum value as people read it: ModelStatus.ACTIVE -> "active" (the shared prefix dropped). */
export function enumLabel(desc: DescEnum, value: number): string {
  const found = desc.values.find((v) => v.number === value);
  return found === undefined ? String(value) : found.localName.toLowerCase();
}

import type { Timestamp } from '@bufbuild/protobuf/wkt';
import { isUtf8 } from 'node:buffer';
import { isAscii, readTimestamp, RecentStrings, tagOf, WireError, WireReader, WireType } from '@mlops/wire';
import { create, toBinary } from '@bufbuild/protobuf';
import { FeatureRowSchema, type FeatureRow, type FeatureRows, type Value } from '@mlops/proto/mlops/events/v1/events_pb';
import type { EncodedRow, IncomingRow, RowBatch, ValuesLayout } from '../domain/rows.js';
import type { Micros } from '../domain/time.js';
import type { ValueKind } from '../domain/values.js';

/**
 * A decoder specialised for mlops.events.v1.FeatureRow. Ingestion decodes every row of every
 * batch (≥ 50k rows/s of 20 features is the target); protobuf-es's reflective decoder spends
 * most of that budget on map<string, Value>. This one reads the few fields of the schema
 * directly and interns feature names. `scanFeatureRow` (ingestion) checks a row and leaves its
 * values in their wire encoding; `decodeFeatureRow` yields the same shapes protobuf-es would.
 * Unknown fields are skipped, as any protobuf decoder does; malformed input throws.
 *
 *   FeatureRow: 1 entity_key (string), 2 event_time (Timestamp), 3 values (map<string, Value>)
 *   Timestamp:  1 seconds (int64), 2 nanos (int32)
 *   map entry:  1 key (string), 2 value (Value)
 *   Value:      1 double, 2 int64, 3 string, 4 bool, 5 bytes (a oneof; none set: null)
 */

const { Varint: VARINT, Bit64: BIT64, LengthDelimited: LEN } = WireType;

/** Feature names by their position in the row's map, as last decoded. */
const recentNames = new RecentStrings(256);

const VALUE = 'mlops.events.v1.Value' as const;

function decodeValue(c: WireReader, end: number): Value {
  let kind: Value['kind'] = { case: undefined };
  while (c.pos < end) {
    const tag = c.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === BIT64) kind = { case: 'doubleValue', value: c.double() };
    else if (field === 2 && wire === VARINT) kind = { case: 'int64Value', value: c.int64() };
    else if (field === 3 && wire === LEN) kind = { case: 'stringValue', value: c.string() };
    else if (field === 4 && wire === VARINT) kind = { case: 'boolValue', value: c.uint32() !== 0 };
    else if (field === 5 && wire === LEN) {
      const n = c.length();
      kind = { case: 'bytesValue', value: c.buf.slice(c.pos, c.pos + n) };
      c.pos += n;
    } else c.skip(wire);
  }
  c.expectAt(end, 'value');
  return { $typeName: VALUE, kind };
}

function decodeTimestamp(c: WireReader, end: number): Timestamp {
  const { seconds, nanos } = readTimestamp(c, end);
  return { $typeName: 'google.protobuf.Timestamp', seconds: BigInt(seconds), nanos };
}

const NULL_VALUE = (): Value => ({ $typeName: VALUE, kind: { case: undefined } });

const KIND_OF_FIELD: readonly (ValueKind | undefined)[] = [undefined, 'double', 'int64', 'string', 'bool', 'bytes'];
const WIRE_OF_FIELD: readonly number[] = [-1, BIT64, VARINT, LEN, VARINT, LEN];

/**
 * Checks one Value's encoding without building it and returns its kind (the last oneof field
 * on the wire wins, as in protobuf). Strings must be UTF-8: what is stored must decode later.
 */
function scanValue(c: WireReader, end: number): ValueKind {
  let kind: ValueKind = 'null';
  while (c.pos < end) {
    const tag = c.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    const known = field >= 1 && field <= 5 && WIRE_OF_FIELD[field] === wire ? KIND_OF_FIELD[field] : undefined;
    if (known === undefined) {
      c.skip(wire);
      continue;
    }
    kind = known;
    if (known === 'string') {
      const n = c.length();
      if (!isAscii(c.buf, c.pos, c.pos + n) && !isUtf8(c.buf.subarray(c.pos, c.pos + n))) throw new WireError('invalid UTF-8 in a string');
      c.pos += n;
    } else {
      if (known === 'double') scratchDoubles[doubles++] = c.pos;
      c.skip(wire);
    }
  }
  c.expectAt(end, 'value');
  return kind;
}


/** Where the payloads of the row's doubles start (8 bytes each), for `rememberTemplate`. */
const scratchDoubles: number[] = [];
let doubles = 0;

/**
 * The values of the last row scanned entry by entry, and the byte ranges outside its doubles'
 * payloads. A producer writes row after row in one layout, and such rows differ only in those
 * payloads: a row whose values equal the template's bytes everywhere else has the same names
 * and kinds and is well-formed for the same reasons (any 8 bytes are a double), so one byte
 * comparison stands in for scanning its 20 entries.
 */
interface ValuesTemplate {
  readonly bytes: Uint8Array;
  /** [from, to) pairs, relative to the values' start, that must be equal. */
  readonly exact: Int32Array;
  readonly layout: ValuesLayout;
}
let template: ValuesTemplate | undefined;

function matchesTemplate(t: ValuesTemplate, bytes: Uint8Array, start: number): boolean {
  const expected = t.bytes;
  const exact = t.exact;
  for (let s = 0; s < exact.length; s += 2) {
    for (let i = exact[s]!, end = exact[s + 1]!; i < end; i++) if (expected[i] !== bytes[start + i]) return false;
  }
  return true;
}

function rememberTemplate(values: Uint8Array, start: number, layout: ValuesLayout): void {
  const exact = new Int32Array(2 * (doubles + 1));
  let from = 0;
  for (let d = 0; d < doubles; d++) {
    exact[2 * d] = from;
    exact[2 * d + 1] = scratchDoubles[d]! - start;
    from = scratchDoubles[d]! - start + 8;
  }
  exact[2 * doubles] = from;
  exact[2 * doubles + 1] = values.byteLength;
  template = { bytes: values.slice(), exact, layout };
}

/** Names and kinds of the row being scanned, compared with the previous row's layout at the end. */
const scratchNames: string[] = [];
const scratchKinds: ValueKind[] = [];
const scratchRanges: number[] = [];
let lastLayout: ValuesLayout = { names: [], kinds: [] };

function layoutOfScratch(n: number): ValuesLayout {
  const last = lastLayout;
  if (last.names.length === n) {
    let same = true;
    for (let i = 0; i < n && same; i++) same = last.names[i] === scratchNames[i] && last.kinds[i] === scratchKinds[i];
    if (same) return last;
  }
  lastLayout = { names: scratchNames.slice(0, n), kinds: scratchKinds.slice(0, n) };
  return lastLayout;
}

/** The key of the map entry `readMapEntry` read last: a module slot, so the hot loop allocates no pair. */
let mapEntryKey = '';

/**
 * Reads one FeatureRow.values map entry (the body of a field-3 record, the cursor at its length),
 * its value with `readValue` (scanned or decoded); leaves its key in `mapEntryKey` and the cursor
 * at the entry's end.
 */
function readMapEntry<V>(c: WireReader, index: number, readValue: (c: WireReader, end: number) => V): V | undefined {
  const length = c.length(); // read first: it moves the cursor past the length prefix
  const entryEnd = c.pos + length;
  mapEntryKey = '';
  let value: V | undefined;
  while (c.pos < entryEnd) {
    const t = c.uint32();
    if (t === tagOf(1, LEN)) mapEntryKey = c.recentString(recentNames, index);
    else if (t === tagOf(2, LEN)) {
      const n = c.length();
      value = readValue(c, c.pos + n);
    } else c.skip(t & 7);
  }
  c.expectAt(entryEnd, 'map entry');
  return value;
}

/**
 * Checks one encoded FeatureRow and returns its key, event time and values, the values as the
 * row's own field-3 records (a FeatureRow holding only values): what is stored and cached, so
 * ingestion never builds a Value object. Rows whose values are not one run of records (fields
 * interleaved) get their records copied into one.
 */
export function scanFeatureRow(bytes: Uint8Array): EncodedRow {
  const c = new WireReader(bytes, 0, bytes.byteLength);
  let entityKey = '';
  let eventTimeMicros: Micros | undefined;
  let entries = 0;
  let ranges = 0;
  doubles = 0;
  while (c.pos < c.end) {
    const tagStart = c.pos;
    const tag = c.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === LEN) entityKey = c.string();
    else if (field === 2 && wire === LEN) {
      const n = c.length();
      const ts = readTimestamp(c, c.pos + n);
      eventTimeMicros = ts.seconds * 1_000_000 + Math.floor(ts.nanos / 1000);
    } else if (field === 3 && wire === LEN) {
      // Values that run to the end of the row in the template's layout: nothing left to scan.
      if (entries === 0 && template !== undefined && c.end - tagStart === template.bytes.byteLength && matchesTemplate(template, bytes, tagStart)) {
        return { entityKey, eventTimeMicros, values: bytes.subarray(tagStart, c.end), layout: template.layout };
      }
      const kind = readMapEntry(c, entries, scanValue) ?? 'null';
      const entryEnd = c.pos;
      scratchNames[entries] = mapEntryKey;
      scratchKinds[entries] = kind;
      entries++;
      if (ranges > 0 && scratchRanges[2 * ranges - 1] === tagStart) scratchRanges[2 * ranges - 1] = entryEnd;
      else {
        scratchRanges[2 * ranges] = tagStart;
        scratchRanges[2 * ranges + 1] = entryEnd;
        ranges++;
      }
    } else c.skip(wire);
  }
  const values = valueRecords(bytes, ranges);
  const layout = layoutOfScratch(entries);
  if (ranges === 1 && scratchRanges[1] === c.end) rememberTemplate(values, scratchRanges[0]!, layout);
  return { entityKey, eventTimeMicros, values, layout };
}

function valueRecords(bytes: Uint8Array, ranges: number): Uint8Array {
  if (ranges === 0) return bytes.subarray(0, 0);
  if (ranges === 1) return bytes.subarray(scratchRanges[0], scratchRanges[1]);
  let size = 0;
  for (let r = 0; r < ranges; r++) size += (scratchRanges[2 * r + 1] as number) - (scratchRanges[2 * r] as number);
  const out = new Uint8Array(size);
  let at = 0;
  for (let r = 0; r < ranges; r++) {
    const part = bytes.subarray(scratchRanges[2 * r], scratchRanges[2 * r + 1]);
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/** Decodes one encoded FeatureRow (as carried by FeatureRowsEnvelope.rows). */
export function decodeFeatureRow(bytes: Uint8Array): FeatureRow {
  const c = new WireReader(bytes, 0, bytes.byteLength);
  let entityKey = '';
  let eventTime: Timestamp | undefined;
  const values: Record<string, Value> = {};
  let entryIndex = 0;
  while (c.pos < c.end) {
    const tag = c.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === LEN) entityKey = c.string();
    else if (field === 2 && wire === LEN) {
      const n = c.length();
      eventTime = decodeTimestamp(c, c.pos + n);
    } else if (field === 3 && wire === LEN) {
      const value = readMapEntry(c, entryIndex, decodeValue);
      values[mapEntryKey] = value ?? NULL_VALUE();
      entryIndex++;
    } else c.skip(wire);
  }
  return eventTime === undefined
    ? { $typeName: 'mlops.events.v1.FeatureRow', entityKey, values }
    : { $typeName: 'mlops.events.v1.FeatureRow', entityKey, eventTime, values };
}

/** The Values of encoded values (FeatureRow field-3 records, as stored and cached). */
export const decodeRowValues = (values: Uint8Array): Record<string, Value> => decodeFeatureRow(values).values;

/** Values as FeatureRow field-3 records (rows that arrive decoded: Push, tests). */
export const encodeRowValues = (values: Readonly<Record<string, Value>>): Uint8Array =>
  toBinary(FeatureRowSchema, create(FeatureRowSchema, { values }));

/** One encoded row as ingestion takes it: scanned, or why it could not be (the batch goes on). */
export function scanIncomingRow(bytes: Uint8Array): IncomingRow {
  try {
    return scanFeatureRow(bytes);
  } catch (err) {
    return { undecodable: err instanceof Error ? err.message : String(err) };
  }
}

/** A batch that arrived decoded (Push), seen as ingestion sees NATS rows. */
export const scanFeatureRows = (batch: FeatureRows): RowBatch => ({
  view: batch.view,
  producer: batch.producer,
  rows: batch.rows.map((row) => scanIncomingRow(toBinary(FeatureRowSchema, row))),
});

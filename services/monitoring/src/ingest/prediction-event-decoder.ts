/**
 * A decoder specialised for mlops.events.v1.PredictionEvent, the event monitoring reads tens of
 * thousands of a second (target ≥ 30,000/s of 20 features). protobuf-es's reflective decoder
 * builds a Value object and a oneof object per feature, and that garbage, held across the batch's
 * database round trips, cost more than everything else ingestion does. This one reads the
 * prediction's scalar fields and outputs, and its inputs into flat arrays by position (names
 * shared by every event with the same layout, numbers, and categories when there are any) that
 * `visitPredictionColumns` walks.
 * Shadow comparisons (one per shadowed request) are decoded by protobuf-es.
 *
 * Protobuf semantics are kept: unknown fields are skipped, the last of a repeated scalar wins, a
 * message field seen twice is the merge of both (the decoder scans them as one), and a map key
 * seen twice keeps its last value at its first position.
 *
 *   PredictionEvent: 1 prediction (Prediction), 2 shadow (ShadowComparison): a oneof
 *   Prediction: 1 prediction_id, 2 model, 3 version (int64), 5 entity_key, 7 inputs (map<string, Value>),
 *               8 outputs (Tensor), 9 latency_ms (double), 11 served_at (Timestamp), 12 error_code
 *   Tensor:     1 name, 2 shape (int64, packed or not), 3 values (double, packed or not)
 *   Value:      1 double, 2 int64, 3 string, 4 bool, 5 bytes (a oneof; none set: missing)
 */
import { fromBinary } from '@bufbuild/protobuf';
import { ShadowComparisonSchema, type ShadowComparison } from '@mlops/proto/mlops/events/v1/events_pb';
import { decodeUtf8, readTimestamp, RecentStrings, tagOf, WireError, WireReader, WireType } from '@mlops/wire';
import type { ColumnVisitor } from './columns.js';
import { MAX_TRACKED_OUTPUT_VALUES } from './columns.js';

const { Varint: VARINT, Bit64: BIT64, LengthDelimited: LEN } = WireType;

export interface OutputTensor {
  readonly name: string;
  readonly values: readonly number[];
}

/** A prediction as ingestion reads it: every field it uses, and its inputs still encoded. */
export interface PredictionRecord {
  readonly predictionId: string;
  readonly model: string;
  readonly version: bigint;
  readonly entityKey: string;
  readonly latencyMs: number;
  readonly errorCode: string;
  /** served_at, when the event has one. */
  readonly servedAt: { readonly seconds: number; readonly nanos: number } | undefined;
  readonly outputs: readonly OutputTensor[];
  readonly inputs: PredictionInputs;
}

/**
 * A prediction's inputs by position: a name (the array is shared by events that name the same
 * inputs in the same order), a number (not finite where there is none: a missing value, bytes, a
 * non-finite double, or a category) and, only when some value is a string or a bool, the category.
 */
export interface PredictionInputs {
  readonly names: readonly string[];
  readonly numbers: readonly number[];
  readonly categories: ReadonlyArray<string | undefined> | undefined;
}

export type DecodedPredictionEvent =
  | { readonly kind: 'prediction'; readonly prediction: PredictionRecord }
  | { readonly kind: 'shadow'; readonly shadow: ShadowComparison }
  | { readonly kind: undefined };

/** Input names by their position in the map, as last read. */
const recentInputNames = new RecentStrings(256);

/** Decodes one PredictionEvent payload; throws WireError (the event is dead-lettered) when malformed. */
export function decodePredictionEvent(payload: Uint8Array): DecodedPredictionEvent {
  const r = new WireReader(payload);
  // The oneof's last field wins; a message field seen more than once is the merge of its parts.
  let kind: 1 | 2 | undefined;
  let parts: Uint8Array[] = [];
  while (!r.done) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if ((field === 1 || field === 2) && (tag & 7) === LEN) {
      if (kind !== field) parts = [];
      kind = field;
      parts.push(r.bytes());
    } else r.skip(tag & 7);
  }
  if (kind === undefined) return { kind: undefined };
  const message = parts.length === 1 ? parts[0]! : concat(parts);
  if (kind === 2) return { kind: 'shadow', shadow: fromBinary(ShadowComparisonSchema, message) };
  return { kind: 'prediction', prediction: readPrediction(message) };
}

function readPrediction(encoded: Uint8Array): PredictionRecord {
  const r = new WireReader(encoded);
  // (A malformed event can leave the scratch inputs half written: they start over here.)
  scratchHasCategories = false;
  let predictionId = '';
  let model = '';
  let version = 0n;
  let entityKey = '';
  let latencyMs = 0;
  let errorCode = '';
  let servedAt: { seconds: number; nanos: number } | undefined;
  const outputs: OutputTensor[] = [];
  let inputs = 0;
  while (!r.done) {
    const tag = r.uint32();
    switch (tag) {
      case tagOf(1, LEN):
        predictionId = r.string();
        break;
      case tagOf(2, LEN):
        model = r.string();
        break;
      case tagOf(3, VARINT):
        version = r.int64();
        break;
      case tagOf(5, LEN):
        entityKey = r.string();
        break;
      case tagOf(7, LEN): {
        readInputEntry(r, inputs);
        inputs++;
        break;
      }
      case tagOf(8, LEN):
        outputs.push(readTensor(r));
        break;
      case tagOf(9, BIT64):
        latencyMs = r.double();
        break;
      case tagOf(11, LEN):
        servedAt = readTimestamp(r, r.fieldEnd(), servedAt);
        break;
      case tagOf(12, LEN):
        errorCode = r.string();
        break;
      default:
        // Fields ingestion does not read (variant, request_key, trace_id, error_message) are still checked to be well-formed.
        if (tag >>> 3 === 0) throw new WireError('field number 0');
        r.skip(tag & 7);
    }
  }
  return { predictionId, model, version, entityKey, latencyMs, errorCode, servedAt, outputs, inputs: collectInputs(inputs) };
}

/** The inputs of the prediction being read, by position. */
const scratchNames: string[] = [];
const scratchNumbers: number[] = [];
const scratchCategories: Array<string | undefined> = [];
let scratchHasCategories = false;
/** The last distinct list of input names and whether it had no duplicates (producers send the same names message after message). */
let lastLayout: { readonly names: readonly string[]; readonly unique: boolean } = { names: [], unique: true };

function collectInputs(count: number): PredictionInputs {
  const last = lastLayout.names;
  let same = last.length === count;
  for (let i = 0; same && i < count; i++) same = last[i] === scratchNames[i];
  if (!same) {
    const names = scratchNames.slice(0, count);
    lastLayout = { names, unique: new Set(names).size === count };
  }
  const categories = scratchHasCategories ? scratchCategories.slice(0, count) : undefined;
  const inputs = { names: lastLayout.names, numbers: scratchNumbers.slice(0, count), categories };
  return lastLayout.unique ? inputs : lastValuePerName(inputs);
}

/** A map key seen twice keeps its last value, at its first position (as protobuf-es decodes a map). */
function lastValuePerName(inputs: PredictionInputs): PredictionInputs {
  const at = new Map<string, number>();
  const names: string[] = [];
  const numbers: number[] = [];
  const categories: Array<string | undefined> = [];
  inputs.names.forEach((name, i) => {
    let j = at.get(name);
    if (j === undefined) at.set(name, (j = names.push(name) - 1));
    numbers[j] = inputs.numbers[i]!;
    categories[j] = inputs.categories?.[i];
  });
  return { names, numbers, categories: inputs.categories && categories };
}

function readTensor(r: WireReader): OutputTensor {
  const end = r.fieldEnd();
  let name = '';
  const values: number[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === tagOf(1, LEN)) name = r.string();
    else if (tag === tagOf(3, BIT64)) values.push(r.double());
    else if (tag === tagOf(3, LEN)) {
      const packedEnd = r.fieldEnd();
      if ((packedEnd - r.pos) % 8 !== 0) throw new WireError('packed doubles: length is not a multiple of 8');
      while (r.pos < packedEnd) values.push(r.double());
    } else r.skip(tag & 7);
  }
  r.expectAt(end, 'output tensor');
  return { name, values };
}

/**
 * Visits a decoded prediction's columns: every input (a double or int64 as a number, a string or
 * bool as a category, bytes or no value as missing, a non-finite double as missing) and every
 * output value ("output:<tensor>" for one-value tensors, "output:<tensor>[i]" for short vectors).
 */
export function visitPredictionColumns(p: PredictionRecord, visitor: ColumnVisitor): void {
  const { names, numbers, categories } = p.inputs;
  for (let i = 0; i < names.length; i++) {
    const category = categories?.[i];
    if (category !== undefined) visitor.categorical(names[i]!, category);
    else if (Number.isFinite(numbers[i])) visitor.numeric(names[i]!, numbers[i]!);
    else visitor.missing(names[i]!);
  }
  for (const t of p.outputs) {
    if (t.values.length === 1) visitor.numeric(`output:${t.name}`, t.values[0]!);
    else if (t.values.length <= MAX_TRACKED_OUTPUT_VALUES) t.values.forEach((x, i) => visitor.numeric(`output:${t.name}[${i}]`, x));
  }
}

const NONE = 0;
const DOUBLE = 1;
const INT64 = 2;
const STRING = 3;
const BOOL = 4;

/** Reads one inputs map entry into position `index` of the scratch inputs. */
function readInputEntry(r: WireReader, index: number): void {
  const end = r.fieldEnd();
  let key = '';
  // The Value's oneof: the last field on the wire wins (a Value seen twice is the merge of both).
  let kind = NONE;
  let number = 0;
  let stringStart = 0;
  let stringEnd = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === tagOf(1, LEN)) key = r.recentString(recentInputNames, index);
    else if (tag === tagOf(2, LEN)) {
      const valueEnd = r.fieldEnd();
      while (r.pos < valueEnd) {
        const t = r.uint32();
        switch (t) {
          case tagOf(1, BIT64):
            kind = DOUBLE;
            number = r.double();
            break;
          case tagOf(2, VARINT):
            kind = INT64;
            number = Number(r.int64());
            break;
          case tagOf(3, LEN): {
            const n = r.length();
            kind = STRING;
            stringStart = r.pos;
            stringEnd = r.pos += n;
            break;
          }
          case tagOf(4, VARINT):
            kind = BOOL;
            number = r.uint32();
            break;
          case tagOf(5, LEN):
            kind = NONE;
            r.skip(LEN);
            break;
          default:
            r.skip(t & 7);
        }
      }
      r.expectAt(valueEnd, 'input value');
    } else r.skip(tag & 7);
  }
  r.expectAt(end, 'inputs entry');
  scratchNames[index] = key;
  // A non-finite double is missing (NaN), bytes and an unset value too; strings and bools are categories.
  scratchNumbers[index] = kind === DOUBLE || kind === INT64 ? number : Number.NaN;
  if (kind === STRING || kind === BOOL) {
    if (!scratchHasCategories) {
      scratchCategories.fill(undefined, 0, index);
      scratchHasCategories = true;
    }
    scratchCategories[index] = kind === STRING ? decodeUtf8(r.buf, stringStart, stringEnd) : number !== 0 ? 'true' : 'false';
  } else if (scratchHasCategories) scratchCategories[index] = undefined;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

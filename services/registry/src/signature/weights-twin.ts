/**
 * A "weights twin" of a large ONNX artifact: the same ModelProto with the raw data of its big
 * initializers replaced by ONNX external-data references into the artifact file itself (location,
 * offset, length). onnxruntime maps external data instead of copying it, so loading the twin
 * checks the same graph, types, shapes and operators, and that every weight's bytes are there
 * (their length against the tensor's dims), in milliseconds and with almost no memory, where
 * loading the artifact copies every weight (seconds, and gigabytes for a 2 GiB model).
 *
 * The artifact is read by positioned reads of its field headers only; weight bytes are never
 * read. Anything unexpected (a malformed file, a graph field seen twice, tensors that already use
 * external data) yields no twin, and the artifact itself is loaded as before.
 *
 *   ModelProto: 7 graph (GraphProto)          GraphProto: 5 initializer (TensorProto)
 *   TensorProto: 9 raw_data, 13 external_data (StringStringEntryProto: 1 key, 2 value), 14 data_location
 */
import { open, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { tagOf, varintSize, WireError, WireReader, WireType, writeVarint } from '@mlops/wire';

/** Initializers with at least this much raw data are referenced, not copied. */
export const TWIN_MIN_TENSOR_BYTES = 1024 * 1024;
/** Artifacts smaller than this load fast enough as they are. */
export const TWIN_MIN_ARTIFACT_BYTES = 8 * 1024 * 1024;

const { Varint: VARINT, Bit64: BIT64, LengthDelimited: LEN, Bit32: BIT32 } = WireType;
const EXTERNAL = 1;

/** One field of a message in the file: where its record (tag included) and its value lie. */
interface FieldSpan {
  readonly field: number;
  readonly wireType: number;
  readonly recordStart: number;
  readonly valueStart: number;
  readonly end: number;
}

/** Reads a file's bytes at positions through a window, so walking field headers costs few reads. */
class PositionedBytes {
  private window = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly file: FileHandle,
    readonly size: number,
  ) {}

  async at(position: number, length: number): Promise<Uint8Array> {
    if (position < this.windowStart || position + length > this.windowStart + this.window.byteLength) {
      const size = Math.max(length, 64 * 1024);
      const buffer = Buffer.allocUnsafe(Math.min(size, Math.max(0, this.size - position)));
      const { bytesRead } = await this.file.read(buffer, 0, buffer.byteLength, position);
      this.window = buffer.subarray(0, bytesRead);
      this.windowStart = position;
    }
    const from = position - this.windowStart;
    return this.window.subarray(from, Math.min(from + length, this.window.byteLength));
  }
}

/** The fields of the message in [start, end) of the file, headers read, values skipped. */
async function fieldsOf(bytes: PositionedBytes, start: number, end: number): Promise<FieldSpan[]> {
  const fields: FieldSpan[] = [];
  let pos = start;
  while (pos < end) {
    const header = await bytes.at(pos, Math.min(20, end - pos));
    const r = new WireReader(header);
    const tag = r.uint32();
    const wireType = tag & 7;
    let valueStart = pos + r.pos;
    let valueEnd: number;
    switch (wireType) {
      case VARINT:
        r.int64();
        valueEnd = pos + r.pos;
        break;
      case BIT64:
        valueEnd = valueStart + 8;
        break;
      case BIT32:
        valueEnd = valueStart + 4;
        break;
      case LEN: {
        const n = r.uint32();
        valueStart = pos + r.pos;
        valueEnd = valueStart + n;
        break;
      }
      default:
        throw new WireError(`unsupported wire type ${wireType}`);
    }
    if (tag >>> 3 === 0) throw new WireError('field number 0');
    if (valueEnd > end) throw new WireError('field past the end of its message');
    fields.push({ field: tag >>> 3, wireType, recordStart: pos, valueStart, end: valueEnd });
    pos = valueEnd;
  }
  return fields;
}

function lengthDelimited(field: number, body: readonly Uint8Array[]): Uint8Array[] {
  const length = body.reduce((n, b) => n + b.byteLength, 0);
  const tag = tagOf(field, LEN);
  const header = new Uint8Array(varintSize(tag) + varintSize(length));
  writeVarint(header, writeVarint(header, 0, tag), length);
  return [header, ...body];
}

const utf8 = new TextEncoder();
const stringEntry = (key: string, value: string): Uint8Array[] =>
  lengthDelimited(13, [...lengthDelimited(1, [utf8.encode(key)]), ...lengthDelimited(2, [utf8.encode(value)])]);

/**
 * Writes the twin of the artifact at `path` next to it and returns its path, or undefined when
 * the artifact is small, has no big raw-data initializer, or is not what the twin can describe.
 */
export async function writeWeightsTwin(path: string): Promise<string | undefined> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    if (size < TWIN_MIN_ARTIFACT_BYTES) return undefined;
    const bytes = new PositionedBytes(file, size);
    const copy = async (span: FieldSpan) => Buffer.from(await bytes.at(span.recordStart, span.end - span.recordStart));

    const model = await fieldsOf(bytes, 0, size);
    const graphs = model.filter((f) => f.field === 7 && f.wireType === LEN);
    if (graphs.length !== 1) return undefined;
    const graph = graphs[0]!;
    const location = basename(path);
    let referenced = 0;
    const graphBody: Uint8Array[] = [];
    for (const field of await fieldsOf(bytes, graph.valueStart, graph.end)) {
      if (!(field.field === 5 && field.wireType === LEN)) {
        graphBody.push(await copy(field));
        continue;
      }
      const tensor = await fieldsOf(bytes, field.valueStart, field.end);
      const raw = tensor.filter((f) => f.field === 9 && f.wireType === LEN);
      const external = tensor.some((f) => f.field === 13 || f.field === 14);
      const big = raw.length === 1 && raw[0]!.end - raw[0]!.valueStart >= TWIN_MIN_TENSOR_BYTES;
      if (external || !big) {
        graphBody.push(await copy(field));
        continue;
      }
      const data = raw[0]!;
      const tensorBody: Uint8Array[] = [];
      for (const f of tensor) if (f !== data) tensorBody.push(await copy(f));
      tensorBody.push(
        ...stringEntry('location', location),
        ...stringEntry('offset', String(data.valueStart)),
        ...stringEntry('length', String(data.end - data.valueStart)),
        Uint8Array.of(tagOf(14, VARINT), EXTERNAL),
      );
      graphBody.push(...lengthDelimited(5, tensorBody));
      referenced++;
    }
    if (referenced === 0) return undefined;
    const parts: Uint8Array[] = [];
    for (const field of model) parts.push(...(field === graph ? lengthDelimited(7, graphBody) : [await copy(field)]));
    const twin = `${path}.weights-twin.onnx`;
    await writeFile(twin, parts);
    return twin;
  } catch (err) {
    if (err instanceof WireError) return undefined;
    throw err;
  } finally {
    await file.close();
  }
}

/** Removes a twin; never throws. */
export const removeWeightsTwin = (twin: string): Promise<void> => rm(twin, { force: true }).catch(() => undefined);

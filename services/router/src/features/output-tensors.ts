import { create } from '@bufbuild/protobuf';
import type { ModelInferResponse } from '@mlops/proto/inference/grpc_predict_v2_pb';
import { TensorSchema, type Tensor } from '@mlops/proto/mlops/events/v1/events_pb';
import { err, ok, type Result } from '../domain/result.js';

/** One output tensor of a whole batch, as doubles, with its datatype. */
export interface BatchOutput {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
  readonly values: readonly number[];
}

const RAW_READERS: Record<string, { size: number; read: (view: DataView, offset: number) => number }> = {
  FP32: { size: 4, read: (v, o) => v.getFloat32(o, true) },
  FP64: { size: 8, read: (v, o) => v.getFloat64(o, true) },
  INT8: { size: 1, read: (v, o) => v.getInt8(o) },
  INT16: { size: 2, read: (v, o) => v.getInt16(o, true) },
  INT32: { size: 4, read: (v, o) => v.getInt32(o, true) },
  INT64: { size: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  UINT8: { size: 1, read: (v, o) => v.getUint8(o) },
  UINT16: { size: 2, read: (v, o) => v.getUint16(o, true) },
  UINT32: { size: 4, read: (v, o) => v.getUint32(o, true) },
  UINT64: { size: 8, read: (v, o) => Number(v.getBigUint64(o, true)) },
  BOOL: { size: 1, read: (v, o) => v.getUint8(o) },
};

/**
 * The numeric outputs of a ModelInfer response, typed or raw. String outputs are skipped: the
 * platform's events carry numbers (and no model of ours returns strings).
 */
export function decodeOutputs(response: ModelInferResponse): Result<BatchOutput[], string> {
  const outputs: BatchOutput[] = [];
  const raw = response.rawOutputContents.length > 0;
  for (const [i, out] of response.outputs.entries()) {
    if (out.datatype === 'BYTES') continue;
    const shape = out.shape.map(Number);
    let values: number[];
    if (raw) {
      const bytes = response.rawOutputContents[i];
      const reader = RAW_READERS[out.datatype];
      if (!bytes || !reader) return err(`output ${JSON.stringify(out.name)}: cannot read raw ${out.datatype}`);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      values = new Array<number>(bytes.byteLength / reader.size);
      for (let j = 0; j < values.length; j++) values[j] = reader.read(view, j * reader.size);
    } else {
      const c = out.contents;
      if (!c) return err(`output ${JSON.stringify(out.name)} has no contents`);
      if (c.fp32Contents.length) values = c.fp32Contents;
      else if (c.fp64Contents.length) values = c.fp64Contents;
      else if (c.intContents.length) values = c.intContents;
      else if (c.uintContents.length) values = c.uintContents;
      else if (c.int64Contents.length) values = c.int64Contents.map(Number);
      else if (c.uint64Contents.length) values = c.uint64Contents.map(Number);
      else if (c.boolContents.length) values = c.boolContents.map((b) => (b ? 1 : 0));
      else values = [];
    }
    const expected = shape.reduce((a, b) => a * b, 1);
    if (values.length !== expected) return err(`output ${JSON.stringify(out.name)}: ${values.length} values for shape [${shape.join(', ')}]`);
    outputs.push({ name: out.name, datatype: out.datatype, shape, values });
  }
  return ok(outputs);
}

/** Row `row` of every batch output, shaped [1, ...] (a scalar-per-row output keeps rank 1). */
export function sliceRow(outputs: readonly BatchOutput[], row: number): Tensor[] {
  return outputs.map((out) => {
    const rows = out.shape[0] ?? 1;
    const per = rows > 0 ? out.values.length / rows : 0;
    return create(TensorSchema, {
      name: out.name,
      shape: [1n, ...out.shape.slice(1).map(BigInt)],
      values: out.values.slice(row * per, (row + 1) * per),
    });
  });
}

/** The first value of the first output: what divergence and mean-output figures compare. */
export const primaryScore = (outputs: readonly Tensor[]): number | undefined => outputs[0]?.values[0];

/**
 * The class a prediction names, to compare with a label: argmax of the first output when it has
 * several values per row (class probabilities), else a probability thresholded at 0.5, or the
 * value itself when it is already an integer class label.
 */
export function predictedLabel(outputs: readonly Tensor[]): string | undefined {
  const first = outputs[0];
  if (!first || first.values.length === 0) return undefined;
  if (first.values.length > 1) {
    let best = 0;
    for (let i = 1; i < first.values.length; i++) if (first.values[i]! > first.values[best]!) best = i;
    return String(best);
  }
  const v = first.values[0]!;
  if (Number.isInteger(v)) return String(v);
  return v >= 0.5 ? '1' : '0';
}

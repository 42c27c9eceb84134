import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';

/** Test helpers around onnxruntime-node: load bytes, feed rows, read rows back. */

export async function loadSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes);
}

/** Runs a model with one float input [rows, features] and returns every output. */
export async function runRows(
  session: ort.InferenceSession,
  inputName: string,
  rows: readonly (readonly number[])[],
  type: 'float32' | 'float64' = 'float32',
): Promise<ort.InferenceSession.OnnxValueMapType> {
  const width = rows[0]?.length ?? 0;
  const data = type === 'float32' ? Float32Array.from(rows.flat()) : Float64Array.from(rows.flat());
  return session.run({ [inputName]: new ort.Tensor(type, data, [rows.length, width]) });
}

/** A [rows, columns] float tensor as nested arrays. */
export function toRows(tensor: ort.Tensor): number[][] {
  const [rowCount, columns] = tensor.dims;
  if (rowCount === undefined || columns === undefined || tensor.dims.length !== 2) {
    throw new Error(`expected a 2-D tensor, got dims [${tensor.dims.join(', ')}]`);
  }
  const data = Array.from(tensor.data as Float32Array | Float64Array);
  return Array.from({ length: rowCount }, (_, row) => data.slice(row * columns, (row + 1) * columns));
}

export function expectRowsClose(
  actual: readonly (readonly number[])[],
  expected: readonly (readonly number[])[],
  tolerance: number,
): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => {
    expect(row.length).toBe(expected[i]!.length);
    row.forEach((value, j) => {
      const want = expected[i]![j]!;
      if (Math.abs(value - want) > tolerance) {
        throw new Error(`row ${i} column ${j}: got ${value}, expected ${want} (± ${tolerance})`);
      }
    });
  });
}

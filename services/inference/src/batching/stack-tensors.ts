import type { NumericArray } from '../tensors/datatypes.js';
import { elementCount, type HostTensor } from '../tensors/tensor.js';

/**
 * Stacks the same input of several requests along dimension 0 into one tensor. Every part has
 * the same trailing dimensions (the signature fixes them for batchable models).
 */
export function stackTensors(parts: readonly HostTensor[]): HostTensor {
  const first = parts[0]!;
  if (parts.length === 1) return first;
  const rows = parts.reduce((n, p) => n + p.dims[0]!, 0);
  const dims = [rows, ...first.dims.slice(1)];
  if (first.signature.info.kind === 'bytes') {
    return { signature: first.signature, dims, data: parts.flatMap((p) => p.data as string[]) };
  }
  const data = new first.signature.info.array(elementCount(dims));
  let offset = 0;
  for (const part of parts) {
    const values = part.data as NumericArray;
    (data as { set(values: ArrayLike<number | bigint>, offset: number): void }).set(values, offset);
    offset += values.length;
  }
  return { signature: first.signature, dims, data };
}

/**
 * Cuts a batched output back into one tensor per request, `rows[i]` rows each. Numeric parts
 * are views of the batch's memory (no copy).
 */
export function splitTensor(batched: HostTensor, rows: readonly number[]): HostTensor[] {
  const total = rows.reduce((n, r) => n + r, 0);
  if (batched.dims[0] !== total) {
    throw new Error(
      `output ${JSON.stringify(batched.signature.name)} has ${batched.dims[0]} rows for a batch of ${total}`,
    );
  }
  if (rows.length === 1) return [batched];
  const rowSize = total === 0 ? 0 : batched.data.length / total;
  const tail = batched.dims.slice(1);
  let offset = 0;
  return rows.map((n) => {
    const start = offset * rowSize;
    const end = (offset + n) * rowSize;
    offset += n;
    const data = Array.isArray(batched.data)
      ? batched.data.slice(start, end)
      : batched.data.subarray(start, end);
    return { signature: batched.signature, dims: [n, ...tail], data };
  });
}

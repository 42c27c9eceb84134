import { describe, expect, it } from 'vitest';
import { DATATYPES } from '../tensors/datatypes.js';
import type { TensorSignature } from '../tensors/signature.js';
import { splitTensor, stackTensors } from './stack-tensors.js';

const fp32: TensorSignature = {
  name: 'x',
  datatype: 'FP32',
  info: DATATYPES.FP32,
  shape: [-1, 2],
  dimNames: ['batch', undefined],
};
const bytes: TensorSignature = {
  name: 's',
  datatype: 'BYTES',
  info: DATATYPES.BYTES,
  shape: [-1],
  dimNames: ['batch'],
};

describe('stackTensors and splitTensor', () => {
  it('stack along dimension 0 and split back into the same parts', () => {
    const a = { signature: fp32, dims: [1, 2], data: new Float32Array([1, 2]) };
    const b = { signature: fp32, dims: [2, 2], data: new Float32Array([3, 4, 5, 6]) };
    const stacked = stackTensors([a, b]);
    expect(stacked.dims).toEqual([3, 2]);
    expect(Array.from(stacked.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    const parts = splitTensor(stacked, [1, 2]);
    expect(parts.map((p) => [p.dims, Array.from(p.data as Float32Array)])).toEqual([
      [
        [1, 2],
        [1, 2],
      ],
      [
        [2, 2],
        [3, 4, 5, 6],
      ],
    ]);
    // Split parts are views of the batch, not copies.
    expect((parts[1]!.data as Float32Array).buffer).toBe((stacked.data as Float32Array).buffer);
  });

  it('handle strings', () => {
    const stacked = stackTensors([
      { signature: bytes, dims: [1], data: ['a'] },
      { signature: bytes, dims: [2], data: ['b', 'c'] },
    ]);
    expect(splitTensor(stacked, [1, 2]).map((p) => p.data)).toEqual([['a'], ['b', 'c']]);
  });

  it('refuse an output whose rows do not match the batch', () => {
    expect(() => splitTensor({ signature: fp32, dims: [2, 2], data: new Float32Array(4) }, [1, 2])).toThrow(
      'has 2 rows for a batch of 3',
    );
  });
});

import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ELEMENT_TYPES, ortTensorType, type ElementType } from '../onnx/element-type.js';
import { loadSession } from '../testing/ort.js';
import { buildIdentityModel } from './identity.js';

/** Two rows of three values per type, including each type's extremes. */
function sampleTensor(elementType: ElementType): ort.Tensor {
  const dims = [2, 3];
  switch (elementType) {
    case 'float':
      return new ort.Tensor('float32', Float32Array.from([1.5, -2.25, 0, 3.4e38, -1e-30, 7]), dims);
    case 'double':
      return new ort.Tensor('float64', Float64Array.from([1e300, -0.1, 0, Math.PI, -5e-320, 2]), dims);
    case 'float16':
      // IEEE half bit patterns: 1.0, -2.0, 0, 65504 (max), smallest subnormal, +inf.
      return new ort.Tensor('float16', Uint16Array.from([0x3c00, 0xc000, 0, 0x7bff, 0x0001, 0x7c00]), dims);
    case 'int8':
      return new ort.Tensor('int8', Int8Array.from([-128, 127, 0, 1, -1, 42]), dims);
    case 'int16':
      return new ort.Tensor('int16', Int16Array.from([-32768, 32767, 0, 1, -1, 42]), dims);
    case 'int32':
      return new ort.Tensor('int32', Int32Array.from([-(2 ** 31), 2 ** 31 - 1, 0, 1, -1, 42]), dims);
    case 'int64':
      return new ort.Tensor(
        'int64',
        BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n, 0n, 1n, -1n, 42n]),
        dims,
      );
    case 'uint8':
      return new ort.Tensor('uint8', Uint8Array.from([0, 255, 1, 2, 128, 42]), dims);
    case 'uint16':
      return new ort.Tensor('uint16', Uint16Array.from([0, 65535, 1, 2, 32768, 42]), dims);
    case 'uint32':
      return new ort.Tensor('uint32', Uint32Array.from([0, 2 ** 32 - 1, 1, 2, 2 ** 31, 42]), dims);
    case 'uint64':
      return new ort.Tensor(
        'uint64',
        BigUint64Array.from([0n, 2n ** 64n - 1n, 1n, 2n, 2n ** 63n, 42n]),
        dims,
      );
    case 'bool':
      return new ort.Tensor('bool', Uint8Array.from([1, 0, 0, 1, 1, 0]), dims);
    case 'string':
      return new ort.Tensor('string', ['', 'a', 'héllo', '漢字', 'with space', '🙂'], dims);
  }
}

describe('buildIdentityModel', () => {
  it('covers the thirteen Open Inference Protocol tensor types', () => {
    expect(ELEMENT_TYPES).toHaveLength(13);
  });

  it.each(ELEMENT_TYPES)('round-trips %s tensors unchanged', async (elementType) => {
    const session = await loadSession(buildIdentityModel(elementType, [3]));
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['output']);
    const [metadata] = session.inputMetadata;
    expect(metadata?.isTensor && metadata.type).toBe(ortTensorType(elementType));
    expect(metadata?.isTensor && metadata.shape).toEqual(['batch', 3]);

    const input = sampleTensor(elementType);
    const output = (await session.run({ input })).output!;
    expect(output.type).toBe(ortTensorType(elementType));
    expect(output.dims).toEqual([2, 3]);
    expect(Array.from(output.data as ArrayLike<unknown>)).toEqual(
      Array.from(input.data as ArrayLike<unknown>),
    );
    await session.release();
  });

  it('defaults to one scalar per row and keeps symbolic row dims', async () => {
    const scalar = await loadSession(buildIdentityModel('int32'));
    const [scalarInput] = scalar.inputMetadata;
    expect(scalarInput?.isTensor && scalarInput.shape).toEqual(['batch']);
    await scalar.release();
    const symbolic = await loadSession(buildIdentityModel('float', ['width']));
    const [symbolicInput] = symbolic.inputMetadata;
    expect(symbolicInput?.isTensor && symbolicInput.shape).toEqual(['batch', 'width']);
    await symbolic.release();
  });
});

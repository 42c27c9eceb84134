import { buildIdentityModel, buildLogisticRegression, type ElementType } from '@mlops/model-builders';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inferRequest, rawBytes } from '../testing/fixtures.js';
import { encodeRawBytes } from './bytes-codec.js';
import type { Datatype } from './datatypes.js';
import { decodeInputs, type DecodedInputs, type InvalidTensor } from './decode-inputs.js';
import { encodeOutputs } from './encode-outputs.js';
import { signatureOf, type ModelSignature } from './signature.js';
import type { Result } from '../util/result.js';

const limits = { maxElementsPerTensor: 1000 };

async function signatureFor(model: Uint8Array): Promise<ModelSignature> {
  const session = await ort.InferenceSession.create(model);
  const signature = signatureOf(session);
  await session.release();
  if (!signature.ok) throw new Error(signature.error);
  return signature.value;
}

const expectInvalid = (result: Result<DecodedInputs, InvalidTensor>): InvalidTensor => {
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error('unreachable');
  return result.error;
};

describe('signatureOf', () => {
  it('reads names, datatypes and shapes (dynamic as -1) and spots the batch dimension', async () => {
    const signature = await signatureFor(buildLogisticRegression({ weights: [1, 2, 3], bias: 0 }));
    expect(signature.inputs.map((t) => [t.name, t.datatype, t.shape])).toEqual([
      ['features', 'FP32', [-1, 3]],
    ]);
    expect(signature.outputs.map((t) => [t.name, t.datatype, t.shape])).toEqual([
      ['probability', 'FP32', [-1, 1]],
    ]);
    expect(signature.batchable).toBe(true);
  });

  it('does not batch a model whose inputs have another dynamic dimension', async () => {
    const signature = await signatureFor(buildIdentityModel('float', ['width']));
    expect(signature.inputs[0]!.shape).toEqual([-1, -1]);
    expect(signature.batchable).toBe(false);
  });
});

/** One datatype: the ONNX element type, sample values as typed contents, and the same values as onnxruntime holds them. */
interface Case {
  readonly element: ElementType;
  readonly datatype: Datatype;
  readonly typed?: Record<string, unknown[]>;
  readonly array: ArrayBufferView | string[];
}

const CASES: Case[] = [
  {
    element: 'bool',
    datatype: 'BOOL',
    typed: { boolContents: [true, false, true, true] },
    array: new Uint8Array([1, 0, 1, 1]),
  },
  {
    element: 'uint8',
    datatype: 'UINT8',
    typed: { uintContents: [0, 1, 200, 255] },
    array: new Uint8Array([0, 1, 200, 255]),
  },
  {
    element: 'uint16',
    datatype: 'UINT16',
    typed: { uintContents: [0, 1, 60000, 65535] },
    array: new Uint16Array([0, 1, 60000, 65535]),
  },
  {
    element: 'uint32',
    datatype: 'UINT32',
    typed: { uintContents: [0, 1, 3e9, 4294967295] },
    array: new Uint32Array([0, 1, 3e9, 4294967295]),
  },
  {
    element: 'uint64',
    datatype: 'UINT64',
    typed: { uint64Contents: [0n, 1n, 2n ** 63n, 2n ** 64n - 1n] },
    array: new BigUint64Array([0n, 1n, 2n ** 63n, 2n ** 64n - 1n]),
  },
  {
    element: 'int8',
    datatype: 'INT8',
    typed: { intContents: [-128, -1, 0, 127] },
    array: new Int8Array([-128, -1, 0, 127]),
  },
  {
    element: 'int16',
    datatype: 'INT16',
    typed: { intContents: [-32768, -1, 0, 32767] },
    array: new Int16Array([-32768, -1, 0, 32767]),
  },
  {
    element: 'int32',
    datatype: 'INT32',
    typed: { intContents: [-(2 ** 31), -1, 0, 2 ** 31 - 1] },
    array: new Int32Array([-(2 ** 31), -1, 0, 2 ** 31 - 1]),
  },
  {
    element: 'int64',
    datatype: 'INT64',
    typed: { int64Contents: [-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n] },
    array: new BigInt64Array([-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n]),
  },
  // FP16 has no typed field: raw only (1.0, 0, 2.0, the smallest subnormal).
  { element: 'float16', datatype: 'FP16', array: new Uint16Array([0x3c00, 0, 0x4000, 1]) },
  {
    element: 'float',
    datatype: 'FP32',
    typed: { fp32Contents: [1.5, -2.25, 0, 3.125] },
    array: new Float32Array([1.5, -2.25, 0, 3.125]),
  },
  {
    element: 'double',
    datatype: 'FP64',
    typed: { fp64Contents: [Math.PI, -1e300, 0, 1e-300] },
    array: new Float64Array([Math.PI, -1e300, 0, 1e-300]),
  },
  {
    element: 'string',
    datatype: 'BYTES',
    typed: { bytesContents: ['a', 'héllo', '', '∑'].map((s) => new TextEncoder().encode(s)) },
    array: ['a', 'héllo', '', '∑'],
  },
];

describe.each(CASES)('$datatype through an identity model', (c) => {
  let session: ort.InferenceSession;
  let signature: ModelSignature;
  beforeAll(async () => {
    session = await ort.InferenceSession.create(buildIdentityModel(c.element, [2]));
    const read = signatureOf(session);
    if (!read.ok) throw new Error(read.error);
    signature = read.value;
  });
  afterAll(() => session.release());

  const raw = (): Uint8Array => (Array.isArray(c.array) ? encodeRawBytes(c.array) : rawBytes(c.array));

  async function roundTrip(decoded: DecodedInputs): Promise<ReturnType<typeof encodeOutputs>> {
    const t = decoded.tensors[0]!;
    const results = await session.run({
      input: new ort.Tensor(t.signature.info.ort as 'float32', t.data as Float32Array, t.dims),
    });
    const out = results['output'] as ort.Tensor;
    expect(out.data).toEqual(c.array);
    return encodeOutputs(
      [{ signature: signature.outputs[0]!, dims: out.dims, data: out.data as Float32Array }],
      decoded.form,
    );
  }

  it('raw contents in, raw contents out, byte for byte', async () => {
    const request = inferRequest({
      inputs: [{ name: 'input', datatype: c.datatype, shape: [2n, 2n] }],
      rawInputContents: [raw()],
    });
    const decoded = decodeInputs(request, signature, limits);
    if (!decoded.ok) throw new Error(JSON.stringify(decoded.error));
    const encoded = await roundTrip(decoded.value);
    expect(encoded.outputs).toEqual([{ name: 'output', datatype: c.datatype, shape: [2n, 2n] }]);
    expect(Buffer.from(encoded.rawOutputContents[0]!)).toEqual(Buffer.from(raw()));
  });

  it('raw contents at an unaligned offset are read correctly', async () => {
    const padded = new Uint8Array(raw().byteLength + 1);
    padded.set(raw(), 1);
    const request = inferRequest({
      inputs: [{ name: 'input', datatype: c.datatype, shape: [2n, 2n] }],
      rawInputContents: [padded.subarray(1)],
    });
    const decoded = decodeInputs(request, signature, limits);
    if (!decoded.ok) throw new Error(JSON.stringify(decoded.error));
    await roundTrip(decoded.value);
  });

  // Every datatype but FP16 has a typed contents field; FP16 travels raw only.
  if (c.typed !== undefined) {
    it('typed contents in, typed contents out', async () => {
      const request = inferRequest({
        inputs: [{ name: 'input', datatype: c.datatype, shape: [2n, 2n], contents: c.typed! }],
      });
      const decoded = decodeInputs(request, signature, limits);
      if (!decoded.ok) throw new Error(JSON.stringify(decoded.error));
      const encoded = await roundTrip(decoded.value);
      expect(encoded.rawOutputContents).toEqual([]);
      expect(encoded.outputs[0]!.contents).toEqual(c.typed);
    });
  } else {
    it('typed contents are refused, naming the raw field', () => {
      const request = inferRequest({
        inputs: [
          { name: 'input', datatype: c.datatype, shape: [2n, 2n], contents: { fp32Contents: [1, 2, 3, 4] } },
        ],
      });
      expect(expectInvalid(decodeInputs(request, signature, limits))).toEqual({
        field: 'inputs["input"].contents',
        expected: 'FP16 data in raw_input_contents (the protocol has no typed field for it)',
      });
    });
  }
});

describe('decodeInputs refuses what the signature cannot take', () => {
  let signature: ModelSignature;
  beforeAll(async () => {
    signature = await signatureFor(buildLogisticRegression({ weights: [1, 2, 3], bias: 0 }));
  });
  const features = (init: Partial<{ name: string; datatype: string; shape: bigint[] }> = {}) => ({
    name: 'features',
    datatype: 'FP32',
    shape: [1n, 3n],
    ...init,
  });

  it('an unknown input', () => {
    const error = expectInvalid(
      decodeInputs(
        inferRequest({ inputs: [features({ name: 'feature' })], rawInputContents: [new Uint8Array(12)] }),
        signature,
        limits,
      ),
    );
    expect(error).toEqual({ field: 'inputs[0].name', expected: 'one of "features"', received: 'feature' });
  });

  it('a missing input', () => {
    const error = expectInvalid(decodeInputs(inferRequest({}), signature, limits));
    expect(error).toMatchObject({ field: 'inputs', expected: 'input "features" (FP32 [-1, 3])' });
  });

  it('a wrong datatype', () => {
    const error = expectInvalid(
      decodeInputs(
        inferRequest({ inputs: [features({ datatype: 'FP64' })], rawInputContents: [new Uint8Array(24)] }),
        signature,
        limits,
      ),
    );
    expect(error).toEqual({ field: 'inputs["features"].datatype', expected: 'FP32', received: 'FP64' });
  });

  it('a shape of the wrong rank, or with a fixed dimension changed, or negative', () => {
    for (const shape of [[3n], [1n, 4n], [-1n, 3n]]) {
      const error = expectInvalid(
        decodeInputs(
          inferRequest({ inputs: [features({ shape })], rawInputContents: [new Uint8Array(12)] }),
          signature,
          limits,
        ),
      );
      expect(error.field).toBe('inputs["features"].shape');
      expect(error.expected).toContain('[-1, 3]');
    }
  });

  it('raw contents whose byte size is not shape × datatype', () => {
    const error = expectInvalid(
      decodeInputs(
        inferRequest({ inputs: [features({ shape: [2n, 3n] })], rawInputContents: [new Uint8Array(12)] }),
        signature,
        limits,
      ),
    );
    expect(error).toEqual({
      field: 'raw_input_contents for input "features"',
      expected: '24 bytes (6 elements × 4 bytes of FP32)',
      received: '12 bytes',
    });
  });

  it("typed contents with the wrong count, or in another datatype's field", () => {
    const short = expectInvalid(
      decodeInputs(
        inferRequest({ inputs: [{ ...features(), contents: { fp32Contents: [1, 2] } }] }),
        signature,
        limits,
      ),
    );
    expect(short).toEqual({
      field: 'inputs["features"].contents.fp32_contents',
      expected: '3 values (the element count of its shape)',
      received: '2 values',
    });
    const other = expectInvalid(
      decodeInputs(
        inferRequest({ inputs: [{ ...features(), contents: { fp64Contents: [1, 2, 3] } }] }),
        signature,
        limits,
      ),
    );
    expect(other.field).toBe('inputs["features"].contents.fp64_contents');
  });

  it('too many elements, before looking at the data', () => {
    const error = expectInvalid(
      decodeInputs(
        inferRequest({ inputs: [features({ shape: [1000n, 3n] })], rawInputContents: [new Uint8Array(0)] }),
        signature,
        limits,
      ),
    );
    expect(error).toEqual({
      field: 'inputs["features"].shape',
      expected: 'at most 1000 elements',
      received: '[1000, 3] (3000 elements)',
    });
  });

  it('raw contents whose count does not match the inputs', () => {
    const error = expectInvalid(
      decodeInputs(
        inferRequest({ inputs: [features()], rawInputContents: [new Uint8Array(12), new Uint8Array(12)] }),
        signature,
        limits,
      ),
    );
    expect(error.field).toBe('raw_input_contents');
  });

  it("integers out of their datatype's range", async () => {
    const int8 = await signatureFor(buildIdentityModel('int8'));
    const error = expectInvalid(
      decodeInputs(
        inferRequest({
          inputs: [{ name: 'input', datatype: 'INT8', shape: [2n], contents: { intContents: [1, 300] } }],
        }),
        int8,
        limits,
      ),
    );
    expect(error).toEqual({
      field: 'inputs["input"].contents.int_contents[1]',
      expected: 'a INT8 value in [-128, 127]',
      received: 300,
    });
  });

  it('raw BYTES with broken framing', async () => {
    const bytes = await signatureFor(buildIdentityModel('string'));
    const error = expectInvalid(
      decodeInputs(
        inferRequest({
          inputs: [{ name: 'input', datatype: 'BYTES', shape: [2n] }],
          rawInputContents: [encodeRawBytes(['only one'])],
        }),
        bytes,
        limits,
      ),
    );
    expect(error.field).toBe('raw_input_contents for input "input"');
    expect(error.expected).toContain('2 length-prefixed elements');
  });
});

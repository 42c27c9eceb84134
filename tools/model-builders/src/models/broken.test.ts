import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from '@mlops/proto/onnx/onnx_pb';
import { describe, expect, it } from 'vitest';
import { loadSession } from '../testing/ort.js';
import { buildBrokenModel, truncateBytes, UNKNOWN_OPERATOR } from './broken.js';
import { buildLogisticRegression } from './linear.js';

describe('buildBrokenModel', () => {
  it('decodes as an ONNX ModelProto', () => {
    const model = fromBinary(ModelProtoSchema, buildBrokenModel());
    expect(model.graph?.node.map((node) => node.opType)).toEqual([UNKNOWN_OPERATOR]);
    expect(model.graph?.input.map((input) => input.name)).toEqual(['features']);
  });

  it('fails to load in onnxruntime', async () => {
    await expect(loadSession(buildBrokenModel())).rejects.toThrow(new RegExp(UNKNOWN_OPERATOR));
  });
});

describe('truncateBytes', () => {
  const model = buildLogisticRegression({ weights: [1, 2, 3], bias: 0 });

  it('keeps a prefix by byte count or by fraction', () => {
    expect(truncateBytes(model, { keepBytes: 10 })).toEqual(model.slice(0, 10));
    expect(truncateBytes(model, { keepFraction: 0.5 })).toHaveLength(Math.floor(model.length / 2));
    expect(() => truncateBytes(model, { keepBytes: model.length })).toThrow(RangeError);
  });

  it('makes a loadable model unloadable', async () => {
    const session = await loadSession(model);
    await session.release();
    await expect(loadSession(truncateBytes(model, { keepFraction: 0.5 }))).rejects.toThrow();
    await expect(loadSession(truncateBytes(model, { keepBytes: 0 }))).rejects.toThrow();
  });
});

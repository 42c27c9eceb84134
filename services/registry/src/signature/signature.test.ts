import { create } from '@bufbuild/protobuf';
import { ElementType, SignatureSchema } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBrokenModel, buildIdentityModel, buildLogisticRegression, truncateBytes } from '@mlops/model-builders';
import { compareSignatures, createOnnxInspector } from './index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'registry-signature-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

const inspect = createOnnxInspector();

describe('onnx inspector', () => {
  it('reads names, element types and shapes (symbolic dimensions as -1)', async () => {
    const result = await inspect(await file('logreg.onnx', buildLogisticRegression({ weights: [0.5, -1, 2], bias: 0.1 })));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.inputs.map((t) => [t.name, t.elementType, t.shape])).toEqual([['features', ElementType.FLOAT, [-1n, 3n]]]);
    expect(result.value.outputs.map((t) => [t.name, t.elementType, t.shape])).toEqual([['probability', ElementType.FLOAT, [-1n, 1n]]]);
  });

  it.each([
    ['int64', ElementType.INT64],
    ['string', ElementType.STRING],
    ['double', ElementType.DOUBLE],
    ['bool', ElementType.BOOL],
  ] as const)('reads %s tensors', async (type, expected) => {
    const result = await inspect(await file(`identity-${type}.onnx`, buildIdentityModel(type, [2])));
    expect(result.ok && result.value.inputs.map((t) => [t.elementType, t.shape])).toEqual([[expected, [-1n, 2n]]]);
  });

  it('refuses bytes that are not a model, a model that does not load, and a truncated model, with the reason', async () => {
    const garbage = await inspect(await file('garbage.onnx', new TextEncoder().encode('definitely not protobuf')));
    expect(garbage.ok).toBe(false);
    const broken = await inspect(await file('broken.onnx', buildBrokenModel()));
    expect(!broken.ok && broken.error).toContain('MlopsNoSuchOperator');
    const whole = buildLogisticRegression({ weights: Array.from({ length: 64 }, (_, i) => i / 64), bias: 0 });
    const truncated = await inspect(await file('truncated.onnx', truncateBytes(whole, { keepFraction: 0.5 })));
    expect(truncated.ok).toBe(false);
  });
});

describe('compareSignatures', () => {
  const actual = create(SignatureSchema, {
    inputs: [
      { name: 'a', elementType: ElementType.FLOAT, shape: [-1n, 1n] },
      { name: 'b', elementType: ElementType.FLOAT, shape: [-1n, 1n] },
    ],
    outputs: [{ name: 'y', elementType: ElementType.FLOAT, shape: [-1n, 1n] }],
  });

  it('agrees with itself and with an open declaration', () => {
    expect(compareSignatures(actual, actual)).toEqual([]);
    const open = create(SignatureSchema, { inputs: [{ name: 'a' }, { name: 'b' }] });
    expect(compareSignatures(open, actual)).toEqual([]);
  });

  it('lists every difference', () => {
    const declared = create(SignatureSchema, {
      inputs: [
        { name: 'a', elementType: ElementType.DOUBLE, shape: [-1n, 1n] },
        { name: 'c', elementType: ElementType.FLOAT, shape: [1n, 1n] },
      ],
      outputs: [
        { name: 'y', elementType: ElementType.FLOAT },
        { name: 'z', elementType: ElementType.FLOAT },
      ],
    });
    expect(compareSignatures(declared, actual)).toEqual([
      'inputs[0] (a) element type: declared DOUBLE, the artifact has FLOAT',
      'inputs[1] name: declared "c", the artifact has "b"',
      'inputs[1] (b) shape: declared [1, 1], the artifact has [?, 1]',
      'outputs: declared 2 (y, z), the artifact has 1 (y)',
    ]);
  });
});

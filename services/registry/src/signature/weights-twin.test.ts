import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { floatTensor, GraphBuilder, seededRandom } from '@mlops/model-builders';
import { ModelProtoSchema, TensorProto_DataLocation } from '@mlops/proto/onnx/onnx_pb';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxInspector } from './onnx-inspector.js';
import { TWIN_MIN_ARTIFACT_BYTES, writeWeightsTwin } from './weights-twin.js';

const IN = 1024;
const OUT = 2048;

/** x · W + b: W (8 MiB) is big enough to be referenced, b (8 KiB) is not. */
function bigLinearModel(): { bytes: Uint8Array; weights: Float32Array } {
  const random = seededRandom(7);
  const weights = Float32Array.from({ length: IN * OUT }, () => random() - 0.5);
  const graph = new GraphBuilder('big_linear');
  const x = graph.input('x', 'float', ['batch', IN]);
  const w = graph.initializer(floatTensor('W', [IN, OUT], weights));
  const b = graph.initializer(floatTensor('b', [OUT], Float32Array.from({ length: OUT }, (_, i) => i / OUT)));
  const [xw] = graph.node('MatMul', [x, w], ['xw']);
  graph.node('Add', [xw!, b], ['y']);
  graph.output('y', 'float', ['batch', OUT]);
  return { bytes: graph.toBytes(), weights };
}

describe('weights twin', () => {
  let dir: string;
  let artifact: string;
  let weights: Float32Array;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'registry-twin-'));
    artifact = join(dir, 'staged.part');
    const model = bigLinearModel();
    weights = model.weights;
    expect(model.bytes.byteLength).toBeGreaterThanOrEqual(TWIN_MIN_ARTIFACT_BYTES);
    await writeFile(artifact, model.bytes);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('references the big initializer in the artifact itself and copies the rest', async () => {
    const twin = (await writeWeightsTwin(artifact))!;
    expect(twin).toBe(`${artifact}.weights-twin.onnx`);
    const model = fromBinary(ModelProtoSchema, await readFile(twin));
    const [w, b] = model.graph!.initializer;
    expect(w!.rawData.byteLength).toBe(0);
    expect(w!.dataLocation).toBe(TensorProto_DataLocation.EXTERNAL);
    const entries = Object.fromEntries(w!.externalData.map((e) => [e.key, e.value]));
    expect(entries['location']).toBe('staged.part');
    // The reference points at exactly the weights' bytes.
    const file = await open(artifact, 'r');
    const at = Buffer.alloc(Number(entries['length']));
    await file.read(at, 0, at.byteLength, Number(entries['offset']));
    await file.close();
    expect(at.equals(Buffer.from(weights.buffer))).toBe(true);
    expect(b!.rawData.byteLength).toBe(OUT * 4);
    expect(model.graph!.node.map((n) => n.opType)).toEqual(['MatMul', 'Add']);
  });

  it('loads in onnxruntime as the same model, computing the same outputs', async () => {
    const twin = (await writeWeightsTwin(artifact))!;
    const original = await ort.InferenceSession.create(artifact);
    const twinned = await ort.InferenceSession.create(twin);
    try {
      expect([twinned.inputNames, twinned.outputNames]).toEqual([original.inputNames, original.outputNames]);
      const x = new ort.Tensor('float32', Float32Array.from({ length: IN }, (_, i) => Math.sin(i)), [1, IN]);
      const [a, b] = [await original.run({ x }), await twinned.run({ x })];
      expect(Array.from(b['y']!.data as Float32Array)).toEqual(Array.from(a['y']!.data as Float32Array));
    } finally {
      await Promise.all([original.release(), twinned.release()]);
    }
  });

  it('makes no twin of a small artifact or of one it cannot read, and the inspector still says why', async () => {
    const small = join(dir, 'small.part');
    await writeFile(small, (await readFile(artifact)).subarray(0, 1024 * 1024));
    expect(await writeWeightsTwin(small)).toBeUndefined();
    const truncated = join(dir, 'truncated.part');
    await writeFile(truncated, (await readFile(artifact)).subarray(0, TWIN_MIN_ARTIFACT_BYTES));
    expect(await writeWeightsTwin(truncated)).toBeUndefined();

    const inspect = createOnnxInspector();
    try {
      const refused = await inspect(truncated);
      expect(refused.ok).toBe(false);
      // The reason is onnxruntime's, without the staging path, which means nothing to the uploader.
      expect(!refused.ok && refused.error).toMatch(/\w/);
      expect(!refused.ok && refused.error).not.toContain(dir);
      const accepted = await inspect(artifact);
      expect(accepted.ok && accepted.value.inputs.map((i) => [i.name, i.shape])).toEqual([['x', [-1n, BigInt(IN)]]]);
      // The twin is gone once the probe is done.
      expect(existsSync(`${artifact}.weights-twin.onnx`)).toBe(false);
    } finally {
      inspect.close();
    }
  });
});

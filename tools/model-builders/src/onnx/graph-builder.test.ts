import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, TensorProto_DataType } from '@mlops/proto/onnx/onnx_pb';
import { describe, expect, it } from 'vitest';
import { loadSession } from '../testing/ort.js';
import { attr } from './attribute.js';
import { BATCH_DIM, GraphBuilder, IR_VERSION, PRODUCER_NAME } from './graph-builder.js';
import { floatTensor } from './tensor.js';

function scaleModel(): GraphBuilder {
  const graph = new GraphBuilder('scale');
  graph.input('x', 'float', [BATCH_DIM, 2]);
  const two = graph.initializer(floatTensor('two', [2], [2, 2]));
  graph.node('Mul', ['x', two], ['y']);
  graph.output('y', 'float', [BATCH_DIM, 2]);
  return graph;
}

describe('GraphBuilder', () => {
  it('writes IR 8, opset 17, the producer name and metadata', () => {
    const model = fromBinary(ModelProtoSchema, scaleModel().toBytes({ metadata: { purpose: 'test' } }));
    expect(model.irVersion).toBe(IR_VERSION);
    expect(model.irVersion).toBe(8n);
    expect(model.producerName).toBe(PRODUCER_NAME);
    expect(model.opsetImport.map((opset) => [opset.domain, opset.version])).toEqual([['', 17n]]);
    expect(model.metadataProps.map((entry) => [entry.key, entry.value])).toEqual([['purpose', 'test']]);
    const input = model.graph?.input[0];
    expect(input?.type?.value.case).toBe('tensorType');
    if (input?.type?.value.case === 'tensorType') {
      expect(input.type.value.value.elemType).toBe(TensorProto_DataType.FLOAT);
      expect(input.type.value.value.shape?.dim.map((dim) => dim.value.value)).toEqual([BATCH_DIM, 2n]);
    }
  });

  it('imports ai.onnx.ml opset 3 only when a node uses that domain', () => {
    const graph = new GraphBuilder('ml');
    graph.input('x', 'float', [BATCH_DIM, 1]);
    graph.node('Binarizer', ['x'], ['y'], {
      domain: 'ai.onnx.ml',
      attributes: { threshold: attr.float(0.5) },
    });
    graph.output('y', 'float', [BATCH_DIM, 1]);
    const model = fromBinary(ModelProtoSchema, graph.toBytes());
    expect(model.opsetImport.map((opset) => [opset.domain, opset.version])).toEqual([
      ['', 17n],
      ['ai.onnx.ml', 3n],
    ]);
  });

  it('produces a model onnxruntime loads, with a symbolic batch dimension', async () => {
    const session = await loadSession(scaleModel().toBytes());
    expect(session.inputNames).toEqual(['x']);
    expect(session.outputNames).toEqual(['y']);
    const [input] = session.inputMetadata;
    expect(input?.isTensor && input.shape).toEqual([BATCH_DIM, 2]);
    await session.release();
  });

  it('refuses a value name used twice', () => {
    const graph = scaleModel();
    expect(() => graph.node('Identity', ['x'], ['y'])).toThrow(/"y" is already used/);
    expect(() => graph.initializer(floatTensor('two', [1], [2]))).toThrow(/"two" is already used/);
  });

  it('refuses tensor values that do not fill the dims', () => {
    expect(() => floatTensor('w', [2, 3], [1, 2, 3])).toThrow(/hold 6 values, got 3/);
  });
});

import { create, toBinary } from '@bufbuild/protobuf';
import {
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  StringStringEntryProtoSchema,
  TensorShapeProto_DimensionSchema,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
  ValueInfoProtoSchema,
} from '@mlops/proto/onnx/onnx_pb';
import { toAttributeProto, type AttributeValue } from './attribute.js';
import { onnxDataType, type ElementType } from './element-type.js';

/**
 * IR version 8 is what onnxruntime ≥ 1.10 reads and what opset 17 needs; newer IR versions add
 * nothing these models use, and an older runtime refuses a model whose IR is newer than it knows.
 */
export const IR_VERSION = 8n;

/** The operator set versions every model built here imports. */
export const OPSET = { 'ai.onnx': 17, 'ai.onnx.ml': 3 } as const;
export type OperatorDomain = keyof typeof OPSET;

export const PRODUCER_NAME = 'mlops-model-builders';
export const PRODUCER_VERSION = '0.1.0';

/** The symbolic first dimension of every model input and output: any number of rows. */
export const BATCH_DIM = 'batch';

/** A dimension: a fixed size, or a symbolic name for a size known only at run time. */
export type Dim = number | string;

export type NodeOptions = {
  readonly domain?: OperatorDomain;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
  readonly name?: string;
};

export type ModelOptions = {
  readonly docString?: string;
  /** Written to ModelProto.metadata_props (onnxruntime exposes them as custom metadata). */
  readonly metadata?: Readonly<Record<string, string>>;
};

function valueInfo(name: string, elementType: ElementType, shape: readonly Dim[]): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    type: {
      value: {
        case: 'tensorType',
        value: {
          elemType: onnxDataType(elementType),
          shape: {
            dim: shape.map((dim) =>
              create(TensorShapeProto_DimensionSchema, {
                value:
                  typeof dim === 'number'
                    ? { case: 'dimValue', value: BigInt(dim) }
                    : { case: 'dimParam', value: dim },
              }),
            ),
          },
        },
      },
    },
  });
}

/**
 * Collects the pieces of one ONNX graph and turns them into a ModelProto. Value names are
 * checked for uniqueness here, because onnxruntime's error for a duplicate name points at the
 * wrong node and costs an afternoon.
 */
export class GraphBuilder {
  readonly #name: string;
  readonly #inputs: ValueInfoProto[] = [];
  readonly #outputs: ValueInfoProto[] = [];
  readonly #initializers: TensorProto[] = [];
  readonly #nodes: NodeProto[] = [];
  readonly #domains = new Set<OperatorDomain>(['ai.onnx']);
  readonly #names = new Set<string>();
  #counter = 0;

  constructor(name: string) {
    this.#name = name;
  }

  /** A value name not used yet in this graph, for intermediate results. */
  fresh(prefix: string): string {
    let candidate: string;
    do {
      candidate = `${prefix}_${this.#counter++}`;
    } while (this.#names.has(candidate));
    return candidate;
  }

  input(name: string, elementType: ElementType, shape: readonly Dim[]): string {
    this.#claim(name);
    this.#inputs.push(valueInfo(name, elementType, shape));
    return name;
  }

  /** Declares a graph output; some node must produce a value of that name. */
  output(name: string, elementType: ElementType, shape: readonly Dim[]): string {
    this.#outputs.push(valueInfo(name, elementType, shape));
    return name;
  }

  initializer(tensor: TensorProto): string {
    this.#claim(tensor.name);
    this.#initializers.push(tensor);
    return tensor.name;
  }

  /** Adds a node and returns the names of its outputs. */
  node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    options: NodeOptions = {},
  ): string[] {
    for (const output of outputs) this.#claim(output);
    const domain = options.domain ?? 'ai.onnx';
    this.#domains.add(domain);
    this.#nodes.push(
      create(NodeProtoSchema, {
        opType,
        // The default domain is written as "" (not "ai.onnx"), as every exporter does.
        domain: domain === 'ai.onnx' ? '' : domain,
        name: options.name ?? `${opType}_${this.#nodes.length}`,
        input: [...inputs],
        output: [...outputs],
        attribute: Object.entries(options.attributes ?? {}).map(([name, value]) =>
          toAttributeProto(name, value),
        ),
      }),
    );
    return [...outputs];
  }

  build(options: ModelOptions = {}): ModelProto {
    return create(ModelProtoSchema, {
      irVersion: IR_VERSION,
      producerName: PRODUCER_NAME,
      producerVersion: PRODUCER_VERSION,
      docString: options.docString ?? '',
      opsetImport: [...this.#domains].map((domain) =>
        create(OperatorSetIdProtoSchema, {
          domain: domain === 'ai.onnx' ? '' : domain,
          version: BigInt(OPSET[domain]),
        }),
      ),
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) =>
        create(StringStringEntryProtoSchema, { key, value }),
      ),
      graph: create(GraphProtoSchema, {
        name: this.#name,
        node: this.#nodes,
        initializer: this.#initializers,
        input: this.#inputs,
        output: this.#outputs,
      }),
    });
  }

  /** The model as ONNX file bytes. */
  toBytes(options: ModelOptions = {}): Uint8Array {
    return serializeModel(this.build(options));
  }

  #claim(name: string): void {
    if (name === '') throw new RangeError(`graph ${this.#name}: value names must not be empty`);
    if (this.#names.has(name))
      throw new RangeError(`graph ${this.#name}: value name "${name}" is already used`);
    this.#names.add(name);
  }
}

export function serializeModel(model: ModelProto): Uint8Array {
  return toBinary(ModelProtoSchema, model);
}

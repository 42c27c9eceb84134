import { createRequire } from 'node:module';
import { create } from '@bufbuild/protobuf';
import { ElementType, SignatureSchema, type Signature, type TensorSpec } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { ok, fail, type Result } from '../domain/result.js';
import { createProbePool, firstLine, type ProbeValue } from './probe-process.js';
import { removeWeightsTwin, writeWeightsTwin } from './weights-twin.js';

/** Loads a staged artifact and reports its signature, or why it does not load. */
export type ArtifactInspector = (localPath: string) => Promise<Result<Signature, string>>;

/** The onnxruntime inspector, which keeps a warm probe process until closed. */
export type OnnxInspector = ArtifactInspector & { close(): void };

const ELEMENT_TYPES: Record<string, ElementType> = {
  float32: ElementType.FLOAT,
  float64: ElementType.DOUBLE,
  float16: ElementType.FLOAT16,
  int8: ElementType.INT8,
  int16: ElementType.INT16,
  int32: ElementType.INT32,
  int64: ElementType.INT64,
  uint8: ElementType.UINT8,
  uint16: ElementType.UINT16,
  uint32: ElementType.UINT32,
  uint64: ElementType.UINT64,
  bool: ElementType.BOOL,
  string: ElementType.STRING,
};

export function createOnnxInspector(opts: { timeoutMs?: number } = {}): OnnxInspector {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const pool = createProbePool(createRequire(import.meta.url).resolve('onnxruntime-node'), timeoutMs);

  const inspect = async (localPath: string): Promise<Result<Signature, string>> => {
    // A large artifact is probed through its weights twin: the same model, its weights mapped
    // from the artifact instead of copied (see weights-twin.ts).
    const twin = await writeWeightsTwin(localPath);
    let run;
    try {
      run = await pool.probe(twin ?? localPath);
    } finally {
      if (twin !== undefined) await removeWeightsTwin(twin);
    }
    if (!run.ok) return run;
    const output = run.value;
    if (!output.ok) return fail(withoutPath(withoutPath(firstLine(output.error), twin ?? localPath), localPath));
    return ok(
      create(SignatureSchema, {
        inputs: output.inputs.map(toTensorSpec),
        outputs: output.outputs.map(toTensorSpec),
      }),
    );
  };
  return Object.assign(inspect, { close: () => pool.close() });
}

function toTensorSpec(value: ProbeValue): Omit<TensorSpec, '$typeName'> {
  // Non-tensor values (sequences, maps, e.g. a ZipMap output) have no element type or shape.
  if (!value.isTensor) return { name: value.name, elementType: ElementType.UNSPECIFIED, shape: [] };
  return {
    name: value.name,
    elementType: ELEMENT_TYPES[value.type ?? ''] ?? ElementType.UNSPECIFIED,
    // Symbolic dimensions ("batch") are dynamic: -1.
    shape: (value.shape ?? []).map((d) => (typeof d === 'number' && d >= 0 ? BigInt(d) : -1n)),
  };
}

/** "Load model from /data/staging/….part failed:Protobuf parsing failed." -> "Protobuf parsing failed.": the staging path means nothing to the uploader. */
function withoutPath(message: string, localPath: string): string {
  const prefix = `Load model from ${localPath} failed:`;
  return (message.startsWith(prefix) ? message.slice(prefix.length) : message.split(localPath).join('<artifact>')).trim();
}

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { create } from '@bufbuild/protobuf';
import { ElementType, SignatureSchema, type Signature, type TensorSpec } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { ok, fail, type Result } from '../domain/result.js';

/** Loads a staged artifact and reports its signature, or why it does not load. */
export type ArtifactInspector = (localPath: string) => Promise<Result<Signature, string>>;

/** What the probe process prints: onnxruntime's own metadata, untouched. */
type ProbeOutput =
  | { ok: true; inputs: ProbeValue[]; outputs: ProbeValue[] }
  | { ok: false; error: string };
type ProbeValue = { name: string; isTensor: boolean; type?: string; shape?: (number | string)[] };

/*
 * The probe runs onnxruntime in a short-lived child process, not in the registry, because:
 * - a corrupt or hostile artifact can crash native code; a crashed child is a refused upload,
 *   a crashed registry is an outage;
 * - onnxruntime materialises every initializer, so a 2 GiB model costs gigabytes of native
 *   memory while it loads; in a child, that memory is returned to the OS the moment it exits and
 *   the registry's own footprint stays flat however large the artifacts are;
 * - the event loop only waits on a pipe.
 * Optimisations are disabled: we want the graph's declared interface, and the fastest load.
 */
const PROBE_SCRIPT = `
const ort = require(process.argv[1]);
const out = (value) => process.stdout.write(JSON.stringify(value));
const meta = (m) => ({ name: m.name, isTensor: m.isTensor, type: m.type, shape: m.shape });
ort.InferenceSession.create(process.argv[2], {
  graphOptimizationLevel: 'disabled', enableCpuMemArena: false, enableMemPattern: false, logSeverityLevel: 3,
}).then(
  (session) => {
    out({ ok: true, inputs: session.inputMetadata.map(meta), outputs: session.outputMetadata.map(meta) });
    return session.release();
  },
  (err) => out({ ok: false, error: String(err && err.message ? err.message : err) }),
);
`;

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

export function createOnnxInspector(opts: { timeoutMs?: number } = {}): ArtifactInspector {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const onnxruntimeEntry = createRequire(import.meta.url).resolve('onnxruntime-node');

  return async (localPath) => {
    const run = await runProbe(onnxruntimeEntry, localPath, timeoutMs);
    if (!run.ok) return run;
    const output = run.value;
    if (!output.ok) return fail(withoutPath(firstLine(output.error), localPath));
    return ok(
      create(SignatureSchema, {
        inputs: output.inputs.map(toTensorSpec),
        outputs: output.outputs.map(toTensorSpec),
      }),
    );
  };
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

/** onnxruntime prefixes errors with a long, path-bearing preamble; the first line is what matters. */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).trim();
}

function runProbe(entry: string, localPath: string, timeoutMs: number): Promise<Result<ProbeOutput, string>> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', PROBE_SCRIPT, entry, localPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // The probe needs neither the parent's loaders nor its flags.
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 8192) stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve(fail(`could not start the onnxruntime probe: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal !== null) {
        const why = signal === 'SIGKILL' ? `took longer than ${timeoutMs} ms to load` : `crashed onnxruntime (${signal})`;
        resolve(fail(`the artifact ${why}`));
        return;
      }
      try {
        resolve(ok(JSON.parse(stdout) as ProbeOutput));
      } catch {
        resolve(fail(`the onnxruntime probe exited with code ${code}: ${firstLine(stderr) || 'no output'}`));
      }
    });
  });
}

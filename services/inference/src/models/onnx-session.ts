import * as ort from 'onnxruntime-node';
import type { NumericArray } from '../tensors/datatypes.js';
import { signatureOf, type ModelSignature, type TensorSignature } from '../tensors/signature.js';
import { elementCount, type HostTensor } from '../tensors/tensor.js';
import { err, ok, type Result } from '../util/result.js';
import type { SessionSettings } from './settings.js';

export type InferenceSession = ort.InferenceSession;

/** A session and the protocol signature read from it. */
export interface OpenedSession {
  readonly session: ort.InferenceSession;
  readonly signature: ModelSignature;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).trim();

/** The feeds onnxruntime takes, built over the tensors' own memory. */
export function toFeeds(tensors: readonly HostTensor[]): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const t of tensors) {
    // The Tensor constructor's overloads are keyed by literal type names; the pairing of
    // `type` and `data` is guaranteed by the datatype table, which TypeScript cannot follow here.
    feeds[t.signature.name] = new ort.Tensor(
      t.signature.info.ort as 'float32',
      t.data as Float32Array,
      t.dims,
    );
  }
  return feeds;
}

/** Picks the wanted outputs out of a run's results. */
export function fromResults(
  results: ort.InferenceSession.ReturnType,
  outputs: readonly TensorSignature[],
): HostTensor[] {
  return outputs.map((signature) => {
    const value = results[signature.name] as ort.Tensor | undefined;
    if (value === undefined)
      throw new Error(`onnxruntime returned no output ${JSON.stringify(signature.name)}`);
    return { signature, dims: value.dims, data: value.data as NumericArray | string[] };
  });
}

/** Inputs of the smallest shape the signature takes (dynamic dimensions 1), all zeros. */
export function warmUpInputs(signature: ModelSignature): HostTensor[] {
  return signature.inputs.map((sig) => {
    const dims = sig.shape.map((d) => (d < 0 ? 1 : d));
    const n = elementCount(dims);
    const data = sig.info.kind === 'bytes' ? new Array<string>(n).fill('') : new sig.info.array(n);
    return { signature: sig, dims, data };
  });
}

/** The onnxruntime options a served model's session is created with. */
export function sessionOptions(settings: SessionSettings): ort.InferenceSession.SessionOptions {
  const { allowSpinning, ...options } = settings;
  const spinning = allowSpinning === true ? '1' : '0';
  return {
    ...options,
    // Load errors are reported by us, as structured logs and metrics; onnxruntime's own
    // console output would only add unstructured lines.
    logSeverityLevel: 4,
    extra: { session: { intra_op: { allow_spinning: spinning }, inter_op: { allow_spinning: spinning } } },
  };
}

/**
 * Creates a session from ONNX bytes, reads its signature and runs one warm-up inference (so the
 * first real request does not pay for lazy initialisation, and a model that cannot run is caught
 * before it serves). Any failure releases what was created and says why.
 */
export async function openSession(
  bytes: Uint8Array,
  settings: SessionSettings,
): Promise<Result<OpenedSession, string>> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, sessionOptions(settings));
  } catch (error) {
    return err(`onnxruntime cannot load the model: ${messageOf(error)}`);
  }
  const signature = signatureOf(session);
  if (!signature.ok) {
    await session.release();
    return err(`the model cannot be served: ${signature.error}`);
  }
  try {
    const results = await session.run(
      toFeeds(warmUpInputs(signature.value)),
      signature.value.outputs.map((o) => o.name),
    );
    fromResults(results, signature.value.outputs);
  } catch (error) {
    await session.release();
    return err(`warm-up inference failed: ${messageOf(error)}`);
  }
  return ok({ session, signature: signature.value });
}

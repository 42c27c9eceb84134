import type { ModelInferRequest } from '@mlops/proto/inference/grpc_predict_v2_pb';
import type { InvalidTensor } from '../tensors/decode-inputs.js';
import type { ModelSignature, TensorSignature } from '../tensors/signature.js';
import { err, ok, type Result } from '../util/result.js';

/** The outputs a request asked for, in its order; all of them when it named none. */
export function requestedOutputs(
  request: ModelInferRequest,
  signature: ModelSignature,
): Result<readonly TensorSignature[], InvalidTensor> {
  if (request.outputs.length === 0) return ok(signature.outputs);
  const wanted: TensorSignature[] = [];
  for (let i = 0; i < request.outputs.length; i++) {
    const name = request.outputs[i]!.name;
    const sig = signature.outputByName.get(name);
    if (sig === undefined) {
      return err({
        field: `outputs[${i}].name`,
        expected: `one of ${signature.outputs.map((o) => JSON.stringify(o.name)).join(', ')}`,
        received: name,
      });
    }
    if (wanted.includes(sig))
      return err({
        field: `outputs[${i}].name`,
        expected: 'each output once',
        received: `${JSON.stringify(name)} again`,
      });
    wanted.push(sig);
  }
  return ok(wanted);
}

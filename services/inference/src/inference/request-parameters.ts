import type { InferParameter } from '@mlops/proto/inference/grpc_predict_v2_pb';
import type { ContentsForm } from '../tensors/decode-inputs.js';
import type { InvalidTensor } from '../tensors/decode-inputs.js';
import { err, ok, type Result } from '../util/result.js';

/**
 * Request parameters the server acts on. `binary_data_output` (bool, as in Triton's HTTP
 * protocol) chooses raw or typed outputs regardless of how the inputs came; other parameters are
 * accepted and ignored, as Triton passes unknown ones to backends that may not read them.
 */
export function outputForm(
  parameters: Record<string, InferParameter>,
  inputForm: ContentsForm,
): Result<ContentsForm, InvalidTensor> {
  const binary = parameters['binary_data_output'];
  if (binary === undefined) return ok(inputForm);
  if (binary.parameterChoice.case !== 'boolParam') {
    return err({
      field: 'parameters["binary_data_output"]',
      expected: 'a bool_param',
      received: binary.parameterChoice.case ?? 'no value',
    });
  }
  return ok(binary.parameterChoice.value ? 'raw' : 'typed');
}

import { invalidArgument } from '@mlops/grpc';
import type { ModelRepositoryParameter } from '@mlops/proto/inference/grpc_predict_v2_pb';
import { parseVersion } from '../inference/model-infer.js';

/**
 * The version RepositoryModelLoad should serve: parameter "version" (int64_param or
 * string_param) pins one; without it the serving alias is resolved afresh.
 */
export function loadVersionParameter(
  parameters: Record<string, ModelRepositoryParameter>,
): string | undefined {
  const parameter = parameters['version'];
  if (parameter === undefined) return undefined;
  const choice = parameter.parameterChoice;
  switch (choice.case) {
    case 'int64Param':
      return parseVersion('parameters["version"]', choice.value.toString());
    case 'stringParam':
      return parseVersion('parameters["version"]', choice.value);
    default:
      throw invalidArgument(
        'parameters["version"]',
        'an int64_param or string_param version number',
        choice.case ?? 'no value',
      );
  }
}

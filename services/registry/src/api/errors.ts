import { RpcError, status, aborted, alreadyExists, failedPrecondition, invalidArgument, notFound, resourceExhausted } from '@mlops/grpc';
import type { RegistryFailure, Result } from '../domain/result.js';

/** The gRPC status of each kind of registry failure. Total: a new kind fails to compile here. */
export function toRpcError(failure: RegistryFailure): RpcError {
  switch (failure.kind) {
    case 'invalid_argument':
      return failure.received === undefined
        ? invalidArgument(failure.field, failure.expected)
        : invalidArgument(failure.field, failure.expected, failure.received);
    case 'refused_input':
      return new RpcError(status.INVALID_ARGUMENT, `${failure.field}: ${failure.reason}`);
    case 'not_found':
      return notFound(failure.message);
    case 'already_exists':
      return alreadyExists(failure.message);
    case 'failed_precondition':
      return failedPrecondition(failure.message);
    case 'aborted':
      return aborted(failure.message);
    case 'resource_exhausted':
      return resourceExhausted(failure.message);
  }
}

/** The value of an ok result; a failure becomes the RpcError the handler throws. */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw toRpcError(result.error);
  return result.value;
}

import { RpcError, failedPrecondition, isRpcError, status, unavailable } from '@mlops/grpc';

/**
 * An upstream failure as the router's caller should see it: the dependency is named, a missing
 * thing upstream is a precondition of this call (not "your resource is not found"), and a down
 * dependency is UNAVAILABLE. Deadline and cancellation pass through.
 */
export function upstreamError(dependency: string, e: unknown, context: string): RpcError {
  if (!isRpcError(e)) return unavailable(`${dependency} failed ${context}: ${e instanceof Error ? e.message : String(e)}`);
  switch (e.code) {
    case status.NOT_FOUND:
    case status.FAILED_PRECONDITION:
    case status.INVALID_ARGUMENT:
    case status.OUT_OF_RANGE:
      return failedPrecondition(`${dependency} refused ${context}: ${e.message}`);
    case status.DEADLINE_EXCEEDED:
    case status.CANCELLED:
    case status.RESOURCE_EXHAUSTED:
      return new RpcError(e.code, `${dependency} ${context}: ${e.message}`);
    default:
      return unavailable(`${dependency} unavailable ${context}: ${e.message} (${e.codeName})`);
  }
}

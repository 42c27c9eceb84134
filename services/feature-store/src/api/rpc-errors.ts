import { failedPrecondition, invalidArgument, notFound, type RpcError } from '@mlops/grpc';
import { describeRefusal, type ApplyRefusal } from '../domain/apply-plan.js';
import type { SelectionError } from '../domain/feature-selection.js';
import type { FieldError } from '../domain/field-error.js';

/** Domain errors (values) to gRPC statuses, at the API boundary only. */

export const fieldErrorToRpc = (e: FieldError): RpcError =>
  e.received === undefined ? invalidArgument(e.field, e.expected) : invalidArgument(e.field, e.expected, e.received);

export function refusalToRpc(r: ApplyRefusal): RpcError {
  return r.kind === 'invalid' ? fieldErrorToRpc(r.error) : failedPrecondition(describeRefusal(r));
}

export function selectionErrorToRpc(e: SelectionError): RpcError {
  return e.kind === 'invalid' ? fieldErrorToRpc(e.error) : notFound(`feature service ${e.name} does not exist`);
}

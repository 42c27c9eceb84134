import { invalidArgument, type RpcError } from '@mlops/grpc';

/** A request field that failed validation; becomes INVALID_ARGUMENT at the gRPC boundary. */
export interface FieldError {
  readonly field: string;
  readonly expected: string;
  readonly received?: unknown;
}

export const fieldError = (field: string, expected: string, ...received: [unknown?]): FieldError =>
  received.length > 0 ? { field, expected, received: received[0] } : { field, expected };

export const toInvalidArgument = (e: FieldError): RpcError =>
  'received' in e ? invalidArgument(e.field, e.expected, e.received) : invalidArgument(e.field, e.expected);

import { Metadata, status, type ServiceError, type StatusObject } from '@grpc/grpc-js';

/**
 * A failure with a gRPC status code. Handlers throw it; clients reject with it. The message is
 * what the caller sees, so it must be something a person can act on.
 */
export class RpcError extends Error {
  readonly code: status;
  /** Trailing metadata received with the status (client side), or to send with it (server side). */
  readonly metadata: Metadata | undefined;

  constructor(code: status, message: string, options?: { metadata?: Metadata; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RpcError';
    this.code = code;
    this.metadata = options?.metadata;
  }

  /** The status name, e.g. "INVALID_ARGUMENT" (also the `grpc_code` metric label). */
  get codeName(): string {
    return statusName(this.code);
  }
}

export const isRpcError = (err: unknown): err is RpcError => err instanceof RpcError;

/** `status[code]` works because grpc-js ships `status` as a numeric TypeScript enum (reverse-mapped). */
export const statusName = (code: status): string => status[code] ?? `CODE_${code}`;

const describe = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (value instanceof Uint8Array) return `${value.byteLength} bytes`;
  if (typeof value === 'bigint') return value.toString();
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
};

/** INVALID_ARGUMENT naming the field and what was expected: "<field>: expected <expected>[, got <received>]". */
export const invalidArgument = (field: string, expected: string, ...received: [unknown?]): RpcError =>
  new RpcError(
    status.INVALID_ARGUMENT,
    `${field}: expected ${expected}` + (received.length > 0 ? `, got ${describe(received[0])}` : ''),
  );
export const notFound = (message: string): RpcError => new RpcError(status.NOT_FOUND, message);
export const alreadyExists = (message: string): RpcError => new RpcError(status.ALREADY_EXISTS, message);
export const failedPrecondition = (message: string): RpcError => new RpcError(status.FAILED_PRECONDITION, message);
export const resourceExhausted = (message: string): RpcError => new RpcError(status.RESOURCE_EXHAUSTED, message);
export const unavailable = (message: string): RpcError => new RpcError(status.UNAVAILABLE, message);
export const deadlineExceeded = (message: string): RpcError => new RpcError(status.DEADLINE_EXCEEDED, message);
export const unauthenticated = (message: string): RpcError => new RpcError(status.UNAUTHENTICATED, message);
export const permissionDenied = (message: string): RpcError => new RpcError(status.PERMISSION_DENIED, message);
export const aborted = (message: string): RpcError => new RpcError(status.ABORTED, message);
export const internal = (message: string): RpcError => new RpcError(status.INTERNAL, message);
export const cancelled = (message: string): RpcError => new RpcError(status.CANCELLED, message);
export const unimplemented = (message: string): RpcError => new RpcError(status.UNIMPLEMENTED, message);

/** What the server sends for anything that is not an RpcError: the details stay in the log, not on the wire. */
export const INTERNAL_ERROR_MESSAGE = 'internal error';

/**
 * Says why a failure means a dependency is down (the database restarting, say) rather than a
 * fault of the server or the request, or undefined when it does not.
 */
export type UnavailableReason = (err: unknown) => string | undefined;

/**
 * What a failure was: an RpcError the handler chose, a dependency that is down (answered
 * UNAVAILABLE, worth a warning), or anything else (a bug: INTERNAL, logged with its stack).
 */
export type FailureKind = 'rpc_error' | 'dependency_unavailable' | 'unexpected';

/**
 * The status a failed handler answers with. A failure `unavailableReason` recognises answers
 * UNAVAILABLE with its reason (clients retry that status); any other non-RpcError becomes INTERNAL
 * (never UNKNOWN).
 */
export function toServiceError(
  err: unknown,
  unavailableReason?: UnavailableReason,
): { status: Partial<StatusObject> & { code: status; details: string }; kind: FailureKind } {
  if (err instanceof RpcError) {
    return {
      status: { code: err.code, details: err.message, ...(err.metadata ? { metadata: err.metadata } : {}) },
      kind: 'rpc_error',
    };
  }
  const reason = unavailableReason?.(err);
  if (reason !== undefined) return { status: { code: status.UNAVAILABLE, details: reason }, kind: 'dependency_unavailable' };
  return { status: { code: status.INTERNAL, details: INTERNAL_ERROR_MESSAGE }, kind: 'unexpected' };
}

const isServiceError = (err: unknown): err is ServiceError =>
  err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number' && 'details' in err;

/** Decodes a grpc-js client error (a `ServiceError`) into an RpcError; anything else becomes INTERNAL. */
export function fromServiceError(err: unknown): RpcError {
  if (err instanceof RpcError) return err;
  if (isServiceError(err)) {
    return new RpcError(err.code, err.details, { metadata: err.metadata ?? new Metadata(), cause: err });
  }
  return new RpcError(status.INTERNAL, err instanceof Error ? err.message : String(err), { cause: err });
}

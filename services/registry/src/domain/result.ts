/** Errors as values at the registry's boundaries; the gRPC layer maps a failure to a status code. */
export type Result<T, E = RegistryFailure> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <E = RegistryFailure>(error: E): { ok: false; error: E } => ({ ok: false, error });

/**
 * Why a registry operation did not happen. One variant per gRPC status the API answers with, so
 * the mapping is total and a new kind of failure cannot silently become INTERNAL.
 */
export type RegistryFailure =
  | { kind: 'invalid_argument'; field: string; expected: string; received?: unknown }
  /** Input that is well-formed but refused for a reason too long for "expected …, got …" (e.g. onnxruntime's own words). */
  | { kind: 'refused_input'; field: string; reason: string }
  | { kind: 'not_found'; message: string }
  | { kind: 'already_exists'; message: string }
  | { kind: 'failed_precondition'; message: string }
  | { kind: 'aborted'; message: string }
  | { kind: 'resource_exhausted'; message: string };

export const invalidArgument = (field: string, expected: string, received?: unknown): RegistryFailure =>
  received === undefined ? { kind: 'invalid_argument', field, expected } : { kind: 'invalid_argument', field, expected, received };

/** A one-line description of a failure, for audit records and logs. */
export function describeFailure(failure: RegistryFailure): string {
  if (failure.kind === 'invalid_argument') {
    return `${failure.field}: expected ${failure.expected}` + (failure.received === undefined ? '' : `, got ${JSON.stringify(failure.received)}`);
  }
  if (failure.kind === 'refused_input') return `${failure.field}: ${failure.reason}`;
  return failure.message;
}

/** The gRPC status name a failure is answered with, also written to the audit log. */
export const STATUS_NAMES: Record<RegistryFailure['kind'], string> = {
  invalid_argument: 'INVALID_ARGUMENT',
  refused_input: 'INVALID_ARGUMENT',
  not_found: 'NOT_FOUND',
  already_exists: 'ALREADY_EXISTS',
  failed_precondition: 'FAILED_PRECONDITION',
  aborted: 'ABORTED',
  resource_exhausted: 'RESOURCE_EXHAUSTED',
};

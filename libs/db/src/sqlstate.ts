// Both drivers put the SQLSTATE on the error's `code` (pg's and PGlite's `DatabaseError`);
// kysely passes driver errors through, but callers may wrap them, so `cause` is followed too.
const MAX_CAUSE_DEPTH = 5;

/** What a database error's fields may be, on the error or on one it wraps. */
export interface ErrorFields {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly errors?: unknown;
}

/** `err` and what caused it, outermost first (a few levels deep: a cycle must not loop). */
export function* causeChain(err: unknown): Generator<ErrorFields> {
  let current: unknown = err;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && typeof current === 'object' && current !== null; depth++) {
    yield current as ErrorFields;
    current = (current as { cause?: unknown }).cause;
  }
}

/** The SQLSTATE of a PostgreSQL error from either driver (or one it caused), if any. */
export function sqlState(err: unknown): string | undefined {
  for (const { code } of causeChain(err)) {
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** `unique_violation` (23505): the row already exists, usually an ALREADY_EXISTS for the caller. */
export function isUniqueViolation(err: unknown): boolean {
  return sqlState(err) === '23505';
}

/**
 * `serialization_failure` (40001) or `deadlock_detected` (40P01): the transaction lost a race and
 * is safe to retry as a whole.
 */
export function isSerializationFailure(err: unknown): boolean {
  const state = sqlState(err);
  return state === '40001' || state === '40P01';
}

/** Why `openDatabase` refused or failed to open a database. */
export type DatabaseOpenFailure =
  | { kind: 'invalid-schema'; schema: string }
  | { kind: 'unsupported-url'; url: string }
  | { kind: 'data-dir-in-use'; dataDir: string }
  | { kind: 'unavailable'; location: string }
  | { kind: 'migration-failed'; migration: string | undefined };

/**
 * Thrown by `openDatabase`. A service cannot run without its database, so this is a start-up
 * failure: the message says what to fix, `failure` lets callers branch on the case.
 */
export class DatabaseOpenError extends Error {
  readonly failure: DatabaseOpenFailure;

  constructor(failure: DatabaseOpenFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseOpenError';
    this.failure = failure;
  }
}

/**
 * What the exit status of `mlops` means, so scripts can branch on it without parsing messages.
 * Kept small on purpose: each code is a different thing for the caller to do.
 */
export const ExitCode = {
  /** Done. */
  Ok: 0,
  /** The service refused or failed the operation (a gate failed, a conflict, an internal error). */
  Failed: 1,
  /** The command line (or a local input file) is wrong: fix the invocation. */
  Usage: 2,
  /** The model, version, alias, view or alert named does not exist. */
  NotFound: 3,
  /** The service could not be reached: start the platform or fix its address variable. */
  Unavailable: 4,
  /** Authentication or permission: set MLOPS_TOKEN to a token with the right role. */
  Auth: 5,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A bad input field: becomes INVALID_ARGUMENT "<field>: expected <expected>[, got <received>]". */
export interface FieldError {
  readonly field: string;
  readonly expected: string;
  readonly received?: unknown;
}

export const fieldError = (field: string, expected: string, received?: unknown): FieldError =>
  received === undefined ? { field, expected } : { field, expected, received };

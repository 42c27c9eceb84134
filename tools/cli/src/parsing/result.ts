/** Errors as values at the parsing boundary: a parser says what was wrong instead of throwing. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export const parsed = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const invalid = (error: string): Parsed<never> => ({ ok: false, error });

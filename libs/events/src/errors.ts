/**
 * Thrown by a handler for an event that decoded but can never be processed (a row naming an
 * unknown feature, a subject that disagrees with the payload): retrying cannot help, so the
 * event is dead-lettered at once with reason `validation` instead of burning its retries.
 */
export class InvalidEventError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidEventError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The dead-letter reason of a payload that does not decode as `typeName`. */
export const undecodable = (typeName: string, err: unknown): string => `cannot decode ${typeName}: ${errorMessage(err)}`;

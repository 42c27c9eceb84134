import { describe, expect, it } from 'vitest';
import { isSerializationFailure, isUniqueViolation, sqlState } from './sqlstate.js';

// Driver errors of both kinds are covered against real databases in open-database.test.ts and
// postgres.test.ts; these cover the shapes callers may wrap them in.
describe('sqlState', () => {
  it('reads the code of an error or of what caused it', () => {
    const driverError = Object.assign(new Error('duplicate key'), { code: '23505' });
    expect(sqlState(driverError)).toBe('23505');
    expect(isUniqueViolation(new Error('while saving', { cause: driverError }))).toBe(true);
  });

  it('ignores codes that are not SQLSTATEs', () => {
    expect(sqlState(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBeUndefined();
    expect(sqlState('23505')).toBeUndefined();
    expect(sqlState(undefined)).toBeUndefined();
  });

  it('treats serialization failures and deadlocks as retryable, and nothing else', () => {
    expect(isSerializationFailure({ code: '40001' })).toBe(true);
    expect(isSerializationFailure({ code: '40P01' })).toBe(true);
    expect(isSerializationFailure({ code: '23505' })).toBe(false);
    expect(isUniqueViolation({ code: '40001' })).toBe(false);
  });
});

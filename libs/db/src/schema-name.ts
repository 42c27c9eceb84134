import { DatabaseOpenError } from './errors.js';

// Lower-case only, so the name is the same quoted or unquoted and can go into the `-c search_path=`
// startup option without escaping; 63 bytes is PostgreSQL's NAMEDATALEN - 1; `pg_` is reserved.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Throws a `DatabaseOpenError` unless `schema` is a plain lower-case SQL identifier. */
export function assertSchemaName(schema: string): void {
  if (SCHEMA_NAME.test(schema) && !schema.startsWith('pg_')) return;
  throw new DatabaseOpenError(
    { kind: 'invalid-schema', schema },
    `schema: expected a lower-case SQL identifier (letters, digits, _; not starting with a digit or "pg_"; ` +
      `at most 63 characters), got ${JSON.stringify(schema)}`,
  );
}

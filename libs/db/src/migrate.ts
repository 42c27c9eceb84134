import { Migrator, sql, type Kysely, type Migration, type MigrationResult } from 'kysely';
import { DatabaseOpenError } from './errors.js';

/** A service's migrations by name; they run in name order, so prefix names with a sortable date or number. */
export type Migrations = Record<string, Migration>;

/**
 * `create schema if not exists`, tolerating a replica that creates it at the same moment: PostgreSQL
 * can still fail the loser with a unique violation on pg_namespace, after which the schema exists.
 */
export async function ensureSchema(db: Kysely<unknown>, schema: string): Promise<void> {
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  } catch (err) {
    const found = await sql<{
      one: number;
    }>`select 1 as one from pg_namespace where nspname = ${schema}`.execute(db);
    if (found.rows.length === 0) throw err;
  }
}

/**
 * Runs the pending migrations. The bookkeeping tables live in the service's own schema, so each
 * service migrates independently; kysely's migration lock (a PostgreSQL advisory lock) makes
 * replicas that start together take turns, and the later ones find nothing left to do.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  schema: string,
  migrations: Migrations,
): Promise<readonly MigrationResult[]> {
  const migrator = new Migrator({
    db,
    migrationTableSchema: schema,
    provider: { getMigrations: () => Promise.resolve(migrations) },
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error === undefined) return results;
  const failed = results.find((result) => result.status === 'Error')?.migrationName;
  const message = error instanceof Error ? error.message : String(error);
  throw new DatabaseOpenError(
    { kind: 'migration-failed', migration: failed },
    failed === undefined
      ? `migrations of schema "${schema}" could not run: ${message}`
      : `migration "${failed}" of schema "${schema}" failed: ${message}`,
    { cause: error },
  );
}

import { Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import { DatabaseOpenError } from './errors.js';
import { ensureSchema, migrateToLatest, type Migrations } from './migrate.js';
import { openPGlite } from './pglite.js';
import { isPostgresUrl, openPostgres, redactUrl, type PoolOptions } from './postgres.js';
import { assertSchemaName } from './schema-name.js';

export type DatabaseKind = 'postgres' | 'pglite';

export interface OpenDatabaseOptions {
  /** The service's schema (`registry`, `featurestore`, …): created if missing, the search_path of every query. */
  readonly schema: string;
  /** The service's kysely migrations, run to the latest at open. */
  readonly migrations: Migrations;
  /** `postgres://…` or `postgresql://…`: use PostgreSQL. Absent: embedded PGlite. */
  readonly url?: string;
  /**
   * PGlite only: the data root (`$MLOPS_DATA_DIR`); the data lives in `<dataDir>/pglite/<schema>`.
   * `memory://` keeps it in memory. Default `./.mlops`, the platform's default data directory.
   */
  readonly dataDir?: string;
  /** PostgreSQL only: pool size and timeouts. */
  readonly pool?: PoolOptions;
  readonly logger?: Logger;
}

export interface Database<DB> {
  readonly db: Kysely<DB>;
  readonly kind: DatabaseKind;
  readonly schema: string;
  /** Resolves when the database answers `select 1`; for readiness checks. */
  ping(): Promise<void>;
  /** Closes the pool (PostgreSQL) or stops PGlite, after the queries in flight. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_DATA_DIR = './.mlops';

/** Opens the service's database: its own schema, migrated to the latest. Throws `DatabaseOpenError`. */
export async function openDatabase<DB>(opts: OpenDatabaseOptions): Promise<Database<DB>> {
  assertSchemaName(opts.schema);
  const target = await openTarget(opts);
  const db = new Kysely<DB>({ dialect: target.dialect });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= db.destroy().finally(target.release);
    return closing;
  };

  try {
    const untyped = db as unknown as Kysely<unknown>;
    await ensureSchema(untyped, opts.schema).catch((err: unknown) => {
      const reason = err instanceof Error ? err.message : String(err);
      throw new DatabaseOpenError(
        { kind: 'unavailable', location: target.location },
        `cannot create schema "${opts.schema}" in ${target.location}: ${reason}`,
        { cause: err },
      );
    });
    const results = await migrateToLatest(untyped, opts.schema, opts.migrations);
    opts.logger?.info(
      {
        kind: target.kind,
        schema: opts.schema,
        location: target.location,
        migrationsApplied: results.map((result) => result.migrationName),
      },
      'database open',
    );
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }

  return {
    db,
    kind: target.kind,
    schema: opts.schema,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close,
  };
}

interface OpenTarget {
  readonly kind: DatabaseKind;
  readonly dialect: ReturnType<typeof openPostgres>['dialect'];
  /** Where the data is, for the log line (password masked). */
  readonly location: string;
  /** Runs after kysely destroyed the driver. */
  readonly release: () => void;
}

async function openTarget(opts: OpenDatabaseOptions): Promise<OpenTarget> {
  if (opts.url === undefined) {
    const pglite = await openPGlite({ schema: opts.schema, dataDir: opts.dataDir ?? DEFAULT_DATA_DIR });
    return { kind: 'pglite', dialect: pglite.dialect, location: pglite.location, release: pglite.unclaim };
  }
  if (!isPostgresUrl(opts.url) || !URL.canParse(opts.url)) {
    throw new DatabaseOpenError(
      { kind: 'unsupported-url', url: redactUrl(opts.url) },
      `url: expected postgres://user@host:port/database (or none, for embedded PGlite), got ${redactUrl(opts.url)}`,
    );
  }
  const postgres = openPostgres({ url: opts.url, schema: opts.schema, pool: opts.pool, logger: opts.logger });
  return {
    kind: 'postgres',
    dialect: postgres.dialect,
    location: redactUrl(opts.url),
    release: () => undefined,
  };
}

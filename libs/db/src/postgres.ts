import { PostgresDialect, type Dialect } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';

/** Connection pool settings (PostgreSQL only: PGlite is one in-process session). */
export interface PoolOptions {
  /** Most connections this process holds (default 10). Replicas × max must stay under `max_connections`. */
  readonly max?: number;
  /** Server-side `statement_timeout` in ms for every statement (default: none). */
  readonly statementTimeoutMs?: number;
  /** How long to wait for a new connection before failing (default 10 s; pg's own default waits forever). */
  readonly connectionTimeoutMs?: number;
  /** Close connections idle this long (default 30 s). */
  readonly idleTimeoutMs?: number;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** The URL with its password masked, for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export interface PostgresTarget {
  readonly dialect: Dialect;
  readonly pool: pg.Pool;
}

/** A pg pool whose every connection has `search_path` set to `schema`, and the kysely dialect on it. */
export function openPostgres(opts: {
  url: string;
  schema: string;
  pool?: PoolOptions;
  logger?: Logger;
}): PostgresTarget {
  const { connectionString, options } = withSearchPath(opts.url, opts.schema);
  const pool = new pg.Pool({
    connectionString,
    // A startup parameter rather than a SET after connect: it is in force before the first query
    // of every connection, including ones the pool opens later to replace lost ones.
    options,
    application_name: `mlops-${opts.schema}`,
    max: opts.pool?.max ?? 10,
    connectionTimeoutMillis: opts.pool?.connectionTimeoutMs ?? 10_000,
    idleTimeoutMillis: opts.pool?.idleTimeoutMs ?? 30_000,
    ...(opts.pool?.statementTimeoutMs !== undefined
      ? { statement_timeout: opts.pool.statementTimeoutMs }
      : {}),
  });
  handleConnectionLoss(pool, opts.schema, opts.logger);
  return { dialect: new PostgresDialect({ pool }), pool };
}

/**
 * An `'error'` event without a listener crashes Node. pg emits one when the server closes a
 * connection no query is waiting on (PostgreSQL restarted, `pg_terminate_backend`, a proxy's idle
 * timeout): on the pool for idle connections, and on the client itself for a connection kysely holds
 * between queries (pg-pool detaches its listener on checkout). Both are survivable: the pool drops
 * the dead connection and opens a new one for the next query, so the loss is logged, once, by the
 * client's own listener.
 */
function handleConnectionLoss(pool: pg.Pool, schema: string, logger: Logger | undefined): void {
  pool.on('connect', (client) => {
    client.on('error', (err) => {
      logger?.warn({ err, schema }, 'PostgreSQL connection lost; the pool will replace it');
    });
  });
  pool.on('error', () => {
    // Logged by the client listener above; this listener only keeps the event from crashing.
  });
}

// pg lets parameters in the connection string override the config object, so a `?options=` in
// DATABASE_URL would silently replace the search_path; it is merged in front of ours instead.
function withSearchPath(url: string, schema: string): { connectionString: string; options: string } {
  const parsed = new URL(url);
  const fromUrl = parsed.searchParams.get('options');
  parsed.searchParams.delete('options');
  const searchPath = `-c search_path=${schema}`;
  return { connectionString: parsed.toString(), options: fromUrl ? `${fromUrl} ${searchPath}` : searchPath };
}

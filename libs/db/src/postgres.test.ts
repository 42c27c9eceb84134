import { Writable } from 'node:stream';
import { sql, type Generated, type Migration } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openDatabase, type Database, type OpenDatabaseOptions } from './open-database.js';
import { isSerializationFailure, sqlState } from './sqlstate.js';
import { createTestDatabase } from './testing/index.js';

interface Tables {
  entry: { id: Generated<number>; value: string };
}

const entryMigrations: Record<string, Migration> = {
  '0001_entry': {
    up: async (db) => {
      await db.schema
        .createTable('entry')
        .addColumn('id', 'serial', (col) => col.primaryKey())
        .addColumn('value', 'text', (col) => col.notNull())
        .execute();
    },
  },
};

async function freshUrl(): Promise<string> {
  const database = await createTestDatabase();
  onTestFinished(() => database.drop());
  return database.url;
}

async function open(
  opts: Omit<OpenDatabaseOptions, 'migrations'> & { migrations?: OpenDatabaseOptions['migrations'] },
) {
  const database = await openDatabase<Tables>({ migrations: entryMigrations, ...opts });
  onTestFinished(() => database.close());
  return database;
}

/** A pino logger whose lines the test can wait for. */
function capturedLogger() {
  const lines: Array<{ msg: string }> = [];
  const waiters: Array<{ msg: string; count: number; resolve: () => void }> = [];
  const count = (msg: string) => lines.filter((line) => line.msg === msg).length;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { msg: string });
      for (const waiter of waiters) if (count(waiter.msg) >= waiter.count) waiter.resolve();
      done();
    },
  });
  return {
    logger: pino({ level: 'debug' }, stream),
    /** Resolves once `count` lines with message `msg` were logged. */
    waitFor: (msg: string, count_: number) =>
      new Promise<void>((resolve) => {
        waiters.push({ msg, count: count_, resolve });
        if (count(msg) >= count_) resolve();
      }),
    count,
  };
}

async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const LOST = 'PostgreSQL connection lost; the pool will replace it';

describe('openDatabase on PostgreSQL', () => {
  it('keeps two schemas in one database apart', async () => {
    const url = await freshUrl();
    const alpha = await open({ url, schema: 'alpha' });
    const beta = await open({
      url,
      schema: 'beta',
      migrations: {
        ...entryMigrations,
        '0002_beta_only': {
          up: async (db) => {
            await db.schema.createTable('beta_only').addColumn('id', 'integer').execute();
          },
        },
      },
    });

    await alpha.db.insertInto('entry').values({ value: 'in alpha' }).execute();
    expect(await beta.db.selectFrom('entry').selectAll().execute()).toEqual([]);
    expect((await alpha.db.selectFrom('entry').select('value').execute()).map((r) => r.value)).toEqual([
      'in alpha',
    ]);

    const unseen = await sql`select * from beta_only`.execute(alpha.db).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(sqlState(unseen)).toBe('42P01'); // undefined_table: beta's table is not on alpha's search_path

    const bookkeeping = await withAdmin(url, (client) =>
      client.query<{ table_schema: string; n: string }>(
        `select table_schema, count(*) as n from information_schema.tables
         where table_name = 'kysely_migration' group by table_schema order by table_schema`,
      ),
    );
    expect(bookkeeping.rows).toEqual([
      { table_schema: 'alpha', n: '1' },
      { table_schema: 'beta', n: '1' },
    ]);
  });

  it('lets replicas that start together on a fresh database all open it, migrating once', async () => {
    const url = await freshUrl();
    const replicas = await Promise.all(Array.from({ length: 4 }, () => open({ url, schema: 'registry' })));

    for (const replica of replicas) await replica.ping();
    const executed = await sql<{ name: string }>`select name from registry.kysely_migration`.execute(
      replicas[0]!.db,
    );
    expect(executed.rows).toEqual([{ name: '0001_entry' }]);
  });

  it('survives the server killing an idle pooled connection, and the next query succeeds', async () => {
    const url = await freshUrl();
    const log = capturedLogger();
    const database = await open({ url, schema: 'registry', logger: log.logger });
    await database.ping();

    const killed = await terminateConnections(url, 'registry');
    expect(killed).toBeGreaterThan(0);
    await log.waitFor(LOST, killed);

    await database.ping();
    expect(await database.db.selectFrom('entry').selectAll().execute()).toEqual([]);
  });

  it('survives the server killing a connection held between queries', async () => {
    const url = await freshUrl();
    const log = capturedLogger();
    const database = await open({ url, schema: 'registry', logger: log.logger });

    // db.connection() keeps one connection checked out of the pool, where pg-pool has no listener.
    const heldQueryAfterKill = await database.db.connection().execute(async (connection) => {
      await sql`select 1`.execute(connection);
      const killed = await terminateConnections(url, 'registry');
      await log.waitFor(LOST, killed);
      return sql`select 1`.execute(connection).then(
        () => 'succeeded',
        () => 'failed',
      );
    });

    expect(heldQueryAfterKill).toBe('failed');
    await database.ping();
  });

  it('applies the statement timeout option to every statement', async () => {
    const url = await freshUrl();
    const database = await open({ url, schema: 'registry', pool: { statementTimeoutMs: 100 } });
    const setting = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(database.db);
    expect(setting.rows[0]?.statement_timeout).toBe('100ms');
    const cancelled = await sql`select pg_sleep(5)`.execute(database.db).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(sqlState(cancelled)).toBe('57014'); // query_canceled
  });

  it('reports a lost serializable race as a serialization failure', async () => {
    const url = await freshUrl();
    const database: Database<Tables> = await open({ url, schema: 'registry' });
    const first = await database.db.startTransaction().setIsolationLevel('serializable').execute();
    const second = await database.db.startTransaction().setIsolationLevel('serializable').execute();
    onTestFinished(async () => {
      for (const trx of [first, second])
        if (!trx.isCommitted && !trx.isRolledBack) await trx.rollback().execute();
    });

    // Write skew: each reads what the other is about to change, then writes.
    await first.selectFrom('entry').selectAll().execute();
    await second.selectFrom('entry').selectAll().execute();
    await first.insertInto('entry').values({ value: 'first' }).execute();
    await second.insertInto('entry').values({ value: 'second' }).execute();
    await first.commit().execute();
    const lost = await second
      .commit()
      .execute()
      .then(
        () => undefined,
        (err: unknown) => err,
      );

    expect(isSerializationFailure(lost)).toBe(true);
  });

  it('sets search_path through the URL even when the URL carries its own options', async () => {
    const base = await freshUrl();
    const url = new URL(base);
    url.searchParams.set('options', '-c work_mem=8MB');
    const database = await open({ url: url.toString(), schema: 'registry' });
    const settings = await sql<{ search_path: string; work_mem: string }>`
      select current_setting('search_path') as search_path, current_setting('work_mem') as work_mem`.execute(
      database.db,
    );
    expect(settings.rows[0]).toEqual({ search_path: 'registry', work_mem: '8MB' });
  });
});

/** Terminates this database's connections opened for `schema`; returns how many. */
async function terminateConnections(url: string, schema: string): Promise<number> {
  const database = new URL(url).pathname.slice(1);
  const result = await withAdmin(url, (client) =>
    client.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
       where datname = $1 and application_name = $2 and pid <> pg_backend_pid()`,
      [database, `mlops-${schema}`],
    ),
  );
  return result.rowCount ?? 0;
}

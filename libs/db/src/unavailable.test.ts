import { sql } from 'kysely';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './open-database.js';
import { createTestDatabase, startDatabaseProxy, type DatabaseProxy, type TestDatabase } from './testing/index.js';
import { isDatabaseUnavailable, isTransientDatabaseFailure, logRoundFailure } from './unavailable.js';

// The errors are the drivers' own, provoked against a real PostgreSQL (directly and through a
// proxy the test cuts, as a restart cuts clients off).
describe('isDatabaseUnavailable', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function throughProxy(): Promise<{ database: Database<Record<string, never>>; proxy: DatabaseProxy; target: TestDatabase }> {
    const target = await createTestDatabase();
    cleanups.push(() => target.drop());
    const proxy = await startDatabaseProxy(target.url);
    cleanups.push(() => proxy.close());
    const database = await openDatabase<Record<string, never>>({ schema: 'probe', migrations: {}, url: proxy.url, pool: { max: 2, connectionTimeoutMs: 2_000 } });
    cleanups.push(() => database.close());
    return { database, proxy, target };
  }

  const failureOf = async (work: Promise<unknown>): Promise<unknown> => work.then(() => new Error('expected a failure'), (err: unknown) => err);

  it('says so for a query cut off by a restart and for a reconnect it resets, and recovers', async () => {
    const { database, proxy } = await throughProxy();
    const running = failureOf(sql`select pg_sleep(30)`.execute(database.db));
    // Let the query reach the server before the cut.
    await new Promise((r) => setTimeout(r, 200));
    await proxy.cut();
    const cutOff = await running;
    expect(isDatabaseUnavailable(cutOff), String(cutOff)).toBe(true);

    const reset = await failureOf(sql`select 1`.execute(database.db));
    expect(isDatabaseUnavailable(reset), String(reset)).toBe(true);
    expect(isTransientDatabaseFailure(reset)).toBe(true);

    await proxy.restore();
    const back = await sql<{ one: number }>`select 1 as one`.execute(database.db);
    expect(back.rows).toEqual([{ one: 1 }]);
  });

  it('says so for a connection refused (nothing listening where PostgreSQL was)', async () => {
    const server = createServer();
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
    await new Promise((resolve) => server.close(resolve));
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    const refused = await failureOf(client.connect());
    expect((refused as { code?: string }).code).toBe('ECONNREFUSED');
    expect(isDatabaseUnavailable(refused)).toBe(true);
  });

  it('says so for a connection PostgreSQL itself terminates (57P01)', async () => {
    const { database, target } = await throughProxy();
    const running = failureOf(sql`select pg_sleep(30)`.execute(database.db));
    await new Promise((r) => setTimeout(r, 200));
    const admin = await openDatabase<Record<string, never>>({ schema: 'admin', migrations: {}, url: target.url, pool: { max: 1 } });
    try {
      await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = 'mlops-probe'`.execute(admin.db);
    } finally {
      await admin.close();
    }
    const terminated = await running;
    expect(isDatabaseUnavailable(terminated), String(terminated)).toBe(true);
  });

  it('does not for a failure of the request itself', async () => {
    const { database } = await throughProxy();
    const syntax = await failureOf(sql`selec 1`.execute(database.db));
    const missing = await failureOf(sql`select * from no_such_table`.execute(database.db));
    for (const err of [syntax, missing, new Error('boom'), undefined, 'ECONNREFUSED']) {
      expect(isDatabaseUnavailable(err), String(err)).toBe(false);
      expect(isTransientDatabaseFailure(err), String(err)).toBe(false);
    }
  });

  it('follows causes and aggregate errors, and counts lost serialization races as transient only', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(new Error('while storing', { cause: refused }))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([refused, { ...refused }], ''))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([refused, new Error('bad password')], ''))).toBe(false);
    expect(isDatabaseUnavailable({ code: '08006' })).toBe(true);
    expect(isDatabaseUnavailable({ code: '40001' })).toBe(false);
    expect(isTransientDatabaseFailure({ code: '40001' })).toBe(true);
    expect(isTransientDatabaseFailure({ code: '23505' })).toBe(false);
  });
});

describe('logRoundFailure', () => {
  it('warns while the database is unavailable and reports anything else as an error', () => {
    const lines: Array<{ level: number; msg: string; databaseUnavailable?: boolean }> = [];
    const logger = pino(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
          done();
        },
      }),
    );
    const onError = logRoundFailure(logger, 'compaction round failed');
    onError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }));
    onError(Object.assign(new Error('division by zero'), { code: '22012' }));
    expect(lines.map((l) => [pino.levels.labels[l.level], l.msg, l.databaseUnavailable])).toEqual([
      ['warn', 'compaction round failed', true],
      ['error', 'compaction round failed', undefined],
    ]);
  });
});

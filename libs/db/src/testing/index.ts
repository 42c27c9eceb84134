import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseKind } from '../open-database.js';

const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** The server tests use: `TEST_DATABASE_URL`, or the local default. */
export function testDatabaseUrl(): string {
  const fromEnv = process.env['TEST_DATABASE_URL'];
  return fromEnv === undefined || fromEnv.trim() === '' ? DEFAULT_TEST_DATABASE_URL : fromEnv;
}

export interface TestDatabase {
  /** URL of the fresh database, for `openDatabase({ url })`. */
  readonly url: string;
  /** Drops the database, disconnecting whoever is still connected. Idempotent. */
  drop(): Promise<void>;
}

/** Creates `test_<random>` on the server of `TEST_DATABASE_URL`, so test files never share tables. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = testDatabaseUrl();
  const name = `test_${randomBytes(8).toString('hex')}`;
  await withAdminClient(serverUrl, (client) => client.query(`create database "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropping: Promise<void> | undefined;
  return {
    url: url.toString(),
    drop: () => {
      // WITH (FORCE) ends connections a test forgot to close (PostgreSQL 13+).
      dropping ??= withAdminClient(serverUrl, (client) =>
        client.query(`drop database if exists "${name}" with (force)`),
      );
      return dropping;
    },
  };
}

async function withAdminClient(url: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/** Where one test run keeps its data: spread `options` into `openDatabase`, call `drop()` after. */
export interface TestDatabaseTarget {
  readonly kind: DatabaseKind;
  readonly options: { readonly url: string } | { readonly dataDir: string };
  drop(): Promise<void>;
}

export interface DialectUnderTest {
  readonly kind: DatabaseKind;
  /** Fresh, empty storage of this kind. */
  create(): Promise<TestDatabaseTarget>;
}

/**
 * Both backends the platform runs on, to run one suite against each:
 *
 * ```ts
 * describe.each(dialectsUnderTest())('on $kind', (dialect) => {
 *   it('stores a model', async () => {
 *     const target = await dialect.create();
 *     onTestFinished(() => target.drop());
 *     const database = await openDatabase<Tables>({ schema: 'registry', migrations, ...target.options });
 *     onTestFinished(() => database.close());
 *     …
 *   });
 * });
 * ```
 */
export function dialectsUnderTest(): DialectUnderTest[] {
  return [
    {
      kind: 'postgres',
      create: async () => {
        const database = await createTestDatabase();
        return { kind: 'postgres', options: { url: database.url }, drop: database.drop };
      },
    },
    {
      kind: 'pglite',
      create: () =>
        Promise.resolve({ kind: 'pglite', options: { dataDir: 'memory://' }, drop: () => Promise.resolve() }),
    },
  ];
}
export { startDatabaseProxy, type DatabaseProxy } from './proxy.js';

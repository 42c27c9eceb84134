import { sql, type Generated, type Migration } from 'kysely';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DatabaseOpenError } from './errors.js';
import { openDatabase, type Database } from './open-database.js';
import { isUniqueViolation } from './sqlstate.js';
import { dialectsUnderTest, type DialectUnderTest } from './testing/index.js';

interface Tables {
  item: { id: Generated<number>; name: string; quantity: string };
}

// Plain `createTable` without `ifNotExists`: running a migration twice would fail.
const migrations: Record<string, Migration> = {
  '0001_item': {
    up: async (db) => {
      await db.schema
        .createTable('item')
        .addColumn('id', 'serial', (col) => col.primaryKey())
        .addColumn('name', 'text', (col) => col.notNull().unique())
        .execute();
    },
  },
  '0002_item_quantity': {
    up: async (db) => {
      await db.schema
        .alterTable('item')
        .addColumn('quantity', 'int8', (col) => col.notNull().defaultTo(0))
        .execute();
    },
  },
};

async function open(
  dialect: DialectUnderTest,
  opts: { migrations?: Record<string, Migration>; schema?: string } = {},
): Promise<Database<Tables>> {
  const target = await dialect.create();
  onTestFinished(() => target.drop());
  const database = await openDatabase<Tables>({
    schema: opts.schema ?? 'inventory',
    migrations: opts.migrations ?? migrations,
    ...target.options,
  });
  onTestFinished(() => database.close());
  return database;
}

const names = async (database: Database<Tables>): Promise<string[]> =>
  (await database.db.selectFrom('item').select('name').orderBy('name').execute()).map((row) => row.name);

describe.each(dialectsUnderTest())('openDatabase on $kind', (dialect) => {
  it('migrates into the service schema and queries through the search_path', async () => {
    const database = await open(dialect);
    expect(database.kind).toBe(dialect.kind);
    await database.ping();

    await database.db.insertInto('item').values({ name: 'bolt', quantity: '12' }).execute();
    const row = await database.db.selectFrom('item').selectAll().executeTakeFirstOrThrow();
    // int8 comes back as a string on both drivers, so code and tests do not depend on the backend.
    expect(row).toEqual({ id: 1, name: 'bolt', quantity: '12' });

    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'inventory' order by table_name`.execute(
      database.db,
    );
    expect(tables.rows.map((t) => t.table_name)).toEqual([
      'item',
      'kysely_migration',
      'kysely_migration_lock',
    ]);
    const executed = await sql<{
      name: string;
    }>`select name from inventory.kysely_migration order by name`.execute(database.db);
    expect(executed.rows.map((m) => m.name)).toEqual(['0001_item', '0002_item_quantity']);
  });

  it('commits a transaction and rolls one back when its callback throws', async () => {
    const database = await open(dialect);
    await database.db.transaction().execute(async (trx) => {
      await trx.insertInto('item').values({ name: 'kept', quantity: '1' }).execute();
    });
    await expect(
      database.db.transaction().execute(async (trx) => {
        await trx.insertInto('item').values({ name: 'undone', quantity: '1' }).execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await names(database)).toEqual(['kept']);
  });

  it('keeps concurrent transactions apart', async () => {
    const database = await open(dialect);
    let firstInserted!: () => void;
    const firstHasInserted = new Promise<void>((resolve) => (firstInserted = resolve));

    const failing = database.db.transaction().execute(async (trx) => {
      await trx.insertInto('item').values({ name: 'rolled-back', quantity: '1' }).execute();
      firstInserted();
      // Give the other transaction every chance to run while this one is open.
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw new Error('abort');
    });
    const committing = firstHasInserted.then(() =>
      database.db.transaction().execute(async (trx) => {
        await trx.insertInto('item').values({ name: 'committed', quantity: '1' }).execute();
      }),
    );
    const [failed, committed] = await Promise.allSettled([failing, committing]);

    expect(failed.status).toBe('rejected');
    expect(committed.status).toBe('fulfilled');
    expect(await names(database)).toEqual(['committed']);
  });

  it('runs many concurrent queries', async () => {
    const database = await open(dialect);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        database.db
          .insertInto('item')
          .values({ name: `n${String(i).padStart(2, '0')}`, quantity: String(i) })
          .execute(),
      ),
    );
    const total = await database.db
      .selectFrom('item')
      .select((eb) => eb.fn.sum<string>('quantity').as('total'))
      .executeTakeFirstOrThrow();
    expect(total.total).toBe('190');
  });

  it('applies the isolation level and rolls back to a savepoint', async () => {
    const database = await open(dialect);
    const trx = await database.db.startTransaction().setIsolationLevel('serializable').execute();
    // An open transaction holds its connection, and close() waits for it: always end it.
    onTestFinished(() => (trx.isCommitted || trx.isRolledBack ? undefined : trx.rollback().execute()));
    await trx.insertInto('item').values({ name: 'before', quantity: '1' }).execute();
    const withSavepoint = await trx.savepoint('sp').execute();
    await withSavepoint.insertInto('item').values({ name: 'after', quantity: '1' }).execute();
    await withSavepoint.rollbackToSavepoint('sp').execute();
    const level = await sql<{ transaction_isolation: string }>`show transaction_isolation`.execute(trx);
    await trx.commit().execute();

    expect(level.rows[0]?.transaction_isolation).toBe('serializable');
    expect(await names(database)).toEqual(['before']);
  });

  it('reports a duplicate key as a unique violation', async () => {
    const database = await open(dialect);
    await database.db.insertInto('item').values({ name: 'twice', quantity: '1' }).execute();
    const duplicate = await database.db
      .insertInto('item')
      .values({ name: 'twice', quantity: '1' })
      .execute()
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(duplicate).toBeDefined();
    expect(isUniqueViolation(duplicate)).toBe(true);
    expect(isUniqueViolation(new Error('duplicate key value'))).toBe(false);
  });

  it('names the migration that failed and applies none of it', async () => {
    const target = await dialect.create();
    onTestFinished(() => target.drop());
    const broken: Record<string, Migration> = {
      ...migrations,
      '0003_broken': {
        up: async (db) => {
          await db.schema.createTable('half_done').addColumn('id', 'integer').execute();
          await sql`select * from no_such_table`.execute(db);
        },
      },
    };
    const failure = await openDatabase({ schema: 'inventory', migrations: broken, ...target.options }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(DatabaseOpenError);
    expect((failure as DatabaseOpenError).failure).toEqual({
      kind: 'migration-failed',
      migration: '0003_broken',
    });
    expect((failure as DatabaseOpenError).message).toContain('no_such_table');
  });

  it('applies only new migrations when opened again', async () => {
    if (dialect.kind === 'pglite') return; // in-memory PGlite starts empty on every open; see pglite.test.ts
    const target = await dialect.create();
    onTestFinished(() => target.drop());
    const first = await openDatabase<Tables>({ schema: 'inventory', migrations, ...target.options });
    await first.db.insertInto('item').values({ name: 'old', quantity: '1' }).execute();
    await first.close();

    const more: Record<string, Migration> = {
      ...migrations,
      '0003_seed': {
        up: async (db) => {
          await sql`insert into item (name) values ('seeded')`.execute(db);
        },
      },
    };
    const second = await openDatabase<Tables>({ schema: 'inventory', migrations: more, ...target.options });
    onTestFinished(() => second.close());
    expect(await names(second)).toEqual(['old', 'seeded']);
  });

  it('closes once, however often close is called', async () => {
    const database = await open(dialect);
    await Promise.all([database.close(), database.close()]);
    await database.close();
    await expect(database.ping()).rejects.toThrow();
  });
});

describe('openDatabase options', () => {
  it.each(['Registry', '1st', 'pg_catalog', 'has-dash', 'a;drop', '', 'x'.repeat(64)])(
    'rejects schema name %j',
    async (schema) => {
      const failure = await openDatabase({ schema, migrations: {}, dataDir: 'memory://' }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(DatabaseOpenError);
      expect((failure as DatabaseOpenError).failure).toEqual({ kind: 'invalid-schema', schema });
      expect((failure as DatabaseOpenError).message).toMatch(/^schema: expected a lower-case SQL identifier/);
    },
  );

  it('says which server it could not reach', async () => {
    const url = 'postgres://postgres:secret@127.0.0.1:1/nowhere';
    const failure = await openDatabase({ schema: 'registry', migrations: {}, url }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(DatabaseOpenError);
    expect((failure as DatabaseOpenError).failure).toEqual({
      kind: 'unavailable',
      location: 'postgres://postgres:***@127.0.0.1:1/nowhere',
    });
    expect((failure as DatabaseOpenError).message).toMatch(
      /^cannot create schema "registry" in postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/nowhere: /,
    );
  });

  it('rejects a URL that is not PostgreSQL, without echoing its password', async () => {
    const failure = await openDatabase({
      schema: 'registry',
      migrations: {},
      url: 'mysql://root:secret@db:3306/x',
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(DatabaseOpenError);
    expect((failure as DatabaseOpenError).failure.kind).toBe('unsupported-url');
    expect((failure as DatabaseOpenError).message).not.toContain('secret');
  });
});

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Generated, type Migration } from 'kysely';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DatabaseOpenError } from './errors.js';
import { openDatabase } from './open-database.js';

interface Tables {
  note: { id: Generated<number>; body: string };
}

const migrations: Record<string, Migration> = {
  '0001_note': {
    up: async (db) => {
      await db.schema
        .createTable('note')
        .addColumn('id', 'serial', (col) => col.primaryKey())
        .addColumn('body', 'text', (col) => col.notNull())
        .execute();
    },
  },
};

async function tempDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mlops-db-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('openDatabase on PGlite', () => {
  it('keeps data in <dataDir>/pglite/<schema> across close and open', async () => {
    const dataDir = await tempDataDir();
    const first = await openDatabase<Tables>({ schema: 'registry', migrations, dataDir });
    expect(first.kind).toBe('pglite');
    await first.db.insertInto('note').values({ body: 'remember me' }).execute();
    await first.close();

    expect(await readdir(join(dataDir, 'pglite'))).toEqual(['registry']);

    const second = await openDatabase<Tables>({ schema: 'registry', migrations, dataDir });
    onTestFinished(() => second.close());
    expect(await second.db.selectFrom('note').select('body').execute()).toEqual([{ body: 'remember me' }]);
    const executed = await sql<{ name: string }>`select name from registry.kysely_migration`.execute(
      second.db,
    );
    expect(executed.rows).toEqual([{ name: '0001_note' }]);
  });

  it('gives each schema its own directory', async () => {
    const dataDir = await tempDataDir();
    const registry = await openDatabase<Tables>({ schema: 'registry', migrations, dataDir });
    onTestFinished(() => registry.close());
    const monitoring = await openDatabase<Tables>({ schema: 'monitoring', migrations, dataDir });
    onTestFinished(() => monitoring.close());

    await registry.db.insertInto('note').values({ body: 'registry only' }).execute();
    expect(await monitoring.db.selectFrom('note').selectAll().execute()).toEqual([]);
    expect((await readdir(join(dataDir, 'pglite'))).sort()).toEqual(['monitoring', 'registry']);
  });

  it('refuses a second open of a directory in use, and allows it after close', async () => {
    const dataDir = await tempDataDir();
    const first = await openDatabase<Tables>({ schema: 'registry', migrations, dataDir });

    const second = await openDatabase({ schema: 'registry', migrations, dataDir }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(second).toBeInstanceOf(DatabaseOpenError);
    expect((second as DatabaseOpenError).failure).toEqual({
      kind: 'data-dir-in-use',
      dataDir: join(dataDir, 'pglite', 'registry'),
    });

    await first.close();
    const reopened = await openDatabase<Tables>({ schema: 'registry', migrations, dataDir });
    onTestFinished(() => reopened.close());
    await reopened.ping();
  });
});

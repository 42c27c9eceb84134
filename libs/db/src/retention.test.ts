import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Migration } from 'kysely';
import { Registry } from 'prom-client';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openDatabase, type OpenDatabaseOptions } from './open-database.js';
import { pruneOlderThan, startRetention } from './retention.js';
import { createTestDatabase } from './testing/index.js';

interface Tables {
  event: { id: number; at: Date };
}

const migrations: Record<string, Migration> = {
  '0001_event': {
    up: async (db) => {
      await db.schema.createTable('event').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('at', 'timestamptz', (c) => c.notNull()).execute();
    },
  },
};

const HOUR = 3_600_000;
const NOW = new Date('2026-12-01T12:00:00Z');

async function openOn(kind: 'postgres' | 'pglite') {
  let target: Pick<OpenDatabaseOptions, 'url' | 'dataDir'>;
  if (kind === 'postgres') {
    const database = await createTestDatabase();
    onTestFinished(() => database.drop());
    target = { url: database.url };
  } else {
    const dir = await mkdtemp(join(tmpdir(), 'mlops-retention-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    target = { dataDir: dir };
  }
  const database = await openDatabase<Tables>({ schema: 'retention_test', migrations, ...target });
  onTestFinished(() => database.close());
  // Rows 1..12 are 1..12 hours old.
  await database.db
    .insertInto('event')
    .values(Array.from({ length: 12 }, (_, i) => ({ id: i + 1, at: new Date(NOW.getTime() - (i + 1) * HOUR) })))
    .execute();
  return database.db;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for retention');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ids = async (db: Awaited<ReturnType<typeof openOn>>) => (await db.selectFrom('event').select('id').orderBy('id').execute()).map((r) => r.id);

describe.each(['postgres', 'pglite'] as const)('retention on %s', (kind) => {
  it('deletes exactly the rows older than the rule keeps, in batches', async () => {
    const db = await openOn(kind);
    // 4.5 hours kept: rows 5..12 go, in batches of 3 (3 + 3 + 2).
    expect(await pruneOlderThan(db as never, { table: 'event', timeColumn: 'at', keepMs: 4.5 * HOUR }, NOW, 3)).toBe(8);
    expect(await ids(db)).toEqual([1, 2, 3, 4]);
    expect(await pruneOlderThan(db as never, { table: 'event', timeColumn: 'at', keepMs: 4.5 * HOUR }, NOW, 3)).toBe(0);
  });
});

describe('startRetention', () => {
  const kind = 'postgres';

  it('runs on its own soon after start, and counts what it deleted per table', async () => {
    const db = await openOn(kind);
    const metrics = new Registry();
    const retention = startRetention({ db: db as never, rules: [{ table: 'event', timeColumn: 'at', keepMs: 11.5 * HOUR }], intervalMs: 50, clock: () => NOW, metrics });
    onTestFinished(() => retention.stop());
    expect(await metrics.getSingleMetricAsString('mlops_retention_rows_deleted_total')).toMatch(/table="event"} 0$/m);
    await waitUntil(async () => (await ids(db)).length === 11);
    await waitUntil(async () => /table="event"} 1$/m.test(await metrics.getSingleMetricAsString('mlops_retention_rows_deleted_total')));
  });

  it('runs its rules on demand and reports what each deleted', async () => {
    const db = await openOn(kind);
    const metrics = new Registry();
    // The default interval (an hour): only runNow prunes during the test.
    const retention = startRetention({ db: db as never, rules: [{ table: 'event', timeColumn: 'at', keepMs: 10.5 * HOUR }], clock: () => NOW, metrics });
    onTestFinished(() => retention.stop());
    expect(await retention.runNow()).toEqual({ event: 2 });
    expect(await metrics.getSingleMetricAsString('mlops_retention_rows_deleted_total')).toMatch(/table="event"} 2$/m);
    expect(await ids(db)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe('retention rules', () => {
  it('are checked before any SQL is built from them', async () => {
    const db = {} as never;
    await expect(pruneOlderThan(db, { table: 'event; drop table x', timeColumn: 'at', keepMs: 1 }, NOW)).rejects.toThrow('table: expected a lower-case SQL identifier, got "event; drop table x"');
    await expect(pruneOlderThan(db, { table: 'event', timeColumn: 'at', keepMs: 0 }, NOW)).rejects.toThrow('keepMs: expected a positive number of milliseconds, got 0');
    expect(() => startRetention({ db, rules: [{ table: 'event', timeColumn: 'At', keepMs: 1 }], intervalMs: 1000 })).toThrow('timeColumn: expected a lower-case SQL identifier, got "At"');
  });
});


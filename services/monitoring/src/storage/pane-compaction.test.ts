import { openDatabase } from '@mlops/db';
import { dialectsUnderTest, type DialectUnderTest } from '@mlops/db/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { UNIVERSAL_BINNING } from '../windows/binning.js';
import { PaneSummary } from '../windows/pane.js';
import { BinningCache } from './binnings.js';
import { monitoringMigrations } from './migrations.js';
import { compactPaneParts, foldPaneParts } from './pane-compaction.js';
import { appendPaneParts, loadWindow, type PaneDelta } from './panes.js';
import type { MonitoringTables } from './schema.js';

const PANE_MS = 60_000;
const T0 = Date.UTC(2026, 11, 1, 12, 0);

async function database(dialect: DialectUnderTest) {
  const target = await dialect.create();
  onTestFinished(() => target.drop());
  const opened = await openDatabase<MonitoringTables>({ schema: 'monitoring', migrations: monitoringMigrations, ...target.options });
  onTestFinished(() => opened.close());
  return opened.db;
}

/** A batch's delta: `n` predictions of pane `pane`, with a numeric and a categorical column. */
function delta(pane: number, n: number, seed: number): PaneDelta {
  const summary = new PaneSummary();
  for (let i = 0; i < n; i++) {
    summary.predictions++;
    summary.latency.add(1 + ((seed * 7 + i) % 50));
    summary.numeric('tenure', UNIVERSAL_BINNING)!.add(seed + i / 10);
    summary.categorical('plan')!.add(i % 3 === 0 ? 'pro' : 'basic');
  }
  return { model: 'churn', version: 3n, paneStartMs: T0 + pane * PANE_MS, summary };
}

/**
 * A summary's content regardless of merge order: bins sorted by key, sums rounded to 12 digits
 * (moments merged in another order differ in the last bits).
 */
function content(json: unknown): unknown {
  if (typeof json === 'number') return Number(json.toPrecision(12));
  if (Array.isArray(json)) {
    const items = json.map(content);
    return items.every((x) => Array.isArray(x)) ? [...items].sort((a, b) => (String((a as unknown[])[0]) < String((b as unknown[])[0]) ? -1 : 1)) : items;
  }
  if (json !== null && typeof json === 'object') return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, content(v)]));
  return json;
}

const counts = async (db: Awaited<ReturnType<typeof database>>) => ({
  parts: (await db.selectFrom('pane_parts').select('id').execute()).length,
  panes: (await db.selectFrom('panes').select('pane_start').execute()).length,
});

// The same statements on PostgreSQL and on embedded PGlite (what `npm start` runs on).
describe.each(dialectsUnderTest())('pane parts and their compaction on $kind', (dialect) => {
  // PGlite's first start (initdb in WebAssembly) alone can take half a minute on a busy machine.
  it('a window reads the same before and after compaction, and parts appended later still count', { timeout: 240_000 }, async () => {
    const db = await database(dialect);
    const binnings = new BinningCache(db);
    // Seven batches in pane 0, three in pane 1, each its own transaction as ingestion does.
    for (let b = 0; b < 10; b++) await db.transaction().execute((tx) => appendPaneParts(tx, [delta(b < 7 ? 0 : 1, 20 + b, b)]));
    const range = { startMs: T0, endMs: T0 + 2 * PANE_MS };
    const before = (await loadWindow(db, binnings, 'churn', 3n, range)).toJSON();
    expect(before.predictions).toBe(Array.from({ length: 10 }, (_, b) => 20 + b).reduce((a, b) => a + b, 0));
    expect(await counts(db)).toEqual({ parts: 10, panes: 0 });

    // Two replicas compacting at once fold every part exactly once.
    const folded = await Promise.all([compactPaneParts(db, binnings, PANE_MS), compactPaneParts(db, new BinningCache(db), PANE_MS)]);
    expect(folded[0] + folded[1]).toBe(10);
    expect(await counts(db)).toEqual({ parts: 0, panes: 2 });
    expect(content((await loadWindow(db, binnings, 'churn', 3n, range)).toJSON())).toEqual(content(before));

    await db.transaction().execute((tx) => appendPaneParts(tx, [delta(0, 5, 99)]));
    expect((await loadWindow(db, binnings, 'churn', 3n, range)).toJSON().predictions).toBe(before.predictions + 5);
    expect(await compactPaneParts(db, binnings, PANE_MS)).toBe(1);
    expect((await loadWindow(db, binnings, 'churn', 3n, range)).toJSON().predictions).toBe(before.predictions + 5);
  });

  it('folds a backlog in bounded steps until no part is left', { timeout: 240_000 }, async () => {
    const db = await database(dialect);
    const binnings = new BinningCache(db);
    await db.transaction().execute((tx) => appendPaneParts(tx, Array.from({ length: 1_200 }, (_, i) => delta(0, 1, i))));
    const pane = { model: 'churn', version: 3n, paneStart: new Date(T0) };
    expect(await foldPaneParts(db, binnings, PANE_MS, pane)).toBe(500);
    expect(await counts(db)).toEqual({ parts: 700, panes: 1 });
    expect(await compactPaneParts(db, binnings, PANE_MS)).toBe(700);
    expect(await counts(db)).toEqual({ parts: 0, panes: 1 });
    expect((await loadWindow(db, binnings, 'churn', 3n, { startMs: T0, endMs: T0 + PANE_MS })).toJSON().predictions).toBe(1_200);
  });
});

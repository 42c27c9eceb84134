import { openDatabase } from '@mlops/db';
import { dialectsUnderTest } from '@mlops/db/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { ValidRow } from '../domain/rows.js';
import { doubleValue } from '../domain/values.js';
import { decodeRowValues, encodeRowValues } from '../ingest/feature-row-decoder.js';
import { SECOND } from '../testing/fixtures.js';
import { featureStoreMigrations } from './migrations.js';
import { materializePage, readAsOf } from './offline-store.js';
import { readOnlineRows } from './online-store.js';
import { writeRows } from './row-writer.js';
import type { FeatureStoreTables } from './schema.js';

const H = 3600 * SECOND;
const T0 = 1_700_000_000 * SECOND; // the hour "10:00" of the hand-checked table

const spend = (key: string, at: number, value: number): ValidRow => ({ entityKey: key, eventTimeMicros: at, values: encodeRowValues({ spend_7d: doubleValue(value) }) });
const spendOf = (values: Uint8Array | undefined) => (values ? decodeRowValues(values)['spend_7d']?.kind.value : undefined);

describe.each(dialectsUnderTest())('feature rows on $kind', (dialect) => {
  async function open() {
    const target = await dialect.create();
    onTestFinished(() => target.drop());
    const database = await openDatabase<FeatureStoreTables>({ schema: 'featurestore', migrations: featureStoreMigrations, ...target.options });
    onTestFinished(() => database.close());
    return database.db;
  }

  it('keeps the newest event time online whatever the arrival order, and every row offline', async () => {
    const db = await open();
    await writeRows(db, [{ view: 'v', rows: [spend('a', T0 + 2 * SECOND, 2), spend('a', T0 + 5 * SECOND, 5), spend('a', T0 + SECOND, 1)] }]);
    await writeRows(db, [{ view: 'v', rows: [spend('a', T0 + 3 * SECOND, 3)] }]); // late, older than the online row
    await writeRows(db, [{ view: 'v', rows: [spend('a', T0 + 5 * SECOND, 55), spend('a', T0 + 5 * SECOND, 50)] }]); // same time: later wins
    const online = await readOnlineRows(db, 'v', ['a', 'missing']);
    expect(online.map((r) => [r.entityKey, r.eventTimeMicros, spendOf(r.values)])).toEqual([['a', T0 + 5 * SECOND, 50]]);
    const history = await db.selectFrom('offline_rows').select(['event_time_us']).where('view', '=', 'v').orderBy('event_time_us').execute();
    expect(history.map((r) => Number(r.event_time_us) - T0)).toEqual([1, 2, 3, 5].map((s) => s * SECOND));
  });

  it('joins point in time: never a value from the entity row’s future', async () => {
    const db = await open();
    await writeRows(db, [{ view: 'v', rows: [spend('c1', T0, 1), spend('c1', T0 + H / 2, 2)] }]);
    // Arrives after the label times below were taken, with an event time after some of them.
    await writeRows(db, [{ view: 'v', rows: [spend('c1', T0 + H, 3)] }]);
    const asOf = [T0 - 1, T0, T0 + (3 * H) / 4, T0 + H - 1, T0 + H, T0 + 2 * H];
    const found = await readAsOf(db, 'v', [
      ...asOf.map((t, index) => ({ index, entityKey: 'c1', asOfMicros: t })),
      { index: 99, entityKey: 'nobody', asOfMicros: T0 + H },
    ]);
    expect(asOf.map((_, i) => spendOf(found.get(i)?.values))).toEqual([undefined, 1, 2, 2, 3, 3]);
    expect(found.get(5)?.eventTimeMicros).toBe(T0 + H);
    expect(found.has(99)).toBe(false);
  });

  it('rebuilds online rows from history in pages, within a time window, without replacing newer rows', async () => {
    const db = await open();
    await writeRows(db, [{ view: 'v', rows: ['a', 'b', 'c', 'd', 'e'].flatMap((k, i) => [spend(k, T0, i), spend(k, T0 + H, 10 + i)]) }]);
    await db.deleteFrom('online_rows').execute(); // the online store is lost
    const first = await materializePage(db, { view: 'v', after: undefined, startMicros: 0, endMicros: T0 + 1, pageSize: 3 });
    expect(first.entities).toBe(3);
    expect(first.lastKey).toBe('c');
    expect(first.written).toBe(3);
    const second = await materializePage(db, { view: 'v', after: 'c', startMicros: 0, endMicros: Number.MAX_SAFE_INTEGER, pageSize: 3 });
    expect(second).toMatchObject({ entities: 2, lastKey: undefined, written: 2 });
    // The window ended before T0 + H for a..c: their values are the T0 ones.
    const online = await readOnlineRows(db, 'v', ['a', 'b', 'c', 'd', 'e']);
    expect(Object.fromEntries(online.map((r) => [r.entityKey, spendOf(r.values)]))).toEqual({ a: 0, b: 1, c: 2, d: 13, e: 14 });
    // Re-running an older window leaves the newer online rows alone.
    const again = await materializePage(db, { view: 'v', after: 'c', startMicros: 0, endMicros: T0 + 1, pageSize: 3 });
    expect(again.written).toBe(0);
  });
});

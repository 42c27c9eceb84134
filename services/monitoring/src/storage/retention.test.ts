import { openDatabase, pruneOlderThan, type Kysely } from '@mlops/db';
import { createTestDatabase } from '@mlops/db/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { monitoringMigrations } from './migrations.js';
import { predictionRetentionRules } from './retention.js';
import type { MonitoringTables } from './schema.js';

const DAY = 24 * 3_600_000;
const NOW = new Date('2026-12-01T00:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY);

describe('prediction retention', () => {
  it('deletes raw predictions and labels past the retention, keeps recent ones and every pane', async () => {
    const database = await createTestDatabase();
    onTestFinished(() => database.drop());
    const opened = await openDatabase<MonitoringTables>({ schema: 'monitoring', migrations: monitoringMigrations, url: database.url });
    onTestFinished(() => opened.close());
    const db = opened.db;
    for (const [id, age] of [['old', 200], ['new', 3]] as const) {
      await db.insertInto('predictions').values({ prediction_id: id, model: 'churn', version: 1, entity_key: '', served_at: daysAgo(age), is_error: false, outputs: '[0.5]' }).execute();
      await db
        .insertInto('labels')
        .values({ model: 'churn', label_key: `p:${id}`, prediction_id: id, entity_key: '', event_time: null, numeric_value: 1, category: null, producer: 't', joined_prediction_id: id, received_at: daysAgo(age) })
        .execute();
      await db.insertInto('panes').values({ model: 'churn', version: 1, pane_start: daysAgo(age), pane_ms: 60_000, summary: '{}' }).execute();
    }
    let deleted = 0;
    for (const rule of predictionRetentionRules(180 * DAY)) deleted += await pruneOlderThan(db as Kysely<unknown>, rule, NOW);
    expect(deleted).toBe(2);
    expect((await db.selectFrom('predictions').select('prediction_id').execute()).map((r) => r.prediction_id)).toEqual(['new']);
    expect((await db.selectFrom('labels').select('prediction_id').execute()).map((r) => r.prediction_id)).toEqual(['new']);
    expect(await db.selectFrom('panes').select('pane_start').execute()).toHaveLength(2);
  });
});

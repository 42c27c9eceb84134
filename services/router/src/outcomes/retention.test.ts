import { openDatabase, pruneOlderThan, type Kysely } from '@mlops/db';
import { createTestDatabase } from '@mlops/db/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { routerMigrations } from '../storage/migrations.js';
import type { RouterTables } from '../storage/schema.js';
import { outcomeRetentionRules } from './retention.js';

const DAY = 24 * 3_600_000;
const NOW = new Date('2026-12-01T00:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY);

describe('outcome retention', () => {
  it('deletes outcomes, divergences and labels past the retention and keeps the recent ones', async () => {
    const database = await createTestDatabase();
    onTestFinished(() => database.drop());
    const opened = await openDatabase<RouterTables>({ schema: 'router', migrations: routerMigrations, url: database.url });
    onTestFinished(() => opened.close());
    const db = opened.db;
    for (const [id, age] of [['old', 40], ['new', 1]] as const) {
      await db
        .insertInto('outcomes')
        .values({ prediction_id: id, model: 'churn', variant: 'a', version: '1', served_at: daysAgo(age), latency_ms: 1, error_code: null, score: 0.5, predicted_label: null })
        .execute();
      await db.insertInto('divergences').values({ prediction_id: id, model: 'churn', candidate_version: '2', stable_version: '1', divergence: 0.1, at: daysAgo(age) }).execute();
      await db.insertInto('labels').values({ prediction_id: id, model: 'churn', label: '1', received_at: daysAgo(age) }).execute();
    }
    let deleted = 0;
    for (const rule of outcomeRetentionRules(30 * DAY)) deleted += await pruneOlderThan(db as Kysely<unknown>, rule, NOW);
    expect(deleted).toBe(3);
    for (const table of ['outcomes', 'divergences', 'labels'] as const) {
      expect((await db.selectFrom(table).select('prediction_id').execute()).map((r) => r.prediction_id)).toEqual(['new']);
    }
  });
});

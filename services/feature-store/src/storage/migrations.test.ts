import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@mlops/db';
import { dialectsUnderTest } from '@mlops/db/testing';
import { sql } from 'kysely';
import { describe, expect, it, onTestFinished } from 'vitest';
import { doubleValue, encodeValues, int64Value, nullValue, stringValue } from '../domain/values.js';
import { decodeRowValues } from '../ingest/feature-row-decoder.js';
import { featureStoreMigrations } from './migrations.js';
import type { FeatureStoreTables } from './schema.js';

describe.each(dialectsUnderTest())('feature store migrations on $kind', (dialect) => {
  it('converts rows stored as JSON to protobuf values, losing none', async () => {
    const target = await dialect.create();
    onTestFinished(() => target.drop());
    // The database is closed and opened again: PGlite must keep it on disk in between.
    let options = target.options;
    if (target.kind === 'pglite') {
      const dataDir = await mkdtemp(join(tmpdir(), 'fs-migrations-'));
      onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
      options = { ...options, dataDir };
    }
    const first = { '0001_initial': featureStoreMigrations['0001_initial']! };
    const before = await openDatabase<FeatureStoreTables>({ schema: 'featurestore', migrations: first, ...options });
    const values = { spend: doubleValue(1.5), orders: int64Value(2n ** 60n), segment: stringValue('gold'), gone: nullValue() };
    const json = JSON.stringify(encodeValues(values));
    for (const table of ['offline_rows', 'online_rows'] as const) {
      await sql`insert into ${sql.table(table)} (view, entity_key, event_time_us, feature_values) values ('v', 'c1', 7, ${json}::json)`.execute(before.db);
    }
    await before.close();

    const after = await openDatabase<FeatureStoreTables>({ schema: 'featurestore', migrations: featureStoreMigrations, ...options });
    onTestFinished(() => after.close());
    for (const table of ['offline_rows', 'online_rows'] as const) {
      const rows = await after.db.selectFrom(table).select(['entity_key', 'event_time_us', 'feature_values']).execute();
      expect(rows.map((r) => [r.entity_key, Number(r.event_time_us), decodeRowValues(r.feature_values)])).toEqual([['c1', 7, values]]);
    }
  });
});

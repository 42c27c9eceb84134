import { toBinary } from '@bufbuild/protobuf';
import { openDatabase } from '@mlops/db';
import { createTestDatabase } from '@mlops/db/testing';
import { PredictionEventSchema } from '@mlops/proto/mlops/events/v1/events_pb';
import { describe, expect, it, onTestFinished } from 'vitest';
import { noRegistry } from '../registry/lookup.js';
import { BinningCache } from '../storage/binnings.js';
import { monitoringMigrations } from '../storage/migrations.js';
import type { MonitoringTables } from '../storage/schema.js';
import { VersionCatalog } from '../storage/versions.js';
import { prediction } from '../testing/events.js';
import type { FeatureSummaryJson, PaneSummaryJson } from '../windows/pane.js';
import { decodePredictionEvent } from './prediction-event-decoder.js';
import { PredictionIngestor } from './predictions.js';
import { validatePredictionEvent, type ValidEvent } from './validate.js';

const T0 = new Date('2026-12-01T12:00:00Z');

describe('PredictionIngestor', () => {
  it('keeps the kind a column first had in a pane: later numbers count as categories, later strings as missing numbers', async () => {
    const database = await createTestDatabase();
    onTestFinished(() => database.drop());
    const opened = await openDatabase<MonitoringTables>({ schema: 'monitoring', migrations: monitoringMigrations, url: database.url });
    onTestFinished(() => opened.close());
    const db = opened.db;
    const ingestor = new PredictionIngestor(db, new VersionCatalog(db, new BinningCache(db), noRegistry), 60_000);

    const events = [
      { plan: 'basic', tenure: 3 },
      { plan: 2, tenure: 'unknown' },
    ].map((inputs, i): ValidEvent => {
      const bytes = toBinary(PredictionEventSchema, prediction({ id: `p${i}`, model: 'churn', servedAt: new Date(T0.getTime() + i), inputs }));
      const valid = validatePredictionEvent(decodePredictionEvent(bytes), 'mlops.predictions.churn');
      if (!valid.ok) throw new Error(valid.error);
      return valid.value;
    });
    await ingestor.flush(events);

    const parts = await db.selectFrom('pane_parts').select('summary').execute();
    expect(parts).toHaveLength(1);
    const features = (parts[0]!.summary as PaneSummaryJson).features;
    const plan = features['plan'] as Extract<FeatureSummaryJson, { kind: 'categorical' }>;
    expect(plan.kind).toBe('categorical');
    expect(Object.fromEntries(plan.categories)).toEqual({ basic: 1, '2': 1 });
    const tenure = features['tenure'] as Extract<FeatureSummaryJson, { kind: 'numeric' }>;
    expect([tenure.kind, tenure.n, tenure.missing, tenure.mean]).toEqual(['numeric', 1, 1, 3]);
  });
});

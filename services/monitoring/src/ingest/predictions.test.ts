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

async function newIngestor() {
  const database = await createTestDatabase();
  onTestFinished(() => database.drop());
  const opened = await openDatabase<MonitoringTables>({ schema: 'monitoring', migrations: monitoringMigrations, url: database.url });
  onTestFinished(() => opened.close());
  const db = opened.db;
  return { db, ingestor: new PredictionIngestor(db, new VersionCatalog(db, new BinningCache(db), noRegistry), 60_000) };
}

function validEvent(bytes: Uint8Array): ValidEvent {
  const valid = validatePredictionEvent(decodePredictionEvent(bytes), 'mlops.predictions.churn');
  if (!valid.ok) throw new Error(valid.error);
  return valid.value;
}

describe('PredictionIngestor', () => {
  it('summarizes a batch that spans two panes, counting the missing values of a column whether or not they come before its first value', async () => {
    const { db, ingestor } = await newIngestor();
    // 600 events 100 ms apart from 12:09:30: the first 300 in one pane, the rest in the next.
    const start = new Date('2026-12-01T12:09:30Z').getTime();
    const events = Array.from({ length: 600 }, (_, i) =>
      validEvent(
        toBinary(
          PredictionEventSchema,
          prediction({ id: `p${i}`, model: 'churn', servedAt: new Date(start + i * 100), inputs: { plan: 'basic', tenure: i % 7 === 0 ? Number.NaN : i } }),
        ),
      ),
    );
    await ingestor.flush(events);

    const parts = await db.selectFrom('pane_parts').select(['pane_start', 'summary']).orderBy('pane_start').execute();
    expect(parts.map((p) => p.pane_start.toISOString())).toEqual(['2026-12-01T12:09:00.000Z', '2026-12-01T12:10:00.000Z']);
    const tenureOf = (i: number) => (parts[i]!.summary as PaneSummaryJson).features['tenure'] as Extract<FeatureSummaryJson, { kind: 'numeric' }>;
    const expected = (from: number, to: number) => {
      const present = Array.from({ length: to - from }, (_, k) => from + k).filter((i) => i % 7 !== 0);
      return { n: present.length, missing: to - from - present.length, mean: present.reduce((a, b) => a + b, 0) / present.length };
    };
    // Event 0, the first of the first pane, has a missing tenure (NaN): it still counts.
    for (const [i, [from, to]] of [[0, 300], [300, 600]].entries()) {
      const tenure = tenureOf(i);
      const want = expected(from!, to!);
      expect([tenure.n, tenure.missing]).toEqual([want.n, want.missing]);
      expect(tenure.mean).toBeCloseTo(want.mean, 9);
    }
  });

  it('keeps the kind a column first had in a pane: later numbers count as categories, later strings as missing numbers', async () => {
    const { db, ingestor } = await newIngestor();
    const events = [
      { plan: 'basic', tenure: 3 },
      { plan: 2, tenure: 'unknown' },
    ].map((inputs, i) => validEvent(toBinary(PredictionEventSchema, prediction({ id: `p${i}`, model: 'churn', servedAt: new Date(T0.getTime() + i), inputs }))));
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

import { describe, expect, it } from 'vitest';
import { toBinary } from '@bufbuild/protobuf';
import { FeatureRowSchema, type FeatureRow } from '@mlops/proto/mlops/events/v1/events_pb';
import { scanFeatureRow } from '../ingest/feature-row-decoder.js';
import { row as decodedRow, SECOND, stats } from '../testing/fixtures.js';
import type { FeatureViewDef } from './definitions.js';
import { describeRejection, newestPerKey, rowValidator, validateRows } from './rows.js';
import { doubleValue, int64Value, nullValue, stringValue } from './values.js';

const view: FeatureViewDef = {
  name: 'customer_stats',
  entity: 'customer',
  features: [
    { name: 'spend_7d', type: 'double', description: '' },
    { name: 'orders_7d', type: 'int64', description: '' },
    { name: 'segment', type: 'string', description: '' },
  ],
  ttlMicros: 0,
  owner: '',
  description: '',
  tags: {},
};

const NOW = 1_700_000_000 * SECOND;

/** Rows as ingestion sees them: scanned from their encoding. */
const row = (...args: Parameters<typeof decodedRow>) => scanFeatureRow(toBinary(FeatureRowSchema, decodedRow(...args) as FeatureRow));

describe('row validation', () => {
  const validate = rowValidator(view, NOW + 300 * SECOND);

  it('keeps good rows (partial rows and explicit nulls included) and reports each bad one with its index and reason', () => {
    const result = validateRows(
      [
        row('c1', NOW, stats(10, 2n, 'gold')),
        row('', NOW, stats(1, 1n, 'x')),
        row('c3', undefined, stats(1, 1n, 'x')),
        row('c4', NOW + 3600 * SECOND, stats(1, 1n, 'x')),
        row('c5', NOW, { spend_7d: doubleValue(1), colour: stringValue('red') }),
        row('c6', NOW, { orders_7d: doubleValue(1.5) }),
        row('c7', NOW - SECOND, { spend_7d: nullValue() }),
      ],
      validate,
    );
    expect(result.good.map((r) => r.entityKey)).toEqual(['c1', 'c7']);
    expect(result.good[0]?.eventTimeMicros).toBe(NOW);
    expect(result.bad.map((b) => [b.index, describeRejection(b.reason)])).toEqual([
      [1, 'entity_key: missing'],
      [2, 'event_time: missing'],
      [3, 'event_time: 2023-11-14T23:13:20.000Z is after the latest accepted 2023-11-14T22:18:20.000Z (too far in the future)'],
      [4, 'values: unknown feature colour'],
      [5, 'values.orders_7d: expected int64, got double'],
    ]);
  });
});

describe('newestPerKey', () => {
  it('keeps the newest event time per key, and the later row on a tie', () => {
    const rows = [
      { key: 'a', eventTimeMicros: 5, tag: 'a5' },
      { key: 'a', eventTimeMicros: 3, tag: 'a3' },
      { key: 'b', eventTimeMicros: 1, tag: 'b1-first' },
      { key: 'b', eventTimeMicros: 1, tag: 'b1-second' },
      { key: 'a', eventTimeMicros: 9, tag: 'a9' },
    ];
    expect(newestPerKey(rows, (r) => r.key).map((r) => r.tag)).toEqual(['a9', 'b1-second']);
  });
});

describe('int64 values', () => {
  it('accepts int64 beyond 2^53', () => {
    const validate = rowValidator(view, NOW);
    expect(validate(row('c', NOW, { orders_7d: int64Value(2n ** 62n) })).ok).toBe(true);
  });
});

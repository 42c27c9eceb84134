import { createHash } from 'node:crypto';
import { parquetReadObjects } from 'hyparquet';
import { ExportFormat, FeatureStatus, type FeatureValue } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { microsToTimestamp } from './domain/time.js';
import { boolValue, doubleValue } from './domain/values.js';
import { row, rows, sampleDefinitions, SECOND } from './testing/fixtures.js';
import { createWorld, waitFor, type FeatureStoreWorld, type Replica } from './testing/harness.js';

const MIN = 60 * SECOND;
const H = 60 * MIN;
const T10 = Date.UTC(2024, 0, 1, 10) * 1000; // 2024-01-01T10:00:00Z in µs

const cell = (v: FeatureValue | undefined): string => {
  if (!v) return 'MISSING';
  if (v.status !== FeatureStatus.PRESENT) return FeatureStatus[v.status];
  return String(v.value?.kind.value);
};

/**
 * The hand-checked table. customer_stats has a TTL of 1 h, customer_profile none.
 * History: c1 spend 1 @10:00, 2 @10:30, 3 @11:00 (the 11:00 value arrives after the
 * others and lies in the future of rows 1–3); c2 spend 20 @10:10 arrives last of all (late).
 * c1 is_vip true @08:00.
 */
const TABLE: { key: string; at: number; spend: string; vip: string }[] = [
  { key: 'c1', at: T10 - SECOND, spend: 'NOT_FOUND', vip: 'true' },
  { key: 'c1', at: T10, spend: '1', vip: 'true' },
  { key: 'c1', at: T10 + 45 * MIN, spend: '2', vip: 'true' },
  { key: 'c1', at: T10 + H - 1, spend: '2', vip: 'true' },
  { key: 'c1', at: T10 + 2 * H, spend: '3', vip: 'true' },
  { key: 'c1', at: T10 + 2 * H + 1, spend: 'EXPIRED', vip: 'true' },
  { key: 'c2', at: T10 + 20 * MIN, spend: '20', vip: 'NOT_FOUND' },
  { key: 'c2', at: T10 + 5 * MIN, spend: 'NOT_FOUND', vip: 'NOT_FOUND' },
  { key: 'c3', at: T10 + H, spend: 'NOT_FOUND', vip: 'NOT_FOUND' },
];

const entityRows = () => TABLE.map((r) => ({ entityKey: r.key, timestamp: microsToTimestamp(r.at) }));
const FEATURES = ['customer_stats:spend_7d', 'customer_profile:is_vip'];

describe('point-in-time training sets', () => {
  let world: FeatureStoreWorld;
  let fs: Replica;

  beforeAll(async () => {
    world = await createWorld();
    fs = await world.startReplica();
    await fs.client.applyDefinitions(sampleDefinitions());
    await world.publish(rows('customer_stats', row('c1', T10, { spend_7d: doubleValue(1) }), row('c1', T10 + 30 * MIN, { spend_7d: doubleValue(2) })));
    await world.publish(rows('customer_profile', row('c1', T10 - 2 * H, { is_vip: boolValue(true) })));
    await world.publish(rows('customer_stats', row('c1', T10 + H, { spend_7d: doubleValue(3) })));
    await world.publish(rows('customer_stats', row('c2', T10 + 10 * MIN, { spend_7d: doubleValue(20) })));
    await waitFor(async () => (await world.db.selectFrom('offline_rows').select('entity_key').execute()).length === 5, 'history stored');
  });
  afterAll(async () => {
    await world.dispose();
  });

  it('streams, per entity row and in request order, the values as of its timestamp', async () => {
    const answers = [];
    for await (const res of fs.client.getHistoricalFeatures({ entityRows: entityRows(), featureRefs: FEATURES })) answers.push(res);
    expect(answers[0]?.featureRefs).toEqual(FEATURES);
    expect(answers.slice(1).every((a) => a.featureRefs.length === 0)).toBe(true);
    expect(answers.map((a) => ({ key: a.entityRow?.entityKey, spend: cell(a.values[0]), vip: cell(a.values[1]) }))).toEqual(
      TABLE.map((r) => ({ key: r.key, spend: r.spend, vip: r.vip })),
    );
    // The expired value still says which row it would have come from.
    expect(answers[5]?.values[0]?.eventTime).toEqual(microsToTimestamp(T10 + H));
  });

  it('writes the same table as CSV, with the sha256 of exactly the bytes sent', async () => {
    const chunks: Uint8Array[] = [];
    let summary;
    for await (const part of fs.client.exportTrainingSet({ query: { entityRows: entityRows(), featureRefs: FEATURES }, format: ExportFormat.CSV })) {
      if (part.part.case === 'chunk') chunks.push(part.part.value);
      else if (part.part.case === 'summary') summary = part.part.value;
    }
    const file = Buffer.concat(chunks);
    const iso = (us: number) => new Date(us / 1000).toISOString();
    const at = (us: number) => (us % 1000 === 0 ? iso(us) : `${iso(us - (us % 1000)).slice(0, -1)}${String(us % 1000).padStart(3, '0')}Z`);
    const blank = (s: string) => (s === 'NOT_FOUND' || s === 'EXPIRED' ? '' : s);
    const expected =
      'entity_key,event_timestamp,customer_stats:spend_7d,customer_profile:is_vip\r\n' +
      TABLE.map((r) => `${r.key},${at(r.at)},${blank(r.spend)},${blank(r.vip)}\r\n`).join('');
    expect(file.toString('utf8')).toBe(expected);
    expect(summary).toMatchObject({
      sha256: createHash('sha256').update(file).digest('hex'),
      rows: BigInt(TABLE.length),
      bytes: BigInt(file.byteLength),
      mediaType: 'text/csv',
      columns: ['entity_key', 'event_timestamp', ...FEATURES],
    });
  });

  it('writes it as a typed Parquet file that a Parquet reader reads back', async () => {
    const chunks: Uint8Array[] = [];
    let sha256 = '';
    for await (const part of fs.client.exportTrainingSet({ query: { entityRows: entityRows(), featureService: 'churn_v1' }, format: ExportFormat.PARQUET })) {
      if (part.part.case === 'chunk') chunks.push(part.part.value);
      else if (part.part.case === 'summary') sha256 = part.part.value.sha256;
    }
    const file = Buffer.concat(chunks);
    expect(sha256).toBe(createHash('sha256').update(file).digest('hex'));
    const table = await parquetReadObjects({ file: file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) });
    expect(table.map((r) => [r['entity_key'], r['customer_stats:spend_7d'], r['customer_profile:is_vip'], r['customer_stats:orders_7d']])).toEqual(
      TABLE.map((r) => [r.key, /^\d+$/.test(r.spend) ? Number(r.spend) : null, r.vip === 'true' ? true : null, null]),
    );
    expect(table[1]?.['event_timestamp']).toEqual(new Date(T10 / 1000));
  });
});

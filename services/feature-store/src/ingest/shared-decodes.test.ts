import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { FeatureRowsEnvelopeSchema, type FeatureRowsEnvelope } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { describe, expect, it } from 'vitest';
import type { RowBatch } from '../domain/rows.js';
import { SharedDecodes } from './shared-decodes.js';

const envelope = (view: string, ...rows: number[][]): FeatureRowsEnvelope =>
  create(FeatureRowsEnvelopeSchema, { view, producer: 'p', rows: rows.map((r) => new Uint8Array(r)) });

describe('SharedDecodes', () => {
  it('decodes a message once for both consumers, and never hands a batch to a different message', () => {
    const decoded: FeatureRowsEnvelope[] = [];
    const shared = new SharedDecodes((e): RowBatch => {
      decoded.push(e);
      return { view: e.view, producer: e.producer, rows: [] };
    });
    const first = shared.open(envelope('v', [1, 2], [3]));
    // The other consumer's copy: equal bytes, different objects.
    expect(shared.open(envelope('v', [1, 2], [3]))).toBe(first);
    expect(decoded).toHaveLength(1);
    expect(shared.size).toBe(0);

    // Same shape, one byte different; another view; another row count: each decoded on its own.
    shared.open(envelope('v', [1, 2], [4]));
    shared.open(envelope('w', [1, 2], [3]));
    shared.open(envelope('v', [1, 2]));
    expect(decoded).toHaveLength(4);
    expect(shared.size).toBe(3);
  });

  it('compares messages decoded from the wire (rows are views into one buffer) byte for byte', () => {
    const decoded = (...rows: number[][]) => fromBinary(FeatureRowsEnvelopeSchema, toBinary(FeatureRowsEnvelopeSchema, envelope('v', ...rows)));
    let decodes = 0;
    const shared = new SharedDecodes((e): RowBatch => {
      decodes++;
      return { view: e.view, producer: e.producer, rows: [] };
    });
    const first = shared.open(decoded([1, 2], [3, 4, 5]));
    expect(shared.open(decoded([1, 2], [3, 4, 5]))).toBe(first);
    shared.open(decoded([1, 2], [3, 4, 5]));
    expect(shared.open(decoded([1, 2], [3, 4, 6]))).not.toBe(first);
    expect(decodes).toBe(3);
  });

  it('keeps at most its capacity of batches nobody asked for again', () => {
    const shared = new SharedDecodes((e): RowBatch => ({ view: e.view, producer: e.producer, rows: [] }), 2);
    for (let i = 0; i < 5; i++) shared.open(envelope('v', [i]));
    expect(shared.size).toBe(2);
  });
});

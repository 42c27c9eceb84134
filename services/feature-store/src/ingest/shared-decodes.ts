import { varintSize } from '@mlops/wire';
import type { FeatureRowsEnvelope } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import type { RowBatch } from '../domain/rows.js';

/**
 * Both consumers of a replica (durable: store; broadcast: cache) receive every message this
 * replica stores, and decoding its rows is the largest cost of ingestion. Whichever consumer
 * opens a message first leaves the decoded batch here and the other takes it, so each message
 * is decoded once. A hit requires the same view, producer and byte-identical rows, so a batch is
 * never handed to a different message. Bounded: a batch the other consumer never asks for (the
 * durable consumer is shared by replicas and sees only part of the stream) is pushed out.
 */
interface Entry {
  readonly envelope: FeatureRowsEnvelope;
  /** The rows' bytes as one view, when they are contiguous (see `rowSpan`); computed once. */
  readonly span: Buffer | undefined;
  readonly batch: RowBatch;
}

export class SharedDecodes {
  private readonly entries: Entry[] = [];

  constructor(
    private readonly decode: (envelope: FeatureRowsEnvelope) => RowBatch,
    private readonly capacity = 24,
  ) {}

  open(envelope: FeatureRowsEnvelope): RowBatch {
    // Messages of one producer tend to have rows of equal lengths, so only the bytes tell them
    // apart: each candidate is compared as one span, which memcmp leaves at the first difference.
    const span = rowSpan(envelope.rows);
    const index = this.entries.findIndex((e) => sameEnvelope(e, envelope, span));
    if (index >= 0) {
      const [hit] = this.entries.splice(index, 1);
      return hit!.batch;
    }
    const batch = this.decode(envelope);
    this.entries.push({ envelope, span, batch });
    if (this.entries.length > this.capacity) this.entries.shift();
    return batch;
  }

  get size(): number {
    return this.entries.length;
  }
}

function sameEnvelope(entry: Entry, b: FeatureRowsEnvelope, spanB: Buffer | undefined): boolean {
  const a = entry.envelope;
  if (a.view !== b.view || a.producer !== b.producer || a.rows.length !== b.rows.length) return false;
  const spans = entry.span !== undefined && spanB !== undefined;
  if (spans && !entry.span.equals(spanB)) return false;
  // Equal spans hold equal rows only when the row boundaries match too.
  for (let i = 0; i < a.rows.length; i++) if (a.rows[i]!.byteLength !== b.rows[i]!.byteLength) return false;
  if (spans) return true;
  for (let i = 0; i < a.rows.length; i++) if (Buffer.compare(a.rows[i]!, b.rows[i]!) !== 0) return false;
  return true;
}

/**
 * The bytes from the first row to the end of the last, when the rows are views into one buffer
 * at the offsets a protobuf decoder gives them (each row's record right after the previous
 * one: tag, length, bytes): two such spans are equal exactly when the rows are, and one
 * comparison of the span is much cheaper than one per row.
 */
function rowSpan(rows: readonly Uint8Array[]): Buffer | undefined {
  const first = rows[0];
  if (!first) return undefined;
  let end = first.byteOffset + first.byteLength;
  for (let i = 1; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.buffer !== first.buffer) return undefined;
    const header = 1 + varintSize(row.byteLength);
    if (row.byteOffset !== end + header) return undefined;
    end = row.byteOffset + row.byteLength;
  }
  return Buffer.from(first.buffer, first.byteOffset, end - first.byteOffset);
}

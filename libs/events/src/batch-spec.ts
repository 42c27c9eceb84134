import { fromBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { resolveConsumerSpec, type ResolvedConsumer } from './consumer-spec.js';
import { STREAMS } from './streams.js';
import { filterWithin } from './subjects.js';
import type { BatchConsumerSpec } from './types.js';

export const DEFAULT_MAX_BATCH = 1000;

export interface ResolvedBatchConsumer<D extends DescMessage, T = MessageShape<D>> extends Omit<ResolvedConsumer<D>, 'handler'> {
  readonly batchHandler: BatchConsumerSpec<D, T>['handler'];
  readonly decode: (payload: Uint8Array) => T;
  readonly maxBatch: number;
}

/** Checks a batch spec like `resolveConsumerSpec` does, plus the batch size. */
export function resolveBatchConsumerSpec<D extends DescMessage, T>(spec: BatchConsumerSpec<D, T>): ResolvedBatchConsumer<D, T> {
  const maxBatch = spec.maxBatch ?? DEFAULT_MAX_BATCH;
  if (!Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > 10_000) {
    throw new TypeError(`maxBatch: expected a whole number from 1 to 10000, got ${maxBatch}`);
  }
  const { handler: _single, ...resolved } = resolveConsumerSpec({ ...spec, mode: 'durable', handler: async () => undefined });
  // Without a decoder of its own, T is the schema's message shape (consumeBatches' overloads see to it).
  const decode = spec.decode ?? ((payload: Uint8Array) => fromBinary(spec.schema, payload) as T);
  return { ...resolved, batchHandler: spec.handler, decode, maxBatch };
}

/** True when the filters take every subject of the stream (what cumulative acks need). */
export function coversWholeStream(consumer: Pick<ResolvedConsumer<DescMessage>, 'stream' | 'filters'>): boolean {
  return STREAMS[consumer.stream].subjects.every((subject) => consumer.filters.some((filter) => filterWithin(subject, filter)));
}

import type { DescMessage } from '@bufbuild/protobuf';
import { resolveConsumerSpec, type ResolvedConsumer } from './consumer-spec.js';
import { STREAMS } from './streams.js';
import { filterWithin } from './subjects.js';
import type { BatchConsumerSpec } from './types.js';

export const DEFAULT_MAX_BATCH = 1000;

export interface ResolvedBatchConsumer<D extends DescMessage> extends Omit<ResolvedConsumer<D>, 'handler'> {
  readonly batchHandler: BatchConsumerSpec<D>['handler'];
  readonly maxBatch: number;
}

/** Checks a batch spec like `resolveConsumerSpec` does, plus the batch size. */
export function resolveBatchConsumerSpec<D extends DescMessage>(spec: BatchConsumerSpec<D>): ResolvedBatchConsumer<D> {
  const maxBatch = spec.maxBatch ?? DEFAULT_MAX_BATCH;
  if (!Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > 10_000) {
    throw new TypeError(`maxBatch: expected a whole number from 1 to 10000, got ${maxBatch}`);
  }
  const { handler: _single, ...resolved } = resolveConsumerSpec({ ...spec, mode: 'durable', handler: async () => undefined });
  return { ...resolved, batchHandler: spec.handler, maxBatch };
}

/** True when the filters take every subject of the stream (what cumulative acks need). */
export function coversWholeStream(consumer: Pick<ResolvedConsumer<DescMessage>, 'stream' | 'filters'>): boolean {
  return STREAMS[consumer.stream].subjects.every((subject) => consumer.filters.some((filter) => filterWithin(subject, filter)));
}

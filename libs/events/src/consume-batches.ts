import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { resolveBatchConsumerSpec } from './batch-spec.js';
import { InvalidEventError } from './errors.js';
import { GroupCommit } from './group-commit.js';
import type { BatchConsumerSpec, BatchConsumingBus, ConsumerHandle, EventBus, ReceivedEvent } from './types.js';

/**
 * Consumes in batches on any bus: natively where the bus has a batch consumer (JetStream: one
 * cumulative ack per batch), otherwise as concurrent single deliveries grouped by a group commit
 * (the in-process bus, test doubles), with the same handler contract either way.
 */
export function consumeBatches<D extends DescMessage>(bus: EventBus | (EventBus & BatchConsumingBus), spec: BatchConsumerSpec<D>): Promise<ConsumerHandle> {
  if ('consumeBatches' in bus && typeof bus.consumeBatches === 'function') return bus.consumeBatches(spec);
  const { maxBatch } = resolveBatchConsumerSpec(spec);
  interface Pending {
    readonly event: ReceivedEvent<MessageShape<D>>;
    rejection?: string;
  }
  const commit = new GroupCommit<Pending>(async (items) => {
    const rejections = (await spec.handler(items.map((i) => i.event))) ?? [];
    for (const r of rejections) {
      const item = items[r.index];
      if (item) item.rejection = r.reason;
    }
  }, maxBatch);
  // Batches are flushed one at a time here: `concurrency` only applies to native batch consumers.
  const { handler: _batch, maxBatch: _max, concurrency: _concurrency, ...single } = spec;
  return bus.consume({
    ...single,
    mode: 'durable',
    concurrency: maxBatch,
    handler: async (event) => {
      const pending: Pending = { event };
      await commit.add(pending);
      if (pending.rejection !== undefined) throw new InvalidEventError(pending.rejection);
    },
  });
}

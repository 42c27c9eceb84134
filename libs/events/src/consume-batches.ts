import { toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { resolveBatchConsumerSpec } from './batch-spec.js';
import { InvalidEventError, undecodable } from './errors.js';
import { GroupCommit } from './group-commit.js';
import type { BatchConsumerSpec, BatchConsumingBus, ConsumerHandle, EventBus, ReceivedEvent } from './types.js';

type AnyBus = EventBus | (EventBus & BatchConsumingBus);

/**
 * Consumes in batches on any bus: natively where the bus has a batch consumer (JetStream: one
 * cumulative ack per batch), otherwise as concurrent single deliveries grouped by a group commit
 * (the in-process bus, test doubles), with the same handler contract either way.
 *
 * The handler gets the schema's messages, or with `decode`, what that decoder makes of each
 * payload (the overloads keep a handler of another type from going without a decoder).
 */
export function consumeBatches<D extends DescMessage>(bus: AnyBus, spec: BatchConsumerSpec<D> & { readonly decode?: undefined }): Promise<ConsumerHandle>;
export function consumeBatches<D extends DescMessage, T>(bus: AnyBus, spec: BatchConsumerSpec<D, T> & { readonly decode: (payload: Uint8Array) => T }): Promise<ConsumerHandle>;
export function consumeBatches<D extends DescMessage, T>(bus: AnyBus, spec: BatchConsumerSpec<D, T>): Promise<ConsumerHandle> {
  if ('consumeBatches' in bus && typeof bus.consumeBatches === 'function') return bus.consumeBatches(spec);
  const { maxBatch, decode } = resolveBatchConsumerSpec(spec);
  // A bus without a batch consumer hands over decoded messages: the decoder sees their bytes again.
  const view = spec.decode === undefined ? (message: MessageShape<D>) => message as T : (message: MessageShape<D>) => decode(toBinary(spec.schema, message));
  interface Pending {
    readonly event: ReceivedEvent<T>;
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
  const { handler: _batch, maxBatch: _max, concurrency: _concurrency, decode: _decode, ...single } = spec;
  return bus.consume({
    ...single,
    mode: 'durable',
    concurrency: maxBatch,
    handler: async (event) => {
      let message: T;
      try {
        message = view(event.message);
      } catch (err) {
        throw new InvalidEventError(undecodable(spec.schema.typeName, err));
      }
      const pending: Pending = { event: { ...event, message } };
      await commit.add(pending);
      if (pending.rejection !== undefined) throw new InvalidEventError(pending.rejection);
    },
  });
}

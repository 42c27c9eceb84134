import type { DescMessage } from '@bufbuild/protobuf';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { resolveConsumerSpec, type ResolvedConsumer } from '../consumer-spec.js';
import { createDeliveryProcessor, MSG_ID_HEADER, type Delivery, type Settlement } from '../delivery.js';
import { createEventMetrics } from '../metrics.js';
import { createPublisher } from '../publisher.js';
import { STREAM_NAMES, type StreamName } from '../streams.js';
import type { BusFailurePolicy, BusObservability, ConsumerHandle, ConsumerSpec, EventBus, RawPublisher } from '../types.js';
import { ConsumerCursor } from './cursor.js';
import { MemoryStream } from './memory-stream.js';

export interface InProcessBusOptions extends BusObservability, BusFailurePolicy {
  /** Per stream; the oldest messages are dropped beyond it. Default 100 000. */
  readonly maxMessagesPerStream?: number;
}

export type InProcessEventBus = EventBus & RawPublisher;

const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;

/**
 * The bus for the all-in-one embedded mode, when no nats-server is around: the same contract as
 * `connectNatsBus` (durable positions, retries with backoff, dead letters, msg-id dedupe,
 * broadcast, trace headers and spans), kept in memory for the life of the process.
 */
export function createInProcessBus(opts: InProcessBusOptions = {}): InProcessEventBus {
  const logger = opts.logger;
  const metrics = createEventMetrics(opts.metrics);
  const limits = { maxMessages: opts.maxMessagesPerStream ?? 100_000, duplicateWindowMs: DUPLICATE_WINDOW_MS };
  const streams = new Map<StreamName, MemoryStream>(STREAM_NAMES.map((name) => [name, new MemoryStream(limits)]));
  const durableCursors = new Map<string, ConsumerCursor>();
  const handles = new Set<ConsumerHandle>();
  // closing: no new consumers; closed: no more publishing (stopping handlers may still dead-letter).
  let closing = false;
  let closed = false;

  const streamOf = (name: StreamName): MemoryStream => {
    const stream = streams.get(name);
    if (stream === undefined) throw new Error(`unknown stream ${name}`);
    return stream;
  };

  const publisher = createPublisher(async (subject, stream, payload, headers) => {
    if (closed) throw new Error('event bus is closed');
    return streamOf(stream).append(subject, payload, headers, headers[MSG_ID_HEADER]);
  }, metrics);

  function cursorFor(consumer: Pick<ResolvedConsumer<DescMessage>, 'name' | 'stream' | 'filters' | 'mode' | 'startFrom'>): ConsumerCursor {
    const stream = streamOf(consumer.stream);
    if (consumer.mode === 'broadcast') return new ConsumerCursor(stream, consumer.filters, stream.lastSeq + 1);
    const key = `${consumer.stream}/${consumer.name}`;
    let cursor = durableCursors.get(key);
    if (cursor === undefined) {
      cursor = new ConsumerCursor(stream, consumer.filters, consumer.startFrom === 'new' ? stream.lastSeq + 1 : stream.firstSeq);
      durableCursors.set(key, cursor);
    } else {
      cursor.filters = consumer.filters;
    }
    return cursor;
  }

  return {
    publish: publisher.publish,
    publishBytes: publisher.publishBytes,
    deadLetter: publisher.deadLetter,

    async consume<D extends DescMessage>(spec: ConsumerSpec<D>): Promise<ConsumerHandle> {
      if (closing) throw new Error('event bus is closed');
      const consumer = resolveConsumerSpec(spec);
      const cursor = cursorFor(consumer);
      const process = createDeliveryProcessor(consumer, {
        metrics,
        logger,
        isTransientFailure: opts.isTransientFailure,
        publishDeadLetter: publisher.publishDeadLetter,
      });
      let stopping = false;
      let wakeStop: () => void = () => undefined;
      const stopRequested = new Promise<void>((resolve) => (wakeStop = resolve));

      // `concurrency` workers share the cursor (take() is synchronous), like several pullers of one JetStream consumer.
      const work = async () => {
        while (!stopping) {
          const taken = cursor.take();
          if (taken === undefined) {
            await Promise.race([cursor.changed(), stopRequested]);
            continue;
          }
          const { message, deliveryCount } = taken;
          const delivery: Delivery = {
            subject: message.subject,
            payload: message.payload,
            headers: message.headers,
            deliveryCount,
            streamSequence: message.seq,
          };
          let settlement: Settlement;
          try {
            settlement = await process(delivery);
          } catch (err) {
            logger?.error({ err, consumer: consumer.name }, 'event delivery failed unexpectedly; will retry');
            settlement = { kind: 'retry', delayMs: consumer.backoffMs[0] ?? 0 };
          }
          cursor.settle(message.seq, settlement);
          // Handlers that resolve at once would otherwise keep this loop in microtasks and starve I/O.
          await yieldToEventLoop();
        }
      };
      const worker = Promise.all(Array.from({ length: consumer.concurrency }, work));

      const handle: ConsumerHandle = {
        name: consumer.name,
        async stop() {
          stopping = true;
          wakeStop();
          await worker;
          handles.delete(handle);
          if (consumer.mode === 'broadcast') cursor.dispose();
        },
      };
      handles.add(handle);
      return handle;
    },

    async close() {
      if (closing) return;
      closing = true;
      await Promise.all([...handles].map((handle) => handle.stop()));
      closed = true;
      for (const cursor of durableCursors.values()) cursor.dispose();
      durableCursors.clear();
    },
  };
}

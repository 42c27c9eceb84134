import type { DescMessage } from '@bufbuild/protobuf';
import { connect, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { resolveConsumerSpec } from '../consumer-spec.js';
import { createEventMetrics } from '../metrics.js';
import { createNamespace } from '../namespace.js';
import { createPublisher } from '../publisher.js';
import { resolveBatchConsumerSpec } from '../batch-spec.js';
import type { BatchConsumerSpec, BatchConsumingBus, BusFailurePolicy, BusObservability, ConsumerHandle, ConsumerSpec, EventBus, RawPublisher } from '../types.js';
import { startBatchConsumer } from './batch-consumer.js';
import { startBroadcastConsumer } from './broadcast-consumer.js';
import type { NatsConsumerContext } from './context.js';
import { startDurableConsumer } from './durable-consumer.js';
import { toNatsHeaders } from './headers.js';
import { createStreamPublisher } from './stream-publisher.js';
import { ensureStreams } from './streams.js';

export interface NatsBusOptions extends BusObservability, BusFailurePolicy {
  readonly url: string;
  /** Connection name shown by the server (e.g. the service name). */
  readonly name: string;
  /** Test isolation: subjects get `<ns>.`, streams `<NS>_`; callers never see it. */
  readonly namespace?: string;
}

export type NatsEventBus = EventBus &
  RawPublisher &
  BatchConsumingBus & {
    /** Resolves when the server answers; rejects while disconnected (for readiness checks). */
    ping(): Promise<void>;
  };

const RECONNECT_WAIT_MS = 1_000;
const PUBLISH_TIMEOUT_MS = 5_000;

/** Connects, creates or updates the platform's streams, and returns the JetStream-backed bus. */
export async function connectNatsBus(opts: NatsBusOptions): Promise<NatsEventBus> {
  const ns = createNamespace(opts.namespace);
  const logger = opts.logger;
  const metrics = createEventMetrics(opts.metrics);
  // Reconnect forever: a NATS restart must pause the services, not kill their consumers.
  // No async traces: nats.js would otherwise capture a stack (new Error()) for every JetStream
  // publish, a visible share of the router's CPU per prediction; our errors name the subject.
  const nc = await connect({
    servers: opts.url,
    name: opts.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: RECONNECT_WAIT_MS,
    noAsyncTraces: true,
  });
  void logConnectionStatus(nc, logger);
  let jsm;
  try {
    jsm = await nc.jetstreamManager();
    await ensureStreams(jsm, ns, logger);
  } catch (err) {
    await nc.close();
    throw err;
  }
  const js = nc.jetstream({ timeout: PUBLISH_TIMEOUT_MS });
  const streamPublisher = createStreamPublisher(nc, PUBLISH_TIMEOUT_MS);

  const publisher = createPublisher(async (subject, _stream, payload, headers) => {
    // Resolves on the stream's ack, so "published" means stored.
    const ack = await streamPublisher.publish(ns.toWire(subject), payload, toNatsHeaders(headers));
    return { duplicate: ack.duplicate };
  }, metrics);

  const ctx: NatsConsumerContext = {
    nc,
    js,
    jsm,
    ns,
    logger,
    metrics,
    isTransientFailure: opts.isTransientFailure,
    publishDeadLetter: publisher.publishDeadLetter,
  };
  const handles = new Set<ConsumerHandle>();
  let closing = false;
  /** A started consumer, remembered until stopped so that closing the bus stops it. */
  const tracked = (started: ConsumerHandle): ConsumerHandle => {
    const handle: ConsumerHandle = {
      name: started.name,
      async stop() {
        handles.delete(handle);
        await started.stop();
      },
    };
    handles.add(handle);
    return handle;
  };

  return {
    publish: publisher.publish,
    publishBytes: publisher.publishBytes,
    deadLetter: publisher.deadLetter,

    async consume<D extends DescMessage>(spec: ConsumerSpec<D>): Promise<ConsumerHandle> {
      if (closing) throw new Error('event bus is closed');
      const consumer = resolveConsumerSpec(spec);
      return tracked(consumer.mode === 'broadcast' ? await startBroadcastConsumer(ctx, consumer) : await startDurableConsumer(ctx, consumer));
    },

    async consumeBatches<D extends DescMessage, T>(spec: BatchConsumerSpec<D, T>): Promise<ConsumerHandle> {
      if (closing) throw new Error('event bus is closed');
      return tracked(await startBatchConsumer(ctx, resolveBatchConsumerSpec(spec)));
    },

    async ping() {
      await nc.rtt();
    },

    async close() {
      if (closing) return;
      closing = true;
      await Promise.all([...handles].map((handle) => handle.stop()));
      // drain() flushes the acks of the last handled messages before closing.
      await nc.drain().catch(() => nc.close());
      streamPublisher.close();
    },
  };
}

async function logConnectionStatus(nc: NatsConnection, logger: Logger | undefined): Promise<void> {
  if (logger === undefined) return;
  for await (const status of nc.status()) {
    logger.info({ nats: status.type, data: typeof status.data === 'string' ? status.data : undefined }, 'nats connection status');
  }
}

import type { DescMessage } from '@bufbuild/protobuf';
import { AckPolicy, DeliverPolicy, nanos, type ConsumerConfig, type ConsumerMessages, type JetStreamManager, type JsMsg } from 'nats';
import type { ResolvedConsumer } from '../consumer-spec.js';
import { createDeliveryProcessor, type Settlement } from '../delivery.js';
import { ConcurrencyLimiter } from '../limiter.js';
import { sleep } from '../sleep.js';
import type { ConsumerHandle } from '../types.js';
import { CONSUMER_RESTART_DELAY_MS, PREFETCH_MESSAGES, type NatsConsumerContext } from './context.js';
import { isConsumerNotFound } from './errors.js';
import { filterConfig, passesClientFilter, sameServerFilter, serverFilterFor, type ServerFilter } from './filters.js';
import { fromNatsHeaders } from './headers.js';

/** Redelivery deadline of an unacknowledged message; long handlers extend it with `working()`. */
export const ACK_WAIT_MS = 30_000;
const WORKING_INTERVAL_MS = ACK_WAIT_MS / 3;

/**
 * A JetStream durable pull consumer: explicit acks, retries as `nak(delay)`, dead letters as
 * `term()`. The server keeps the position, so a stopped or crashed instance resumes where it was.
 */
export async function startDurableConsumer<D extends DescMessage>(
  ctx: NatsConsumerContext,
  consumer: ResolvedConsumer<D>,
): Promise<ConsumerHandle> {
  const streamName = ctx.ns.streamName(consumer.stream);
  const filter = serverFilterFor(
    consumer.filters.map((f) => ctx.ns.toWire(f)),
    ctx.nc.info?.version,
  );
  // The first ensure runs before returning, so a bad config rejects `consume()` instead of looping.
  await ensureDurable(ctx.jsm, streamName, consumer, filter);
  const process = createDeliveryProcessor(consumer, ctx);
  const stopping = new AbortController();
  const limiter = new ConcurrencyLimiter(consumer.concurrency);
  let messages: ConsumerMessages | undefined;

  async function handle(msg: JsMsg): Promise<void> {
    if (!passesClientFilter(filter, msg.subject)) {
      msg.ack();
      return;
    }
    const keepAlive = setInterval(() => msg.working(), WORKING_INTERVAL_MS);
    let settlement: Settlement;
    try {
      settlement = await process({
        subject: ctx.ns.fromWire(msg.subject),
        payload: msg.data,
        headers: fromNatsHeaders(msg.headers),
        deliveryCount: msg.info.deliveryCount,
        streamSequence: msg.seq,
      });
    } catch (err) {
      ctx.logger?.error({ err, consumer: consumer.name }, 'event delivery failed unexpectedly; will retry');
      settlement = { kind: 'retry', delayMs: consumer.backoffMs[0] ?? 0 };
    } finally {
      clearInterval(keepAlive);
    }
    settle(msg, settlement);
  }

  const loop = (async () => {
    let needsEnsure = false;
    while (!stopping.signal.aborted) {
      try {
        // After a failure the consumer may be gone (e.g. a server that lost its state): recreate it.
        if (needsEnsure) await ensureDurable(ctx.jsm, streamName, consumer, filter);
        const pull = await ctx.js.consumers.get(streamName, consumer.name);
        messages = await pull.consume({ max_messages: Math.max(PREFETCH_MESSAGES, 2 * consumer.concurrency) });
        if (stopping.signal.aborted) messages.stop();
        for await (const msg of messages) {
          // Pulled but not started before stop(): hand it back for the next instance.
          if (stopping.signal.aborted) msg.nak();
          else await limiter.run(() => handle(msg));
        }
      } catch (err) {
        if (!stopping.signal.aborted) ctx.logger?.warn({ err, consumer: consumer.name }, 'consumer loop failed; restarting');
      }
      await limiter.idle();
      needsEnsure = true;
      await sleep(CONSUMER_RESTART_DELAY_MS, stopping.signal);
    }
  })();

  return {
    name: consumer.name,
    async stop() {
      stopping.abort();
      messages?.stop();
      await loop;
    },
  };
}

function settle(msg: JsMsg, settlement: Settlement): void {
  switch (settlement.kind) {
    case 'ack':
      msg.ack();
      return;
    case 'retry':
      msg.nak(settlement.delayMs);
      return;
    case 'dead_lettered':
      msg.term();
      return;
  }
}

async function ensureDurable<D extends DescMessage>(
  jsm: JetStreamManager,
  streamName: string,
  consumer: ResolvedConsumer<D>,
  filter: ServerFilter,
): Promise<void> {
  let existing: Partial<ConsumerConfig> | undefined;
  try {
    existing = (await jsm.consumers.info(streamName, consumer.name)).config;
  } catch (err) {
    if (!isConsumerNotFound(err)) throw err;
  }
  if (existing === undefined) {
    await jsm.consumers.add(streamName, {
      durable_name: consumer.name,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(ACK_WAIT_MS),
      // The client counts deliveries and dead-letters; the server must never drop a message on its
      // own, or one whose dead-lettering failed would vanish.
      max_deliver: -1,
      deliver_policy: consumer.startFrom === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
      ...filterConfig(filter),
    });
    return;
  }
  if (sameServerFilter(existing, filter)) return;
  try {
    await jsm.consumers.update(streamName, consumer.name, { ...filterConfig(filter) });
  } catch (err) {
    throw new Error(
      `consumer ${consumer.name} on stream ${streamName} exists with another subject filter and the server cannot change it; ` +
        'delete the consumer (it restarts from the stream start) or use a new name',
      { cause: err },
    );
  }
}

import type { DescMessage } from '@bufbuild/protobuf';
import { AckPolicy, DeliverPolicy, nanos, type ConsumerMessages, type JsMsg } from 'nats';
import { AckFloor } from '../ack-floor.js';
import { coversWholeStream, type ResolvedBatchConsumer } from '../batch-spec.js';
import { createBatchProcessor } from '../batch-delivery.js';
import type { Delivery } from '../delivery.js';
import { sleep } from '../sleep.js';
import type { ConsumerHandle } from '../types.js';
import { CONSUMER_RESTART_DELAY_MS, type NatsConsumerContext } from './context.js';
import { ACK_WAIT_MS } from './durable-consumer.js';
import { isConsumerNotFound } from './errors.js';
import { fromNatsHeaders } from './headers.js';

const WORKING_INTERVAL_MS = ACK_WAIT_MS / 3;
/** How often a holder of settled messages behind a gap asks the server whether the gap closed. */
const FLOOR_POLL_MS = 200;

/**
 * A JetStream durable pull consumer that hands out batches and acknowledges cumulatively
 * (AckPolicy.All): one ack per batch instead of one per message, which is what the server's
 * per-ack cost makes the difference on. Replicas may share the consumer: an `AckFloor` only acks
 * sequences that are settled all the way down, so no replica ever acknowledges another's
 * unfinished messages. Retries are `nak(delay)` (never cumulative); dead letters are settled
 * like stored messages, never `term()` (which would be cumulative under AckPolicy.All).
 */
export async function startBatchConsumer<D extends DescMessage, T>(ctx: NatsConsumerContext, consumer: ResolvedBatchConsumer<D, T>): Promise<ConsumerHandle> {
  if (!coversWholeStream(consumer)) {
    throw new TypeError(`subjects: a batch consumer must take every subject of ${consumer.stream} (its acks are cumulative), got ${consumer.filters.join(', ')}`);
  }
  const streamName = ctx.ns.streamName(consumer.stream);
  const serverFloor = async (): Promise<number> => (await ctx.jsm.consumers.info(streamName, consumer.name)).ack_floor.stream_seq;
  await ensureBatchDurable(ctx, streamName, consumer);
  const acks = new AckFloor<JsMsg>(await serverFloor());
  const process = createBatchProcessor(consumer, ctx);
  const stopping = new AbortController();
  let messages: ConsumerMessages | undefined;
  let polling: NodeJS.Timeout | undefined;

  const ackSettled = (): void => {
    acks.advance()?.ack();
  };
  // Settled messages behind a gap another holder must close: check the server's floor now and then.
  const pollFloor = (): void => {
    if (polling !== undefined || acks.waiting === 0 || stopping.signal.aborted) return;
    polling = setTimeout(() => {
      serverFloor()
        .then((floor) => {
          acks.raise(floor);
          ackSettled();
        })
        .catch((err: unknown) => ctx.logger?.warn({ err, consumer: consumer.name }, 'reading the ack floor failed'))
        .finally(() => {
          polling = undefined;
          pollFloor();
        });
    }, FLOOR_POLL_MS);
  };

  /** Never rejects: every failure becomes a retry of the messages. */
  async function handleBatch(batch: JsMsg[]): Promise<void> {
    const fresh: JsMsg[] = [];
    for (const msg of batch) {
      // At or below the floor: settled before, redelivered because the ack was lost.
      if (acks.covers(msg.seq)) msg.ack();
      else fresh.push(msg);
    }
    if (fresh.length === 0) return;
    const deliveries: Delivery[] = fresh.map((msg) => ({
      subject: ctx.ns.fromWire(msg.subject),
      payload: msg.data,
      headers: fromNatsHeaders(msg.headers),
      deliveryCount: msg.info.deliveryCount,
      streamSequence: msg.seq,
    }));
    const keepAlive = setInterval(() => fresh.forEach((msg) => msg.working()), WORKING_INTERVAL_MS);
    try {
      const settlements = await process(deliveries);
      settlements.forEach((settlement, i) => {
        const msg = fresh[i]!;
        if (settlement.kind === 'retry') msg.nak(settlement.delayMs);
        else acks.settle(msg.seq, msg);
      });
    } catch (err) {
      ctx.logger?.error({ err, consumer: consumer.name }, 'batch delivery failed unexpectedly; will retry');
      fresh.forEach((msg) => msg.nak(consumer.backoffMs[0] ?? 0));
    } finally {
      clearInterval(keepAlive);
    }
    ackSettled();
    pollFloor();
  }

  const loop = (async () => {
    let restarted = false;
    while (!stopping.signal.aborted) {
      try {
        if (restarted) {
          await ensureBatchDurable(ctx, streamName, consumer);
          acks.reset(await serverFloor());
        }
        const pull = await ctx.js.consumers.get(streamName, consumer.name);
        messages = await pull.consume({ max_messages: 2 * consumer.maxBatch });
        if (stopping.signal.aborted) messages.stop();
        // Messages that arrive while every batch slot is busy form the next batch (group commit).
        let batch: JsMsg[] = [];
        let scheduled = false;
        const inFlight = new Set<Promise<void>>();
        const dispatch = (): void => {
          if (batch.length === 0 || inFlight.size >= consumer.concurrency) return;
          const next = batch;
          batch = [];
          const done: Promise<void> = handleBatch(next).finally(() => {
            inFlight.delete(done);
            dispatch();
          });
          inFlight.add(done);
        };
        for await (const msg of messages) {
          // Pulled but not started before stop(): hand it back for the next instance.
          if (stopping.signal.aborted) {
            msg.nak();
            continue;
          }
          batch.push(msg);
          if (batch.length >= consumer.maxBatch) {
            dispatch();
            // Back pressure: stop pulling while a full batch waits for a slot.
            while (batch.length >= consumer.maxBatch) await Promise.race(inFlight);
          } else if (!scheduled) {
            // Whatever arrived in this tick goes together.
            scheduled = true;
            setImmediate(() => {
              scheduled = false;
              dispatch();
            });
          }
        }
        while (batch.length > 0 || inFlight.size > 0) {
          dispatch();
          if (inFlight.size > 0) await Promise.race(inFlight);
        }
      } catch (err) {
        if (!stopping.signal.aborted) ctx.logger?.warn({ err, consumer: consumer.name }, 'batch consumer loop failed; restarting');
      }
      restarted = true;
      await sleep(CONSUMER_RESTART_DELAY_MS, stopping.signal);
    }
  })();

  return {
    name: consumer.name,
    async stop() {
      stopping.abort();
      messages?.stop();
      await loop;
      if (polling !== undefined) clearTimeout(polling);
      ackSettled();
    },
  };
}

async function ensureBatchDurable<D extends DescMessage, T>(ctx: NatsConsumerContext, streamName: string, consumer: ResolvedBatchConsumer<D, T>): Promise<void> {
  try {
    const existing = (await ctx.jsm.consumers.info(streamName, consumer.name)).config;
    if (existing.ack_policy !== AckPolicy.All) {
      throw new Error(`consumer ${consumer.name} on stream ${streamName} exists with ack policy ${existing.ack_policy}; a batch consumer needs "all": use a new name`);
    }
    return;
  } catch (err) {
    if (!isConsumerNotFound(err)) throw err;
  }
  await ctx.jsm.consumers.add(streamName, {
    durable_name: consumer.name,
    ack_policy: AckPolicy.All,
    ack_wait: nanos(ACK_WAIT_MS),
    // The client counts deliveries and dead-letters; the server must never drop a message itself.
    max_deliver: -1,
    // Room for two batches per replica in flight.
    max_ack_pending: Math.max(1000, 8 * consumer.maxBatch),
    deliver_policy: consumer.startFrom === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
  });
}

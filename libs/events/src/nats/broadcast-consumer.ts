import type { DescMessage } from '@bufbuild/protobuf';
import { DeliverPolicy, type Consumer, type ConsumerMessages, type JsMsg } from 'nats';
import type { ResolvedConsumer } from '../consumer-spec.js';
import { createDeliveryProcessor, type Settlement } from '../delivery.js';
import { sleep } from '../sleep.js';
import type { ConsumerHandle } from '../types.js';
import { CONSUMER_RESTART_DELAY_MS, PREFETCH_MESSAGES, type NatsConsumerContext } from './context.js';
import { passesClientFilter, serverFilterFor } from './filters.js';
import { fromNatsHeaders } from './headers.js';

/**
 * Every instance sees every message published after it started (replica cache coherence): a
 * JetStream ordered consumer, which the client re-creates at the right sequence after a server
 * restart. Ordered consumers cannot nak, so retries with backoff happen here, in order.
 */
export async function startBroadcastConsumer<D extends DescMessage>(
  ctx: NatsConsumerContext,
  consumer: ResolvedConsumer<D>,
): Promise<ConsumerHandle> {
  const streamName = ctx.ns.streamName(consumer.stream);
  const filter = serverFilterFor(
    consumer.filters.map((f) => ctx.ns.toWire(f)),
    ctx.nc.info?.version,
  );
  const filterSubjects = filter.kind === 'single' ? filter.subject : filter.kind === 'multiple' ? [...filter.subjects] : undefined;
  const process = createDeliveryProcessor(consumer, ctx);
  const stopping = new AbortController();
  let lastSeq: number | undefined;

  // An ordered consumer consumes once; after its loop ends a new one continues after the last
  // message seen, so a restart of the loop neither skips nor repeats.
  async function open(): Promise<{ ordered: Consumer; messages: ConsumerMessages }> {
    const ordered = await ctx.js.consumers.get(streamName, {
      ...(lastSeq === undefined
        ? { deliver_policy: DeliverPolicy.New }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: lastSeq + 1 }),
      ...(filterSubjects === undefined ? {} : { filterSubjects }),
    });
    return { ordered, messages: await ordered.consume({ max_messages: PREFETCH_MESSAGES }) };
  }

  // Opened before returning, so a message published right after `consume()` resolves is seen.
  let current: { ordered: Consumer; messages: ConsumerMessages } | undefined = await open();

  async function handle(msg: JsMsg): Promise<void> {
    if (!passesClientFilter(filter, msg.subject)) return;
    const headers = fromNatsHeaders(msg.headers);
    for (let deliveryCount = 1; !stopping.signal.aborted; deliveryCount++) {
      let settlement: Settlement;
      try {
        settlement = await process({
          subject: ctx.ns.fromWire(msg.subject),
          payload: msg.data,
          headers,
          deliveryCount,
          streamSequence: msg.seq,
        });
      } catch (err) {
        ctx.logger?.error({ err, consumer: consumer.name }, 'event delivery failed unexpectedly; will retry');
        settlement = { kind: 'retry', delayMs: consumer.backoffMs[0] ?? 0 };
      }
      if (settlement.kind !== 'retry') return;
      await sleep(settlement.delayMs, stopping.signal);
    }
  }

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      try {
        current ??= await open();
        for await (const msg of current.messages) {
          if (stopping.signal.aborted) break;
          lastSeq = msg.seq;
          await handle(msg);
        }
      } catch (err) {
        if (!stopping.signal.aborted) ctx.logger?.warn({ err, consumer: consumer.name }, 'broadcast consumer loop failed; restarting');
      }
      await current?.ordered.delete().catch(() => undefined);
      current = undefined;
      await sleep(CONSUMER_RESTART_DELAY_MS, stopping.signal);
    }
  })();

  return {
    name: consumer.name,
    async stop() {
      stopping.abort();
      current?.messages.stop();
      await loop;
    },
  };
}

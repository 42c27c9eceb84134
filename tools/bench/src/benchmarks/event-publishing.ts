import { randomBytes } from 'node:crypto';
import { connectNatsBus, deleteNamespacedStreams } from '@mlops/events';
import { initTracing } from '@mlops/telemetry';
import { connect, headers } from 'nats';
import { ratioFigure, type Benchmark } from '../result.js';
import { median } from '../stats.js';

const NATS_URL = process.env['TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const MESSAGES = 20_000;
const IN_FLIGHT = 32;
const ROUNDS = 3;
/** About a prediction event of 8 inputs and one output, as the router publishes. */
const PAYLOAD = new Uint8Array(600).fill(7);
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

/** Runs `publish(i)` for i in [0, MESSAGES) with IN_FLIGHT at once; returns messages/s and client CPU µs per message. */
async function measure(publish: (i: number) => Promise<unknown>): Promise<{ rate: number; cpuUs: number }> {
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < MESSAGES) await publish(next++);
    }),
  );
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { rate: (MESSAGES / ms) * 1000, cpuUs: (cpu.user + cpu.system) / MESSAGES };
}

/**
 * Publishing events to JetStream: the platform's bus (subject check, PRODUCER span, trace and
 * Nats-Msg-Id headers, metrics, the stream publisher's ack inbox) against nats.js's own
 * `js.publish` of the same bytes and headers to the same stream, from the same process.
 */
export const eventPublishing: Benchmark = {
  name: 'event-publishing',
  issue: 'event publishing cost (libs/events), paid per prediction by the router',
  async run() {
    const namespace = `bench_${randomBytes(5).toString('hex')}`;
    // Spans are recorded as in a service (bootService installs the same provider), exported nowhere.
    const tracing = initTracing({ service: 'bench-event-publishing', version: '0' });
    const bus = await connectNatsBus({ url: NATS_URL, name: 'bench-event-publishing', namespace });
    const nc = await connect({ servers: NATS_URL, noAsyncTraces: true });
    try {
      const js = nc.jetstream({ timeout: 5_000 });
      const subject = 'mlops.predictions.bench';
      const rounds = { bus: [] as Array<{ rate: number; cpuUs: number }>, bare: [] as Array<{ rate: number; cpuUs: number }> };
      for (let round = 0; round < ROUNDS; round++) {
        rounds.bare.push(
          await measure((i) => {
            const h = headers();
            h.set('Nats-Msg-Id', `bare-${round}-${i}`);
            h.set('traceparent', TRACEPARENT);
            return js.publish(`${namespace}.${subject}`, PAYLOAD, { headers: h });
          }),
        );
        rounds.bus.push(await measure((i) => bus.publishBytes(subject, PAYLOAD, { msgId: `bus-${round}-${i}` })));
      }
      const med = (xs: Array<{ rate: number; cpuUs: number }>, key: 'rate' | 'cpuUs') => median(xs.map((x) => x[key]));
      return {
        name: this.name,
        issue: this.issue,
        figures: [
          ratioFigure('bus publish, client CPU per event', med(rounds.bus, 'cpuUs'), 'µs', { label: 'nats.js js.publish of the same bytes', value: med(rounds.bare, 'cpuUs') }),
          ratioFigure('bus publish throughput', med(rounds.bus, 'rate'), 'events/s', { label: 'nats.js js.publish of the same bytes', value: med(rounds.bare, 'rate') }),
        ],
        notes: [
          `${MESSAGES.toLocaleString('en')} events of ${PAYLOAD.byteLength} bytes per run, ${IN_FLIGHT} publishes in flight, each resolved on the stream's ack (file storage, 2 min duplicate window); median of ${ROUNDS} alternating rounds. CPU is this process's user + system time per event (the nats-server's is not counted).`,
          'The bus adds what every platform publish carries: a PRODUCER span (recorded as in a service, exported nowhere), W3C trace and Nats-Msg-Id headers, the published-events counter; it sends through the stream publisher (stream-publisher.ts: one ack inbox, a token per message) instead of a request per message.',
        ],
      };
    } finally {
      await bus.close();
      await nc.close();
      await deleteNamespacedStreams(NATS_URL, namespace);
      await tracing.shutdown();
    }
  },
};

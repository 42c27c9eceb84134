import { randomBytes } from 'node:crypto';
import { create, fromBinary, type MessageShape } from '@bufbuild/protobuf';
import { DeadLetterSchema, PredictionEventSchema } from '@mlops/proto/mlops/events/v1/events_pb';
import { useInMemoryTracing } from '@mlops/telemetry/testing';
import { SpanKind, trace } from '@opentelemetry/api';
import { connect } from 'nats';
import { afterEach, describe, expect, it } from 'vitest';
import { consumeBatches } from '../consume-batches.js';
import { createInProcessBus } from '../in-process/bus.js';
import { namespacedStreamName } from '../namespace.js';
import { waitFor } from '../testing/wait.js';
import type { EventBus, RawPublisher } from '../types.js';
import { connectNatsBus, type NatsEventBus } from './bus.js';
import { deleteNamespacedStreams } from './delete-namespace.js';

const NATS_URL = process.env['TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const event = (id: string) => create(PredictionEventSchema, { kind: { case: 'prediction', value: { predictionId: id, model: 'm' } } });
const idOf = (e: MessageShape<typeof PredictionEventSchema>) => (e.kind.case === 'prediction' ? e.kind.value.predictionId : '');

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** What the tests' handlers throw for "the database is down": the buses are told it is transient. */
class Outage extends Error {}
const isTransientFailure = (err: unknown) => err instanceof Outage;

async function natsBus(namespace: string): Promise<NatsEventBus> {
  const bus = await connectNatsBus({ url: NATS_URL, name: 'events-batch-test', namespace, isTransientFailure });
  cleanups.push(() => bus.close());
  return bus;
}

async function ackState(namespace: string, consumer: string): Promise<{ floor: number; pending: number }> {
  const nc = await connect({ servers: NATS_URL });
  try {
    const info = await (await nc.jetstreamManager()).consumers.info(namespacedStreamName('PREDICTIONS', namespace), consumer);
    return { floor: info.ack_floor.stream_seq, pending: info.num_ack_pending };
  } finally {
    await nc.close();
  }
}

/** The reason of every dead letter of the bus, as they arrive. */
async function deadLetterReasons(bus: EventBus): Promise<string[]> {
  const reasons: string[] = [];
  await bus.consume({ name: 'dead', stream: 'DEADLETTER', subjects: ['mlops.deadletter.>'], schema: DeadLetterSchema, handler: async (e) => void reasons.push(e.message.reason) });
  return reasons;
}

/** Batches, rejections and undecodable payloads dead-lettered, a failing batch retried: the same on both buses. */
async function checkBatchContract(bus: EventBus & RawPublisher): Promise<void> {
  const stored: string[] = [];
  const dead = await deadLetterReasons(bus);
  let failures = 1;
  await consumeBatches(bus, {
    name: 'batches',
    stream: 'PREDICTIONS',
    subjects: ['mlops.predictions.>'],
    schema: PredictionEventSchema,
    maxBatch: 50,
    backoffMs: [0],
    handler: async (events) => {
      if (events.some((e) => idOf(e.message) === 'flaky') && failures-- > 0) throw new Error('database down');
      const rejections = events.flatMap((e, index) => (idOf(e.message) === 'bad' ? [{ index, reason: 'bad: expected a good id' }] : []));
      events.forEach((e, i) => rejections.some((r) => r.index === i) || stored.push(idOf(e.message)));
      return rejections;
    },
  });
  for (let i = 0; i < 120; i++) await bus.publish('mlops.predictions.m', PredictionEventSchema, event(`e${i}`));
  await bus.publish('mlops.predictions.m', PredictionEventSchema, event('bad'));
  await bus.publishBytes('mlops.predictions.m', new Uint8Array([0xff, 0xff, 0xff]));
  await bus.publish('mlops.predictions.m', PredictionEventSchema, event('flaky'));
  await waitFor(() => stored.includes('flaky') && dead.length === 2, 'every event stored or dead-lettered');
  expect(new Set(stored).size).toBe(121);
  expect(dead.some((r) => r === 'bad: expected a good id')).toBe(true);
  expect(dead.some((r) => /cannot decode/.test(r))).toBe(true);
}

/** A consumer's own decoder: the handler gets what it makes of each payload; what it throws on is dead-lettered as undecodable. */
async function checkOwnDecoder(bus: EventBus): Promise<void> {
  const seen: Array<{ id: string; bytes: number }> = [];
  const dead = await deadLetterReasons(bus);
  await consumeBatches(bus, {
    name: 'own-decoder',
    stream: 'PREDICTIONS',
    subjects: ['mlops.predictions.>'],
    schema: PredictionEventSchema,
    decode: (payload) => {
      const id = idOf(fromBinary(PredictionEventSchema, payload));
      if (id === 'poison') throw new Error('poison: expected any other id');
      return { id, bytes: payload.byteLength };
    },
    handler: async (events) => void seen.push(...events.map((e) => e.message)),
  });
  for (const id of ['a', 'poison', 'bb']) await bus.publish('mlops.predictions.m', PredictionEventSchema, event(id));
  await waitFor(() => seen.length === 2 && dead.length === 1, 'two decoded, one dead-lettered');
  expect(seen.map((s) => s.id).sort()).toEqual(['a', 'bb']);
  expect(seen.every((s) => s.bytes > 0)).toBe(true);
  expect(dead[0]).toBe('cannot decode mlops.events.v1.PredictionEvent: poison: expected any other id');
}

/**
 * An outage lasting more deliveries than `maxDeliver` dead-letters nothing (the event is stored
 * once it ends); any other failure still dead-letters after `maxDeliver`. Batch and single consumers alike.
 */
async function checkTransientFailures(bus: EventBus & RawPublisher): Promise<void> {
  const dead = await deadLetterReasons(bus);
  const stored: string[] = [];
  const attempts = new Map<string, number>();
  const store = (id: string) => {
    const n = (attempts.get(id) ?? 0) + 1;
    attempts.set(id, n);
    if (id.startsWith('outage') && n <= 6) throw new Outage('database unavailable');
    if (id.startsWith('broken')) throw new Error(`cannot store ${id}`);
    stored.push(id);
  };
  const common = { schema: PredictionEventSchema, maxDeliver: 2, backoffMs: [0] };
  await consumeBatches(bus, {
    ...common,
    name: 'batch-outage',
    stream: 'PREDICTIONS',
    subjects: ['mlops.predictions.>'],
    handler: async (events) => events.forEach((e) => store(idOf(e.message))),
  });
  await bus.consume({ ...common, name: 'single-outage', stream: 'LABELS', subjects: ['mlops.labels.>'], handler: async (e) => store(idOf(e.message)) });
  // One at a time: a batch fails or succeeds as a whole, so each is the only event of its batches.
  for (const [subject, suffix] of [['mlops.predictions.m', 'b'], ['mlops.labels.m', 's']] as const) {
    await bus.publish(subject, PredictionEventSchema, event(`outage-${suffix}`));
    await waitFor(() => stored.includes(`outage-${suffix}`), `outage-${suffix} stored once the outage is over`);
    await bus.publish(subject, PredictionEventSchema, event(`broken-${suffix}`));
    await waitFor(() => dead.includes(`cannot store broken-${suffix}`), `broken-${suffix} dead-lettered`);
    expect([attempts.get(`outage-${suffix}`), attempts.get(`broken-${suffix}`)]).toEqual([7, 2]);
  }
  expect(stored.sort()).toEqual(['outage-b', 'outage-s']);
  expect(dead.sort()).toEqual(['cannot store broken-b', 'cannot store broken-s']);
}

describe('consumeBatches', () => {
  it('retries a transient failure past maxDeliver without dead-lettering, on JetStream and in process', async () => {
    const namespace = `t_${randomBytes(6).toString('hex')}`;
    cleanups.push(() => deleteNamespacedStreams(NATS_URL, namespace));
    await checkTransientFailures(await natsBus(namespace));
    const bus = createInProcessBus({ isTransientFailure });
    cleanups.push(() => bus.close());
    await checkTransientFailures(bus);
  });

  it('hands the handler what a decoder of its own makes of each payload, on JetStream and in process', async () => {
    const namespace = `t_${randomBytes(6).toString('hex')}`;
    cleanups.push(() => deleteNamespacedStreams(NATS_URL, namespace));
    await checkOwnDecoder(await natsBus(namespace));
    const bus = createInProcessBus();
    cleanups.push(() => bus.close());
    await checkOwnDecoder(bus);
  });

  it('on JetStream: stores batches, dead-letters what it must, retries a failed batch and acknowledges everything', async () => {
    const namespace = `t_${randomBytes(6).toString('hex')}`;
    cleanups.push(() => deleteNamespacedStreams(NATS_URL, namespace));
    await checkBatchContract(await natsBus(namespace));
    await waitFor(async () => {
      const s = await ackState(namespace, 'batches');
      return s.floor === 123 && s.pending === 0;
    }, 'the ack floor at the last message');
  });

  it('on the in-process bus: the same contract through concurrent single deliveries', async () => {
    const bus = createInProcessBus();
    cleanups.push(() => bus.close());
    await checkBatchContract(bus);
  });

  it('two replicas sharing the consumer, one stopped mid-stream, store every event and leave nothing unacknowledged', async () => {
    const namespace = `t_${randomBytes(6).toString('hex')}`;
    cleanups.push(() => deleteNamespacedStreams(NATS_URL, namespace));
    const [a, b] = [await natsBus(namespace), await natsBus(namespace)];
    const stored = new Set<string>();
    const spec = (slowMs: number) => ({
      name: 'shared',
      stream: 'PREDICTIONS' as const,
      subjects: ['mlops.predictions.>'],
      schema: PredictionEventSchema,
      maxBatch: 20,
      handler: async (events: ReadonlyArray<{ message: MessageShape<typeof PredictionEventSchema> }>) => {
        await new Promise((resolve) => setTimeout(resolve, slowMs));
        for (const e of events) stored.add(idOf(e.message));
      },
    });
    const first = await consumeBatches(a, spec(5));
    await consumeBatches(b, spec(1));
    for (let i = 0; i < 300; i++) await a.publish('mlops.predictions.m', PredictionEventSchema, event(`e${i}`));
    await waitFor(() => stored.size >= 100, 'some events stored');
    await first.stop();
    // What the stopped replica had pulled but not started comes back after the ack wait (30 s).
    await waitFor(() => stored.size === 300, 'all 300 events stored', 90_000);
    await waitFor(
      async () => {
        const s = await ackState(namespace, 'shared');
        return s.floor === 300 && s.pending === 0;
      },
      'every event acknowledged',
      90_000,
    );
  }, 120_000);

  it('refuses filters that leave part of the stream out (cumulative acks need every sequence)', async () => {
    const namespace = `t_${randomBytes(6).toString('hex')}`;
    cleanups.push(() => deleteNamespacedStreams(NATS_URL, namespace));
    const bus = await natsBus(namespace);
    await expect(
      consumeBatches(bus, { name: 'partial', stream: 'PREDICTIONS', subjects: ['mlops.predictions.churn'], schema: PredictionEventSchema, handler: async () => undefined }),
    ).rejects.toThrow(/every subject of PREDICTIONS/);
  });

  it('gives each traced message a consumer span in its publisher trace, linked to the batch span', async () => {
    const tracing = useInMemoryTracing({ service: 'events-batch-trace-test' });
    cleanups.push(() => tracing.shutdown());
    const namespace = `t_${randomBytes(6).toString('hex')}`;
    cleanups.push(() => deleteNamespacedStreams(NATS_URL, namespace));
    const bus = await natsBus(namespace);
    let stored = 0;
    await consumeBatches(bus, {
      name: 'traced-batches',
      stream: 'PREDICTIONS',
      subjects: ['mlops.predictions.>'],
      schema: PredictionEventSchema,
      maxBatch: 10,
      handler: async (events) => {
        stored += events.length;
        return [];
      },
    });
    const tracer = trace.getTracer('batch-trace-test');
    const traceIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      await tracer.startActiveSpan(`request ${i}`, async (span) => {
        await bus.publish('mlops.predictions.m', PredictionEventSchema, event(`t${i}`), { msgId: `t${i}` });
        traceIds.push(span.spanContext().traceId);
        span.end();
      });
    }
    await waitFor(() => stored === 3, 'three events stored');
    const consumerSpans = () => tracing.spans().filter((s) => s.kind === SpanKind.CONSUMER);
    const batchSpans = await waitFor(() => {
      const found = consumerSpans().filter((s) => s.name === 'traced-batches process batch');
      return found.length > 0 ? found : undefined;
    }, 'the batch span');
    for (let i = 0; i < 3; i++) {
      const messageSpan = consumerSpans().find((s) => s.attributes['messaging.message.id'] === `t${i}`);
      expect(messageSpan?.spanContext().traceId).toBe(traceIds[i]);
      expect(messageSpan?.attributes['messaging.destination.name']).toBe('mlops.predictions.m');
      const linkedBatch = batchSpans.find((b) => messageSpan?.links.some((l) => l.context.spanId === b.spanContext().spanId));
      expect(linkedBatch?.links.map((l) => l.context.traceId)).toContain(traceIds[i]);
    }
  });
});

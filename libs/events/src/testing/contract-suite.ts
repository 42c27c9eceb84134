// The one behavioural contract of an EventBus, run against every implementation (JetStream and
// in-process), so services can swap one for the other without noticing.
import { create, fromBinary, type MessageShape } from '@bufbuild/protobuf';
import { DeadLetterSchema, RegistryEventSchema, RegistryEventType } from '@mlops/proto/mlops/events/v1/events_pb';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBatchingHandler } from '../batching-handler.js';
import { InvalidEventError } from '../errors.js';
import { waitFor } from './wait.js';
import type { ConsumerHandle, EventBus, RawPublisher, ReceivedEvent } from '../types.js';

export type TestableBus = EventBus & RawPublisher;

export interface BusUnderTest {
  readonly bus: TestableBus;
  /** Closes the bus and removes whatever it left on the server. */
  dispose(): Promise<void>;
}

/** Makes a fresh, isolated bus for one test, with its metrics on `metrics`. */
export type BusFactory = (opts: { metrics: Registry }) => Promise<BusUnderTest>;

type RegistryEvent = MessageShape<typeof RegistryEventSchema>;
type DeadLetter = MessageShape<typeof DeadLetterSchema>;

export { waitFor } from './wait.js';

export function registryEvent(model: string, alias: string, version = 1n): RegistryEvent {
  return create(RegistryEventSchema, { type: RegistryEventType.ALIAS_SET, model, alias, version, actor: 'contract-test' });
}

export async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return 0;
  const { values } = await metric.get();
  const match = values.find((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want));
  return match?.value ?? 0;
}

export function runEventBusContract(label: string, createBus: BusFactory): void {
  describe(`EventBus contract: ${label}`, () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const contextManager = new AsyncLocalStorageContextManager();
    let metrics: Registry;
    let underTest: BusUnderTest;
    let bus: TestableBus;
    const handles: ConsumerHandle[] = [];

    /** Consumers stopped after the test, before the bus is disposed. */
    const consumeInto = async (handle: Promise<ConsumerHandle>): Promise<ConsumerHandle> => {
      const h = await handle;
      handles.push(h);
      return h;
    };
    /** Metrics of a delivery are counted just after its handler resolves: wait for them. */
    const metricReaches = (name: string, labels: Record<string, string>, expected: number) =>
      waitFor(async () => (await metricValue(metrics, name, labels)) >= expected, `${name} ${JSON.stringify(labels)} to reach ${expected}`);

    beforeAll(() => {
      trace.setGlobalTracerProvider(provider);
      context.setGlobalContextManager(contextManager.enable());
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    });

    afterAll(async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    });

    beforeEach(async () => {
      exporter.reset();
      metrics = new Registry();
      underTest = await createBus({ metrics });
      bus = underTest.bus;
    });

    afterEach(async () => {
      await Promise.all(handles.splice(0).map((h) => h.stop()));
      await underTest.dispose();
    });

    it('round-trips a typed event with its subject, headers and msg id', async () => {
      const received: ReceivedEvent<RegistryEvent>[] = [];
      await consumeInto(
        bus.consume({
          name: 'roundtrip',
          stream: 'REGISTRY',
          subjects: ['mlops.registry.churn.>'],
          schema: RegistryEventSchema,
          handler: async (event) => void received.push(event),
        }),
      );
      await bus.publish('mlops.registry.churn.alias_set', RegistryEventSchema, registryEvent('churn', 'champion', 7n), { msgId: 'audit-1' });

      await waitFor(() => received.length === 1, 'the event');
      const [event] = received;
      expect(event?.subject).toBe('mlops.registry.churn.alias_set');
      expect(event?.message.model).toBe('churn');
      expect(event?.message.alias).toBe('champion');
      expect(event?.message.version).toBe(7n);
      expect(event?.deliveryCount).toBe(1);
      expect(event?.msgId).toBe('audit-1');
      expect(event?.headers['Nats-Msg-Id']).toBe('audit-1');
      expect(event?.headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      expect(await metricValue(metrics, 'mlops_events_published_total', { stream: 'REGISTRY' })).toBe(1);
      await metricReaches('mlops_events_consumed_total', { consumer: 'roundtrip', outcome: 'ack' }, 1);
      expect(await metricValue(metrics, 'mlops_events_consumed_total', { consumer: 'roundtrip', outcome: 'ack' })).toBe(1);
    });

    it('stores a publish retried with the same msg id once', async () => {
      const aliases: string[] = [];
      await consumeInto(
        bus.consume({
          name: 'dedupe',
          stream: 'REGISTRY',
          subjects: ['mlops.registry.dup.*'],
          schema: RegistryEventSchema,
          handler: async (event) => void aliases.push(event.message.alias),
        }),
      );
      await bus.publish('mlops.registry.dup.alias_set', RegistryEventSchema, registryEvent('dup', 'first'), { msgId: 'same-id' });
      await bus.publish('mlops.registry.dup.alias_set', RegistryEventSchema, registryEvent('dup', 'retry'), { msgId: 'same-id' });
      await bus.publish('mlops.registry.dup.alias_set', RegistryEventSchema, registryEvent('dup', 'sentinel'), { msgId: 'other-id' });

      await waitFor(() => aliases.includes('sentinel'), 'the sentinel event');
      expect(aliases).toEqual(['first', 'sentinel']);
      expect(await metricValue(metrics, 'mlops_events_published_total', { stream: 'REGISTRY' })).toBe(2);
    });

    it('redelivers a failing event maxDeliver times, then dead-letters it with the reason', async () => {
      const poisonDeliveries: number[] = [];
      const handled: string[] = [];
      const deadLetters: DeadLetter[] = [];
      await consumeInto(
        bus.consume({
          name: 'dl-watch',
          stream: 'DEADLETTER',
          subjects: ['mlops.deadletter.mlops.registry.poison.>'],
          schema: DeadLetterSchema,
          handler: async (event) => void deadLetters.push(event.message),
        }),
      );
      await consumeInto(
        bus.consume({
          name: 'flaky',
          stream: 'REGISTRY',
          subjects: ['mlops.registry.poison.>'],
          schema: RegistryEventSchema,
          maxDeliver: 3,
          backoffMs: [10, 20],
          handler: async (event) => {
            if (event.message.alias === 'poison') {
              poisonDeliveries.push(event.deliveryCount);
              throw new Error('model store unavailable');
            }
            handled.push(event.message.alias);
          },
        }),
      );
      await bus.publish('mlops.registry.poison.alias_set', RegistryEventSchema, registryEvent('poison', 'poison'), { msgId: 'poison-1' });

      await waitFor(() => deadLetters.length === 1, 'the dead letter');
      const [deadLetter] = deadLetters;
      expect(poisonDeliveries).toEqual([1, 2, 3]);
      expect(deadLetter?.reason).toBe('model store unavailable');
      expect(deadLetter?.consumer).toBe('flaky');
      expect(deadLetter?.deliveries).toBe(3);
      expect(deadLetter?.originalSubject).toBe('mlops.registry.poison.alias_set');
      expect(deadLetter?.itemIndex).toBe(-1);
      expect(deadLetter?.headers['Nats-Msg-Id']).toBe('poison-1');
      expect(fromBinary(RegistryEventSchema, deadLetter?.payload ?? new Uint8Array()).alias).toBe('poison');

      // The consumer keeps going and the dead-lettered event is not delivered again.
      await bus.publish('mlops.registry.poison.alias_set', RegistryEventSchema, registryEvent('poison', 'healthy'));
      await waitFor(() => handled.includes('healthy'), 'the next event');
      expect(poisonDeliveries).toEqual([1, 2, 3]);
      await metricReaches('mlops_events_consumed_total', { consumer: 'flaky', outcome: 'dead_letter' }, 1);
      expect(await metricValue(metrics, 'mlops_events_dead_lettered_total', { consumer: 'flaky', reason: 'handler' })).toBe(1);
      expect(await metricValue(metrics, 'mlops_events_consumed_total', { consumer: 'flaky', outcome: 'retry' })).toBe(2);
      expect(await metricValue(metrics, 'mlops_events_consumed_total', { consumer: 'flaky', outcome: 'dead_letter' })).toBe(1);
    });

    it('dead-letters an undecodable payload at once, without calling the handler', async () => {
      const handled: RegistryEvent[] = [];
      const deadLetters: DeadLetter[] = [];
      await consumeInto(
        bus.consume({
          name: 'dl-watch',
          stream: 'DEADLETTER',
          subjects: ['mlops.deadletter.>'],
          schema: DeadLetterSchema,
          handler: async (event) => void deadLetters.push(event.message),
        }),
      );
      await consumeInto(
        bus.consume({
          name: 'decoder',
          stream: 'REGISTRY',
          subjects: ['mlops.registry.garbage.>'],
          schema: RegistryEventSchema,
          handler: async (event) => void handled.push(event.message),
        }),
      );
      const garbage = new Uint8Array([0xff, 0xff, 0xff]);
      await bus.publishBytes('mlops.registry.garbage.alias_set', garbage);

      await waitFor(() => deadLetters.length === 1, 'the dead letter');
      expect(handled).toEqual([]);
      expect(deadLetters[0]?.reason).toMatch(/^cannot decode mlops\.events\.v1\.RegistryEvent: /);
      expect(deadLetters[0]?.deliveries).toBe(1);
      expect(Array.from(deadLetters[0]?.payload ?? [])).toEqual(Array.from(garbage));
      await metricReaches('mlops_events_dead_lettered_total', { consumer: 'decoder', reason: 'decode' }, 1);
      expect(await metricValue(metrics, 'mlops_events_dead_lettered_total', { consumer: 'decoder', reason: 'decode' })).toBe(1);
    });

    it('dead-letters at once when the handler rejects the event as invalid', async () => {
      const deliveries: number[] = [];
      const deadLetters: DeadLetter[] = [];
      await consumeInto(
        bus.consume({
          name: 'dl-watch',
          stream: 'DEADLETTER',
          subjects: ['mlops.deadletter.>'],
          schema: DeadLetterSchema,
          handler: async (event) => void deadLetters.push(event.message),
        }),
      );
      await consumeInto(
        bus.consume({
          name: 'validator',
          stream: 'REGISTRY',
          subjects: ['mlops.registry.invalid.>'],
          schema: RegistryEventSchema,
          handler: async (event) => {
            deliveries.push(event.deliveryCount);
            throw new InvalidEventError('alias must not be empty');
          },
        }),
      );
      await bus.publish('mlops.registry.invalid.alias_set', RegistryEventSchema, registryEvent('invalid', ''));
      await bus.deadLetter({ originalSubject: 'mlops.features.clicks', payload: new Uint8Array([1]), reason: 'row 3: unknown feature', consumer: 'ingest', itemIndex: 3 });

      await waitFor(() => deadLetters.length === 2, 'both dead letters');
      expect(deliveries).toEqual([1]);
      const bySubject = new Map(deadLetters.map((d) => [d.originalSubject, d]));
      expect(bySubject.get('mlops.registry.invalid.alias_set')?.reason).toBe('alias must not be empty');
      expect(bySubject.get('mlops.features.clicks')).toMatchObject({ reason: 'row 3: unknown feature', consumer: 'ingest', itemIndex: 3 });
      await metricReaches('mlops_events_dead_lettered_total', { consumer: 'validator', reason: 'validation' }, 1);
      expect(await metricValue(metrics, 'mlops_events_dead_lettered_total', { consumer: 'validator', reason: 'validation' })).toBe(1);
      expect(await metricValue(metrics, 'mlops_events_dead_lettered_total', { consumer: 'ingest', reason: 'validation' })).toBe(1);
    });

    it('delivers only the subjects of a multi-subject filter', async () => {
      const durable: string[] = [];
      const broadcast: string[] = [];
      for (const [inbox, mode] of [
        [durable, 'durable'],
        [broadcast, 'broadcast'],
      ] as const) {
        await consumeInto(
          bus.consume({
            name: `multi-${mode}`,
            mode,
            stream: 'REGISTRY',
            subjects: ['mlops.registry.left.>', 'mlops.registry.right.*'],
            schema: RegistryEventSchema,
            handler: async (event) => void inbox.push(event.subject),
          }),
        );
      }
      for (const subject of ['mlops.registry.left.alias_set', 'mlops.registry.middle.alias_set', 'mlops.registry.right.alias_set']) {
        await bus.publish(subject, RegistryEventSchema, registryEvent('multi', 'x'));
      }

      await waitFor(() => durable.length === 2 && broadcast.length === 2, 'both matching events');
      expect(durable).toEqual(['mlops.registry.left.alias_set', 'mlops.registry.right.alias_set']);
      expect(broadcast).toEqual(['mlops.registry.left.alias_set', 'mlops.registry.right.alias_set']);
    });

    it('resumes a stopped durable consumer with every event published meanwhile, once', async () => {
      const aliases: string[] = [];
      const spec = {
        name: 'resumer',
        stream: 'REGISTRY' as const,
        subjects: ['mlops.registry.resume.>'],
        schema: RegistryEventSchema,
        handler: async (event: ReceivedEvent<RegistryEvent>) => void aliases.push(event.message.alias),
      };
      const first = await bus.consume(spec);
      await bus.publish('mlops.registry.resume.alias_set', RegistryEventSchema, registryEvent('resume', 'a1'));
      await waitFor(() => aliases.length === 1, 'the first event');
      await first.stop();

      for (const alias of ['a2', 'a3', 'a4']) {
        await bus.publish('mlops.registry.resume.alias_set', RegistryEventSchema, registryEvent('resume', alias));
      }
      await consumeInto(bus.consume(spec));
      await bus.publish('mlops.registry.resume.alias_set', RegistryEventSchema, registryEvent('resume', 'a5'));

      await waitFor(() => aliases.includes('a5'), 'the events after the restart');
      expect(aliases).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    });

    it('handles events concurrently and stores them in batches, each exactly once, retrying a failed batch', async () => {
      const stored: string[] = [];
      const batchSizes: number[] = [];
      let failNextFlush = true;
      const handler = createBatchingHandler<RegistryEvent>({
        maxBatch: 64,
        flush: async (events) => {
          if (failNextFlush) {
            failNextFlush = false;
            throw new Error('database briefly unavailable');
          }
          batchSizes.push(events.length);
          stored.push(...events.map((e) => e.message.alias));
        },
      });
      const aliases = Array.from({ length: 60 }, (_, i) => `b${i}`);
      for (const alias of aliases) {
        await bus.publish('mlops.registry.batch.alias_set', RegistryEventSchema, registryEvent('batch', alias));
      }
      await consumeInto(
        bus.consume({
          name: 'batcher',
          stream: 'REGISTRY',
          subjects: ['mlops.registry.batch.>'],
          schema: RegistryEventSchema,
          concurrency: 32,
          backoffMs: [10],
          handler,
        }),
      );
      await waitFor(() => new Set(stored).size === aliases.length, 'every event stored');
      expect([...stored].sort()).toEqual([...aliases].sort());
      expect(Math.max(...batchSizes)).toBeGreaterThan(1);
    });

    it('refuses concurrency on a broadcast consumer', async () => {
      await expect(
        bus.consume({
          name: 'ordered',
          stream: 'REGISTRY',
          subjects: ['mlops.registry.x.>'],
          schema: RegistryEventSchema,
          mode: 'broadcast',
          concurrency: 4,
          handler: async () => undefined,
        }),
      ).rejects.toThrow(/concurrency: broadcast consumers deliver in order/);
    });

    it('broadcasts every new event to each instance', async () => {
      await bus.publish('mlops.registry.bcast.alias_set', RegistryEventSchema, registryEvent('bcast', 'before-start'));
      const seen: [string[], string[]] = [[], []];
      for (const inbox of seen) {
        await consumeInto(
          bus.consume({
            name: 'cache',
            mode: 'broadcast',
            stream: 'REGISTRY',
            subjects: ['mlops.registry.bcast.>'],
            schema: RegistryEventSchema,
            handler: async (event) => void inbox.push(event.message.alias),
          }),
        );
      }
      await bus.publish('mlops.registry.bcast.alias_set', RegistryEventSchema, registryEvent('bcast', 'v1'));
      await bus.publish('mlops.registry.bcast.alias_set', RegistryEventSchema, registryEvent('bcast', 'v2'));

      await waitFor(() => seen.every((inbox) => inbox.length >= 2), 'both instances');
      expect(seen).toEqual([
        ['v1', 'v2'],
        ['v1', 'v2'],
      ]);
    });

    it('continues the publisher trace in the consumer span', async () => {
      const tracer = trace.getTracer('contract-test');
      let handlerTraceId: string | undefined;
      await consumeInto(
        bus.consume({
          name: 'traced',
          stream: 'REGISTRY',
          subjects: ['mlops.registry.traced.>'],
          schema: RegistryEventSchema,
          handler: async () => {
            handlerTraceId = trace.getActiveSpan()?.spanContext().traceId;
          },
        }),
      );
      const requestTraceId = await tracer.startActiveSpan('request', async (span) => {
        await bus.publish('mlops.registry.traced.alias_set', RegistryEventSchema, registryEvent('traced', 'x'), { msgId: 'traced-1' });
        span.end();
        return span.spanContext().traceId;
      });

      const consumerSpan = () => exporter.getFinishedSpans().find((s) => s.name === 'mlops.registry.traced.alias_set process');
      await waitFor(() => consumerSpan() !== undefined, 'the consumer span');
      const producer = exporter.getFinishedSpans().find((s) => s.name === 'mlops.registry.traced.alias_set publish');
      expect(handlerTraceId).toBe(requestTraceId);
      expect(producer?.kind).toBe(SpanKind.PRODUCER);
      expect(producer?.spanContext().traceId).toBe(requestTraceId);
      expect(producer?.attributes).toMatchObject({
        'messaging.system': 'nats',
        'messaging.destination.name': 'mlops.registry.traced.alias_set',
        'messaging.message.id': 'traced-1',
      });
      expect(consumerSpan()?.kind).toBe(SpanKind.CONSUMER);
      expect(consumerSpan()?.spanContext().traceId).toBe(requestTraceId);
      expect(consumerSpan()?.parentSpanContext?.spanId).toBe(producer?.spanContext().spanId);
    });

    it('rejects subjects outside the platform streams', async () => {
      await expect(bus.publish('orders.created', RegistryEventSchema, registryEvent('x', 'y'))).rejects.toThrow(/subject: expected/);
      await expect(bus.publish('mlops.registry.*.alias_set', RegistryEventSchema, registryEvent('x', 'y'))).rejects.toThrow(/wildcards/);
      await expect(
        bus.consume({ name: 'wrong', stream: 'REGISTRY', subjects: ['mlops.features.>'], schema: RegistryEventSchema, handler: async () => undefined }),
      ).rejects.toThrow(/subjects: expected filters inside mlops\.registry\.>/);
      await expect(
        bus.consume({ name: 'bad.name', stream: 'REGISTRY', subjects: ['mlops.registry.>'], schema: RegistryEventSchema, handler: async () => undefined }),
      ).rejects.toThrow(/name: expected/);
    });
  });
}

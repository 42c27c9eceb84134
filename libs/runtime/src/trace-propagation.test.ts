// One trace across the platform's two transports: a gRPC call whose handler publishes an event on
// NATS JetStream, consumed by a durable consumer that makes a second gRPC call. Every span, on both
// sides of both hops, must carry the caller's trace id, with the right parents and kinds.
import { create } from '@bufbuild/protobuf';
import { connectNatsBus, type EventBus } from '@mlops/events';
import { createClient, createGrpcServer, type GrpcServer } from '@mlops/grpc';
import { RegistryEventSchema, RegistryEventType } from '@mlops/proto/mlops/events/v1/events_pb';
import { EchoService } from '@mlops/proto/mlops/testing/v1/echo_pb';
import { useInMemoryTracing, type InMemoryTracing } from '@mlops/telemetry/testing';
import { SpanKind, trace } from '@opentelemetry/api';
import { connect } from 'nats';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';

const natsUrl = process.env['TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const namespace = `tt${randomUUID().slice(0, 8)}`;

let tracing: InMemoryTracing;
let bus: EventBus;
let server: GrpcServer;
let address: string;

beforeAll(async () => {
  tracing = useInMemoryTracing({ service: 'trace-test' });
  bus = await connectNatsBus({ url: natsUrl, name: 'trace-test', namespace });
  server = createGrpcServer({ service: 'trace-test' });
  server.add(EchoService, {
    // "publish": the handler sends an event; "downstream": the consumer calls back in.
    echo: async (req) => {
      if (req.text === 'publish') {
        const event = create(RegistryEventSchema, { type: RegistryEventType.ALIAS_SET, model: 'traced', alias: 'production', version: 1n });
        await bus.publish('mlops.registry.traced.alias_set', RegistryEventSchema, event);
      }
      return { text: req.text };
    },
    async *echoServerStream() {},
    echoClientStream: async () => ({}),
    async *echoBidiStream() {},
  });
  address = `127.0.0.1:${await server.listen('127.0.0.1:0')}`;
});

afterAll(async () => {
  await server?.shutdown(0);
  await bus?.close();
  const nc = await connect({ servers: natsUrl });
  const jsm = await nc.jetstreamManager();
  for await (const info of jsm.streams.list()) {
    if (info.config.name.startsWith(namespace.toUpperCase())) await jsm.streams.delete(info.config.name);
  }
  await nc.close();
  await tracing?.shutdown();
});

it('a request, its NATS event and the work the event causes are one trace', async () => {
  const client = createClient(EchoService, address);
  let consumed!: () => void;
  const done = new Promise<void>((resolve) => (consumed = resolve));
  await bus.consume({
    name: 'trace-follower',
    stream: 'REGISTRY',
    subjects: ['mlops.registry.traced.>'],
    schema: RegistryEventSchema,
    handler: async () => {
      await client.echo({ text: 'downstream' });
      consumed();
    },
  });

  const traceId = await trace.getTracer('test').startActiveSpan('backend request', async (span) => {
    await client.echo({ text: 'publish' });
    span.end();
    return span.spanContext().traceId;
  });
  await done;
  client.close();
  // The consumer span ends just after its handler resolves: wait for it (bounded), then look.
  for (let i = 0; i < 200 && !tracing.spans().some((s) => s.kind === SpanKind.CONSUMER); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }

  const spans = tracing.spans();
  const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);
  const kinds = inTrace.map((s) => `${SpanKind[s.kind]} ${s.name}`).sort();
  expect(kinds).toEqual(
    [
      'CLIENT mlops.testing.v1.EchoService/Echo',
      'CLIENT mlops.testing.v1.EchoService/Echo',
      'CONSUMER mlops.registry.traced.alias_set process',
      'INTERNAL backend request',
      'PRODUCER mlops.registry.traced.alias_set publish',
      'SERVER mlops.testing.v1.EchoService/Echo',
      'SERVER mlops.testing.v1.EchoService/Echo',
    ].sort(),
  );
  // The hops link up: consumer span's parent is the producer span; the producer's is the first server span.
  const byId = new Map(inTrace.map((s) => [s.spanContext().spanId, s]));
  const consumer = inTrace.find((s) => s.kind === SpanKind.CONSUMER)!;
  const producer = byId.get(consumer.parentSpanContext!.spanId)!;
  expect(producer.kind).toBe(SpanKind.PRODUCER);
  expect(byId.get(producer.parentSpanContext!.spanId)!.kind).toBe(SpanKind.SERVER);
});

import { status } from '@grpc/grpc-js';
import { EchoService } from '@mlops/proto/mlops/testing/v1/echo_pb';
import { SpanKind, context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient, type Client } from './client.js';
import { startEchoServer, type RunningEchoServer } from './testing/echo-service.js';

// vitest runs each file in its own fork, so these globals belong to this file alone.
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager().enable();

describe('tracing, metrics and logging', () => {
  let running: RunningEchoServer;
  let client: Client<typeof EchoService>;
  const serverMetrics = new Registry();
  const clientMetrics = new Registry();
  const logLines: string[] = [];
  const handlerSpanIds: (string | undefined)[] = [];

  beforeAll(async () => {
    trace.setGlobalTracerProvider(provider);
    context.setGlobalContextManager(contextManager);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const logger = pino({ level: 'info' }, { write: (line: string) => logLines.push(line) });
    running = await startEchoServer({
      metrics: serverMetrics,
      logger,
      hooks: { onCall: () => handlerSpanIds.push(trace.getActiveSpan()?.spanContext().spanId) },
    });
    client = createClient(EchoService, running.address, { metrics: clientMetrics });
  });
  afterAll(async () => {
    client.close();
    await running.close();
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });
  beforeEach(() => exporter.reset());

  it('server and client spans share one trace; the handler runs inside the server span', async () => {
    handlerSpanIds.length = 0;
    await client.echo({ text: 'traced' });
    const spans = exporter.getFinishedSpans();
    const serverSpan = spans.find((s) => s.kind === SpanKind.SERVER);
    const clientSpan = spans.find((s) => s.kind === SpanKind.CLIENT);
    expect(serverSpan?.name).toBe('mlops.testing.v1.EchoService/Echo');
    expect(clientSpan?.name).toBe('mlops.testing.v1.EchoService/Echo');
    expect(serverSpan?.spanContext().traceId).toBe(clientSpan?.spanContext().traceId);
    expect(serverSpan?.parentSpanContext?.spanId).toBe(clientSpan?.spanContext().spanId);
    expect(handlerSpanIds).toEqual([serverSpan?.spanContext().spanId]);
    expect(serverSpan?.attributes).toMatchObject({
      'rpc.system': 'grpc',
      'rpc.service': 'mlops.testing.v1.EchoService',
      'rpc.method': 'Echo',
      'rpc.grpc.status_code': status.OK,
    });
  });

  it('a client call inside an active span continues that trace', async () => {
    const tracer = trace.getTracer('test');
    const parent = tracer.startSpan('caller');
    await context.with(trace.setSpan(context.active(), parent), () => client.echo({}));
    parent.end();
    const traceIds = new Set(exporter.getFinishedSpans().map((s) => s.spanContext().traceId));
    expect(traceIds).toEqual(new Set([parent.spanContext().traceId]));
  });

  it('failed calls record their status code on the span', async () => {
    await client.echo({ failWithCode: status.INTERNAL }).catch(() => undefined);
    const serverSpan = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER);
    expect(serverSpan?.attributes['rpc.grpc.status_code']).toBe(status.INTERNAL);
    expect(serverSpan?.status.code).toBe(2 /* SpanStatusCode.ERROR */);
  });

  it('server and client metrics use the go-grpc-prometheus names, with the code label', async () => {
    await client.echo({ text: 'counted' });
    await client.echo({ failWithCode: status.NOT_FOUND }).catch(() => undefined);
    const server = await serverMetrics.metrics();
    expect(server).toMatch(
      /grpc_server_handled_total\{grpc_type="unary",grpc_service="mlops\.testing\.v1\.EchoService",grpc_method="Echo",grpc_code="OK"\} [1-9]/,
    );
    expect(server).toMatch(/grpc_server_handled_total\{[^}]*grpc_code="NOT_FOUND"\} 1/);
    expect(server).toMatch(/grpc_server_started_total\{grpc_type="unary",[^}]*\} [1-9]/);
    expect(server).toContain('grpc_server_handling_seconds_bucket');
    const clientText = await clientMetrics.metrics();
    expect(clientText).toMatch(/grpc_client_handled_total\{[^}]*grpc_code="NOT_FOUND"\} 1/);
    expect(clientText).toContain('grpc_client_handling_seconds_bucket');
  });

  it('an unexpected error is logged with its stack, while the client sees only "internal error"', async () => {
    logLines.length = 0;
    const err = await client.echo({ text: 'crash' }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('internal error');
    const logged = logLines.map((l) => JSON.parse(l) as { msg: string; method?: string; err?: { stack?: string } });
    const entry = logged.find((l) => l.method === '/mlops.testing.v1.EchoService/Echo');
    expect(entry?.err?.stack).toContain('boom: a detail the client must not see');
  });

  it('two servers can share one metrics registry', async () => {
    const second = await startEchoServer({ metrics: serverMetrics });
    await second.close();
  });
});

import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { context, propagation, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseSpanDestinations, currentTraceId, extractTraceContext, initTracing, injectTraceContext, type Tracing } from './index.js';
import { useInMemoryTracing } from './testing/index.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function track<T extends { shutdown(): Promise<void> }>(tracing: T): T {
  cleanups.push(() => tracing.shutdown());
  return tracing;
}

describe('initTracing', () => {
  it('exports ended spans with the service resource', () => {
    const tracing = track(useInMemoryTracing({ service: 'mlops-test' }));
    trace.getTracer('t').startSpan('work', { attributes: { 'model.name': 'churn' } }).end();

    const [span] = tracing.spans();
    expect(span?.name).toBe('work');
    expect(span?.attributes['model.name']).toBe('churn');
    expect(span?.resource.attributes).toMatchObject({
      'service.name': 'mlops-test',
      'service.version': '0.0.0-test',
      'process.pid': process.pid,
    });
    expect(span?.resource.attributes['service.instance.id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof span?.resource.attributes['host.name']).toBe('string');
  });

  it('creates real trace ids even with no exporter', () => {
    track(initTracing({ service: 'no-export', version: '1.0.0' }));
    let traceId: string | undefined;
    trace.getTracer('t').startActiveSpan('work', (span) => {
      traceId = currentTraceId();
      span.end();
    });
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceId).not.toBe('0'.repeat(32));
    expect(currentTraceId()).toBeUndefined();
  });

  it('lets a later call take over, tracers obtained earlier included, and hands back on shutdown', async () => {
    const first = track(useInMemoryTracing({ service: 'first' }));
    const tracer = trace.getTracer('obtained-early');
    const second = useInMemoryTracing({ service: 'second' });

    tracer.startSpan('during-second').end();
    await second.shutdown();
    tracer.startSpan('after-second').end();

    expect(second.exporter).not.toBe(first.exporter);
    expect(first.spans().map((s) => s.name)).toEqual(['after-second']);
    expect(first.spans()[0]?.resource.attributes['service.name']).toBe('first');
  });

  it('flushes to an explicit exporter on shutdown and is idempotent', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing: Tracing = initTracing({ service: 'explicit', version: '2.0.0', exporter });
    trace.getTracer('t').startSpan('one').end();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['one']);
    await tracing.shutdown();
    await tracing.shutdown();
    // After the only provider is gone, spans are no-ops and never reach the exporter.
    const span = trace.getTracer('t').startSpan('late');
    expect(span.isRecording()).toBe(false);
  });
});

describe('trace context propagation', () => {
  it('round-trips the trace id and parent span through a carrier, with baggage', () => {
    const tracing = track(useInMemoryTracing());
    const tracer = trace.getTracer('t');
    const carrier: Record<string, string> = {};

    const parent = tracer.startSpan('client');
    const withBaggage = propagation.setBaggage(
      trace.setSpan(context.active(), parent),
      propagation.createBaggage({ tenant: { value: 'acme' } }),
    );
    context.with(withBaggage, () => injectTraceContext(carrier));
    parent.end();

    expect(carrier['traceparent']).toBe(`00-${parent.spanContext().traceId}-${parent.spanContext().spanId}-01`);
    expect(carrier['baggage']).toBe('tenant=acme');

    const extracted = extractTraceContext({ ...carrier, unrelated: undefined });
    expect(propagation.getBaggage(extracted)?.getEntry('tenant')?.value).toBe('acme');
    context.with(extracted, () => {
      expect(currentTraceId()).toBe(parent.spanContext().traceId);
      tracer.startSpan('server').end();
    });

    const server = tracing.spans().find((s) => s.name === 'server');
    expect(server?.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(server?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
  });

  it('extracts an empty context from a carrier without trace headers', () => {
    track(useInMemoryTracing());
    expect(trace.getSpanContext(extractTraceContext({}))).toBeUndefined();
  });
});

describe('chooseSpanDestinations', () => {
  const exporter = new InMemorySpanExporter();

  it('exports nowhere by default', () => {
    expect(chooseSpanDestinations({}, {})).toEqual([]);
  });

  it('uses an explicit endpoint and exporter together', () => {
    expect(chooseSpanDestinations({ exporter, otlpEndpoint: 'http://jaeger:4317' }, {})).toEqual([
      { kind: 'exporter', exporter },
      { kind: 'otlp', url: 'http://jaeger:4317' },
    ]);
  });

  it('falls back to the standard OTLP variables unless OTEL_TRACES_EXPORTER=none', () => {
    expect(chooseSpanDestinations({}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4317' })).toEqual([
      { kind: 'otlp', url: undefined },
    ]);
    expect(chooseSpanDestinations({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_TRACES_EXPORTER: 'none' })).toEqual([]);
    expect(chooseSpanDestinations({ otlpEndpoint: ' ' }, {})).toEqual([]);
  });
});

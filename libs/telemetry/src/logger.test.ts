import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from './index.js';
import { useInMemoryTracing, type InMemoryTracing } from './testing/index.js';

/** A destination that keeps each JSON line, parsed. */
function captureLines(): { stream: Writable; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { stream, lines };
}

describe('createLogger', () => {
  let tracing: InMemoryTracing;
  beforeAll(() => {
    tracing = useInMemoryTracing();
  });
  afterAll(() => tracing.shutdown());

  it('carries the active span ids on every line, and none outside a span', () => {
    const { stream, lines } = captureLines();
    const logger = createLogger({ service: 'logger-test', destination: stream });
    const tracer = trace.getTracer('logger-test');

    let ids: { traceId: string; spanId: string } | undefined;
    tracer.startActiveSpan('outer', (span) => {
      ids = span.spanContext();
      logger.info({ model: 'churn' }, 'inside');
      span.end();
    });
    logger.info('outside');

    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      service: 'logger-test',
      pid: process.pid,
      level: 'info',
      msg: 'inside',
      model: 'churn',
      trace_id: ids?.traceId,
      span_id: ids?.spanId,
    });
    expect(lines[0]?.['trace_id']).toMatch(/^[0-9a-f]{32}$/);
    expect(typeof lines[0]?.['hostname']).toBe('string');
    expect(lines[1]).not.toHaveProperty('trace_id');
    expect(lines[1]).not.toHaveProperty('span_id');
  });

  it('follows the span across awaits (AsyncLocalStorage context)', async () => {
    const { stream, lines } = captureLines();
    const logger = createLogger({ service: 'logger-test', destination: stream });
    const tracer = trace.getTracer('logger-test');

    const spanId = await tracer.startActiveSpan('async', async (span) => {
      await new Promise((resolve) => setImmediate(resolve));
      logger.info('after await');
      span.end();
      return span.spanContext().spanId;
    });

    expect(lines[0]?.['span_id']).toBe(spanId);
  });

  it('honours the level and serializes errors with their stack', () => {
    const { stream, lines } = captureLines();
    const logger = createLogger({ service: 'logger-test', level: 'warn', destination: stream });

    logger.info('dropped');
    logger.error({ err: new Error('disk full') }, 'write failed');

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', msg: 'write failed', err: { type: 'Error', message: 'disk full' } });
    expect((lines[0]?.['err'] as { stack: string }).stack).toContain('disk full');
  });
});

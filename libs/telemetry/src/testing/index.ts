import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { initTracing } from '../tracing.js';

export interface InMemoryTracing {
  readonly exporter: InMemorySpanExporter;
  /** Spans ended so far (exported synchronously as each ends). */
  spans(): ReadableSpan[];
  /** Forgets the spans collected so far. */
  reset(): void;
  shutdown(): Promise<void>;
}

export interface InMemoryTracingOptions {
  /** `service.name` of the resource; "test" by default. */
  readonly service?: string;
}

/**
 * Installs real tracing (global provider, context manager, W3C propagator) that keeps finished
 * spans in memory, for asserting on spans in tests. Call `shutdown()` in `afterEach`/`afterAll`:
 * a tracing installed earlier in the process becomes current again.
 */
export function useInMemoryTracing(options: InMemoryTracingOptions = {}): InMemoryTracing {
  const exporter = new InMemorySpanExporter();
  const tracing = initTracing({ service: options.service ?? 'test', version: '0.0.0-test', exporter });
  return {
    exporter,
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    shutdown: () => tracing.shutdown(),
  };
}

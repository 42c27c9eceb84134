import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

export type EnvSource = Readonly<Record<string, string | undefined>>;

/** Where finished spans go; a process may use several at once. */
export type SpanDestination =
  /** OTLP over gRPC. `url` absent: the exporter resolves it from the OTEL_EXPORTER_OTLP_* variables. */
  | { readonly kind: 'otlp'; readonly url: string | undefined }
  /** A caller-supplied exporter (tests, debugging): exported span by span, synchronously on end. */
  | { readonly kind: 'exporter'; readonly exporter: SpanExporter };

export interface SpanExportOptions {
  readonly otlpEndpoint?: string | undefined;
  readonly exporter?: SpanExporter | undefined;
}

const isSet = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

/**
 * Decides where spans are exported. With neither option nor OTLP variables there is no
 * destination: spans are still created, so trace ids exist for logs and responses.
 * `OTEL_TRACES_EXPORTER=none` turns off the environment-driven OTLP export only; an explicit
 * `otlpEndpoint` or `exporter` is a decision made in code and wins.
 */
export function chooseSpanDestinations(options: SpanExportOptions, env: EnvSource = process.env): SpanDestination[] {
  const destinations: SpanDestination[] = [];
  if (options.exporter) destinations.push({ kind: 'exporter', exporter: options.exporter });
  if (isSet(options.otlpEndpoint)) {
    destinations.push({ kind: 'otlp', url: options.otlpEndpoint });
  } else if (
    !options.exporter &&
    env['OTEL_TRACES_EXPORTER']?.trim() !== 'none' &&
    (isSet(env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) || isSet(env['OTEL_EXPORTER_OTLP_ENDPOINT']))
  ) {
    destinations.push({ kind: 'otlp', url: undefined });
  }
  return destinations;
}

export function createSpanProcessor(destination: SpanDestination): SpanProcessor {
  switch (destination.kind) {
    case 'otlp':
      // Batching keeps the export off the request path. Headers, timeout, compression and
      // TLS still come from the standard OTEL_EXPORTER_OTLP_* variables.
      return new BatchSpanProcessor(new OTLPTraceExporter(destination.url === undefined ? {} : { url: destination.url }));
    case 'exporter':
      return new SimpleSpanProcessor(destination.exporter);
  }
}

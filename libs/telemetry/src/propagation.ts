import { ROOT_CONTEXT, context, isSpanContextValid, propagation, trace, type Context } from '@opentelemetry/api';

/** Writes the active trace context (traceparent, tracestate, baggage) into `carrier`. */
export function injectTraceContext(carrier: Record<string, string>): void {
  propagation.inject(context.active(), carrier);
}

/**
 * Reads a trace context from `carrier` (gRPC metadata, NATS headers). It starts from the root
 * context, not the active one: an incoming request or message belongs to its sender's trace,
 * never to whatever happened to be active in the receiving process.
 * Run work inside it with `context.with(extractTraceContext(headers), fn)`.
 */
export function extractTraceContext(carrier: Record<string, string | undefined>): Context {
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/** The ids of the active span, or undefined outside any (valid) span. */
export function currentSpanIds(): { traceId: string; spanId: string } | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  return { traceId: spanContext.traceId, spanId: spanContext.spanId };
}

/** The active trace id (32 hex characters), e.g. to return to a caller or put in an error. */
export function currentTraceId(): string | undefined {
  return currentSpanIds()?.traceId;
}

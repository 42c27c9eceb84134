import type { DescMethod } from '@bufbuild/protobuf';
import { status, type Metadata } from '@grpc/grpc-js';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  propagation,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { statusName } from './errors.js';
import { methodDisplayName } from './service-definition.js';

// The tracer is fetched again only when the global provider object changes: not once at module
// load (trace.disable() at the first initTracing replaces the global proxy, and a tracer taken
// from the old one would stay a no-op), and not per span (getTracer allocates).
let cachedTracer: { provider: TracerProvider; tracer: Tracer } | undefined;
const tracer = (): Tracer => {
  const provider = trace.getTracerProvider();
  if (cachedTracer?.provider !== provider) cachedTracer = { provider, tracer: provider.getTracer('@mlops/grpc') };
  return cachedTracer.tracer;
};

// Propagators read and write gRPC metadata directly; only string values are trace headers.
const metadataGetter: TextMapGetter<Metadata> = {
  keys: (carrier) => Object.keys(carrier.getMap()),
  get: (carrier, key) => {
    const values = carrier.get(key).filter((v): v is string => typeof v === 'string');
    return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
  },
};

const metadataSetter: TextMapSetter<Metadata> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

/** Starts the spans of one method's calls; its name and attributes are computed once. */
export interface MethodSpans {
  /** A SERVER span whose parent is the trace context the caller sent (`traceparent`/`tracestate`). */
  startServer(metadata: Metadata): { span: Span; ctx: Context };
  /** A CLIENT span under `parent`, with its trace context written into `metadata`. */
  startClient(metadata: Metadata, parent: Context): Span;
}

export function methodSpans(method: DescMethod): MethodSpans {
  const name = methodDisplayName(method);
  const attributes = { 'rpc.system': 'grpc', 'rpc.service': method.parent.typeName, 'rpc.method': method.name };
  const serverOptions = { kind: SpanKind.SERVER, attributes };
  const clientOptions = { kind: SpanKind.CLIENT, attributes };
  return {
    startServer(metadata) {
      const parent = propagation.extract(ROOT_CONTEXT, metadata, metadataGetter);
      const span = tracer().startSpan(name, serverOptions, parent);
      return { span, ctx: trace.setSpan(parent, span) };
    },
    startClient(metadata, parent) {
      const span = tracer().startSpan(name, clientOptions, parent);
      propagation.inject(trace.setSpan(parent, span), metadata, metadataSetter);
      return span;
    },
  };
}

// RPC semantic conventions: a server span is an error only for codes that mean the server failed.
const SERVER_ERROR_CODES: ReadonlySet<status> = new Set([
  status.UNKNOWN,
  status.DEADLINE_EXCEEDED,
  status.UNIMPLEMENTED,
  status.INTERNAL,
  status.UNAVAILABLE,
  status.DATA_LOSS,
]);

export function endRpcSpan(span: Span, side: 'server' | 'client', code: status, message?: string): void {
  span.setAttribute('rpc.grpc.status_code', code);
  const isError = side === 'client' ? code !== status.OK : SERVER_ERROR_CODES.has(code);
  if (isError) span.setStatus({ code: SpanStatusCode.ERROR, message: `${statusName(code)}${message ? `: ${message}` : ''}` });
  span.end();
}

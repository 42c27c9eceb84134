import type { DescMethod } from '@bufbuild/protobuf';
import { status, type Metadata } from '@grpc/grpc-js';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import { statusName } from './errors.js';
import { methodDisplayName } from './service-definition.js';

const tracer = () => trace.getTracer('@mlops/grpc');

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

const rpcAttributes = (method: DescMethod) => ({
  'rpc.system': 'grpc',
  'rpc.service': method.parent.typeName,
  'rpc.method': method.name,
});

/** A SERVER span whose parent is the trace context the caller sent (`traceparent`/`tracestate`). */
export function startServerSpan(method: DescMethod, metadata: Metadata): { span: Span; ctx: Context } {
  const parent = propagation.extract(ROOT_CONTEXT, metadata, metadataGetter);
  const span = tracer().startSpan(methodDisplayName(method), { kind: SpanKind.SERVER, attributes: rpcAttributes(method) }, parent);
  return { span, ctx: trace.setSpan(parent, span) };
}

/** A CLIENT span under the active context, with its trace context written into `metadata`. */
export function startClientSpan(method: DescMethod, metadata: Metadata, parent: Context = context.active()): { span: Span; ctx: Context } {
  const span = tracer().startSpan(methodDisplayName(method), { kind: SpanKind.CLIENT, attributes: rpcAttributes(method) }, parent);
  const ctx = trace.setSpan(parent, span);
  propagation.inject(ctx, metadata, metadataSetter);
  return { span, ctx };
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

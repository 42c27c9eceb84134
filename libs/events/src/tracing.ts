import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Attributes, type Context, type Link, type Span, type SpanContext } from '@opentelemetry/api';
import { errorMessage } from './errors.js';

// Resolved per call: the global tracer provider and propagator are registered by the service's
// telemetry set-up, which may run after this module is imported.
const tracer = () => trace.getTracer('@mlops/events');

const MESSAGING_SYSTEM = 'nats';

/**
 * Runs `send` inside a PRODUCER span, handing it headers that carry the span's W3C trace context
 * (`traceparent`/`tracestate`), so the consumer's span joins the same trace.
 */
export async function withPublishSpan<T>(
  subject: string,
  msgId: string | undefined,
  send: (traceHeaders: Record<string, string>) => Promise<T>,
): Promise<T> {
  const attributes: Attributes = {
    'messaging.system': MESSAGING_SYSTEM,
    'messaging.operation.type': 'send',
    'messaging.operation.name': 'publish',
    'messaging.destination.name': subject,
  };
  if (msgId !== undefined) attributes['messaging.message.id'] = msgId;
  const span = tracer().startSpan(`${subject} publish`, { kind: SpanKind.PRODUCER, attributes });
  const spanContext = trace.setSpan(context.active(), span);
  const traceHeaders: Record<string, string> = {};
  propagation.inject(spanContext, traceHeaders);
  try {
    return await context.with(spanContext, () => send(traceHeaders));
  } catch (err) {
    failSpan(span, err);
    throw err;
  } finally {
    span.end();
  }
}

export interface ConsumeSpanInfo {
  readonly subject: string;
  readonly consumer: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly deliveryCount: number;
  readonly msgId: string | undefined;
}

/**
 * Runs `work` inside a CONSUMER span whose parent is the trace context carried by the message's
 * headers (not whatever context the fetch loop happens to run in), so one trace crosses the bus.
 */
export async function withConsumeSpan<T>(info: ConsumeSpanInfo, work: (span: Span) => Promise<T>): Promise<T> {
  const parent = propagation.extract(ROOT_CONTEXT, info.headers);
  const attributes: Attributes = {
    'messaging.system': MESSAGING_SYSTEM,
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
    'messaging.destination.name': info.subject,
    'messaging.consumer.group.name': info.consumer,
    'messaging.nats.delivery_count': info.deliveryCount,
  };
  if (info.msgId !== undefined) attributes['messaging.message.id'] = info.msgId;
  const span = tracer().startSpan(`${info.subject} process`, { kind: SpanKind.CONSUMER, attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } finally {
    span.end();
  }
}

export function failSpan(span: Span, err: unknown): void {
  if (err instanceof Error) span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
}

/** What the batch span needs of each message (a ReceivedEvent has it all). */
export interface BatchMessageInfo {
  readonly subject: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly deliveryCount: number;
  readonly msgId?: string | undefined;
}

export interface BatchSpanInfo {
  readonly consumer: string;
  readonly messages: readonly BatchMessageInfo[];
}

/**
 * Runs a batch handler in one CONSUMER span linked to the span of each message's publisher (the
 * messaging conventions' batch receive, since one span cannot have many parents), and gives every
 * message that carries a trace a CONSUMER span of its own in that trace, linked to the batch span
 * and as long as it: a prediction and the monitoring work it causes stay one trace (DESIGN.md).
 * Messages of unsampled traces get non-recording spans, which cost next to nothing.
 */
export async function withBatchConsumeSpan<T>(info: BatchSpanInfo, work: (span: Span) => Promise<T>): Promise<T> {
  const parents: Array<{ message: BatchMessageInfo; context: Context; spanContext: SpanContext }> = [];
  for (const message of info.messages) {
    const parent = propagation.extract(ROOT_CONTEXT, message.headers);
    const spanContext = trace.getSpanContext(parent);
    if (spanContext !== undefined) parents.push({ message, context: parent, spanContext });
  }
  const attributes: Attributes = {
    'messaging.system': MESSAGING_SYSTEM,
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
    'messaging.consumer.group.name': info.consumer,
    'messaging.batch.message_count': info.messages.length,
  };
  const links: Link[] = parents.map((p) => ({ context: p.spanContext }));
  const span = tracer().startSpan(`${info.consumer} process batch`, { kind: SpanKind.CONSUMER, attributes, links }, ROOT_CONTEXT);
  const batchLink: Link[] = [{ context: span.spanContext() }];
  const messageSpans = parents.map(({ message, context: parent }) => {
    const messageAttributes: Attributes = {
      'messaging.system': MESSAGING_SYSTEM,
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': message.subject,
      'messaging.consumer.group.name': info.consumer,
      'messaging.nats.delivery_count': message.deliveryCount,
    };
    if (message.msgId !== undefined) messageAttributes['messaging.message.id'] = message.msgId;
    return tracer().startSpan(`${message.subject} process`, { kind: SpanKind.CONSUMER, attributes: messageAttributes, links: batchLink }, parent);
  });
  try {
    return await context.with(trace.setSpan(ROOT_CONTEXT, span), () => work(span));
  } catch (err) {
    for (const messageSpan of messageSpans) failSpan(messageSpan, err);
    throw err;
  } finally {
    for (const messageSpan of messageSpans) messageSpan.end();
    span.end();
  }
}

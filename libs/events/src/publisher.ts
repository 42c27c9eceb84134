import { toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { DeadLetterSchema } from '@mlops/proto/mlops/events/v1/events_pb';
import { buildDeadLetter, type DeadLetter } from './dead-letter.js';
import { MSG_ID_HEADER } from './delivery.js';
import type { EventMetrics } from './metrics.js';
import { streamForSubject, type StreamName } from './streams.js';
import { deadLetterSubject, isConcreteSubject } from './subjects.js';
import { withPublishSpan } from './tracing.js';
import type { DeadLetterEntry, PublishOptions } from './types.js';

/** What a transport reports for one stored message. */
export interface SendResult {
  /** The stream had already stored this `Nats-Msg-Id` within its duplicate window. */
  readonly duplicate: boolean;
}

/** A transport's way to store one message (un-namespaced subject; headers include trace and msg id). */
export type SendFn = (subject: string, stream: StreamName, payload: Uint8Array, headers: Record<string, string>) => Promise<SendResult>;

export type RawPublishOptions = PublishOptions & { readonly headers?: Readonly<Record<string, string>> };

/** The publishing half of both buses: subject checks, trace span and headers, metrics. */
export interface Publisher {
  publish<D extends DescMessage>(subject: string, schema: D, message: MessageShape<D>, opts?: PublishOptions): Promise<void>;
  publishBytes(subject: string, payload: Uint8Array, opts?: RawPublishOptions): Promise<void>;
  publishDeadLetter(deadLetter: DeadLetter, msgId: string): Promise<void>;
  deadLetter(entry: DeadLetterEntry): Promise<void>;
}

export function createPublisher(send: SendFn, metrics: EventMetrics): Publisher {
  async function publishBytes(subject: string, payload: Uint8Array, opts: RawPublishOptions = {}): Promise<void> {
    if (!isConcreteSubject(subject)) {
      throw new TypeError(`subject: expected a subject without wildcards or empty tokens, got ${JSON.stringify(subject)}`);
    }
    const stream = streamForSubject(subject);
    if (stream === undefined) {
      throw new TypeError(`subject: expected a subject stored by one of the platform's streams (mlops.<kind>.…), got ${JSON.stringify(subject)}`);
    }
    await withPublishSpan(subject, opts.msgId, async (traceHeaders) => {
      const headers: Record<string, string> = { ...opts.headers, ...traceHeaders };
      if (opts.msgId !== undefined) headers[MSG_ID_HEADER] = opts.msgId;
      const result = await send(subject, stream, payload, headers);
      if (!result.duplicate) metrics.published(stream);
    });
  }

  function publishDeadLetter(deadLetter: DeadLetter, msgId: string): Promise<void> {
    return publishBytes(deadLetterSubject(deadLetter.originalSubject), toBinary(DeadLetterSchema, deadLetter), { msgId });
  }

  return {
    publish: (subject, schema, message, opts) => publishBytes(subject, toBinary(schema, message), opts),
    publishBytes,
    publishDeadLetter,
    async deadLetter(entry) {
      const deadLetter = buildDeadLetter({ ...entry, deliveries: 0, headers: {} });
      await publishBytes(deadLetterSubject(entry.originalSubject), toBinary(DeadLetterSchema, deadLetter));
      // A caller-reported rejection is a payload that decoded but failed the caller's checks.
      metrics.deadLettered(entry.consumer, 'validation');
    },
  };
}

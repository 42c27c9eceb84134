import { fromBinary, type DescMessage } from '@bufbuild/protobuf';
import type { Logger } from 'pino';
import { backoffDelay, type ResolvedConsumer } from './consumer-spec.js';
import { buildDeadLetter, type DeadLetter } from './dead-letter.js';
import { errorMessage, InvalidEventError, undecodable } from './errors.js';
import type { DeadLetterReason, EventMetrics } from './metrics.js';
import { failSpan, withConsumeSpan } from './tracing.js';
import type { BusFailurePolicy } from './types.js';

/** One delivery of a stored message, as either transport hands it over. */
export interface Delivery {
  /** Un-namespaced subject. */
  readonly subject: string;
  readonly payload: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
  /** Position in the stream; with the consumer name it identifies the dead letter, so a retried dead-lettering is stored once. */
  readonly streamSequence: number;
}

/** What the transport must do with the message once the delivery was handled. */
export type Settlement =
  | { readonly kind: 'ack' }
  | { readonly kind: 'retry'; readonly delayMs: number }
  /** A dead letter is stored: acknowledge (terminate) the original, never deliver it again. */
  | { readonly kind: 'dead_lettered' };

export interface DeliveryDeps {
  readonly metrics: EventMetrics;
  readonly logger: Logger | undefined;
  readonly isTransientFailure: BusFailurePolicy['isTransientFailure'];
  publishDeadLetter(deadLetter: DeadLetter, msgId: string): Promise<void>;
}

/** Whether the bus's policy calls a handler's failure transient (see `BusFailurePolicy`). */
export const isTransient = (deps: Pick<DeliveryDeps, 'isTransientFailure'>, err: unknown): boolean => deps.isTransientFailure?.(err) ?? false;

/** What becomes of a delivery whose handler failed with anything but an `InvalidEventError`. */
export type FailureOutcome = { readonly kind: 'retry'; readonly delayMs: number } | { readonly kind: 'dead_letter' };

/**
 * A failed delivery is retried after its backoff step until it runs out of deliveries, then
 * dead-lettered; a transient failure is retried however many deliveries it took, so an outage
 * longer than the retries loses nothing to the dead letters.
 */
export function failureOutcome(
  consumer: Pick<ResolvedConsumer<DescMessage>, 'maxDeliver' | 'backoffMs'>,
  transient: boolean,
  deliveryCount: number,
): FailureOutcome {
  if (!transient && deliveryCount >= consumer.maxDeliver) return { kind: 'dead_letter' };
  return { kind: 'retry', delayMs: backoffDelay(consumer.backoffMs, deliveryCount) };
}

export const MSG_ID_HEADER = 'Nats-Msg-Id';

/** What dead-lettering needs to know of the consumer, single or batch. */
export interface DeadLetteringConsumer {
  readonly name: string;
  readonly stream: string;
  readonly backoffMs: ResolvedConsumer<DescMessage>['backoffMs'];
}

/**
 * Stores `delivery` as a dead letter (idempotently: its id is stream, sequence and consumer) and
 * settles it as dead-lettered; if the dead letter cannot be stored, the original is retried,
 * never dropped.
 */
export async function deadLetterDelivery(
  consumer: DeadLetteringConsumer,
  deps: DeliveryDeps,
  delivery: Delivery,
  reason: DeadLetterReason,
  text: string,
): Promise<Settlement> {
  const { metrics, logger } = deps;
  const entry = buildDeadLetter({
    originalSubject: delivery.subject,
    payload: delivery.payload,
    reason: text,
    consumer: consumer.name,
    deliveries: delivery.deliveryCount,
    headers: delivery.headers,
  });
  try {
    await deps.publishDeadLetter(entry, `deadletter:${consumer.stream}:${delivery.streamSequence}:${consumer.name}`);
  } catch (err) {
    // Never drop it: leave the original unacknowledged and try again later.
    logger?.error({ err, consumer: consumer.name, subject: delivery.subject }, 'dead letter publish failed; will retry');
    metrics.consumed(consumer.name, 'retry');
    return { kind: 'retry', delayMs: backoffDelay(consumer.backoffMs, delivery.deliveryCount) };
  }
  metrics.deadLettered(consumer.name, reason);
  metrics.consumed(consumer.name, 'dead_letter');
  logger?.warn(
    { consumer: consumer.name, subject: delivery.subject, reason, deliveries: delivery.deliveryCount, detail: text },
    'event dead-lettered',
  );
  return { kind: 'dead_lettered' };
}

/**
 * The transport-independent part of consuming: decode, run the handler in a CONSUMER span,
 * decide between ack, retry with backoff and dead letter, and count it. Both buses call this,
 * which is what keeps their semantics identical.
 */
export function createDeliveryProcessor<D extends DescMessage>(
  consumer: ResolvedConsumer<D>,
  deps: DeliveryDeps,
): (delivery: Delivery) => Promise<Settlement> {
  const { metrics, logger } = deps;

  const deadLetter = (delivery: Delivery, reason: DeadLetterReason, text: string) => deadLetterDelivery(consumer, deps, delivery, reason, text);

  return (delivery) => {
    const msgId = delivery.headers[MSG_ID_HEADER];
    const spanInfo = { subject: delivery.subject, consumer: consumer.name, headers: delivery.headers, deliveryCount: delivery.deliveryCount, msgId };
    return withConsumeSpan(spanInfo, async (span) => {
      let message;
      try {
        message = fromBinary(consumer.schema, delivery.payload);
      } catch (err) {
        failSpan(span, err);
        return deadLetter(delivery, 'decode', undecodable(consumer.schema.typeName, err));
      }
      const started = performance.now();
      try {
        await consumer.handler({
          subject: delivery.subject,
          message,
          deliveryCount: delivery.deliveryCount,
          headers: delivery.headers,
          ...(msgId === undefined ? {} : { msgId }),
        });
      } catch (err) {
        metrics.handlerSeconds(consumer.name, (performance.now() - started) / 1000);
        failSpan(span, err);
        if (err instanceof InvalidEventError) return deadLetter(delivery, 'validation', err.message);
        const transient = isTransient(deps, err);
        const outcome = failureOutcome(consumer, transient, delivery.deliveryCount);
        if (outcome.kind === 'dead_letter') return deadLetter(delivery, 'handler', errorMessage(err));
        logger?.warn(
          {
            err,
            consumer: consumer.name,
            subject: delivery.subject,
            deliveryCount: delivery.deliveryCount,
            retryInMs: outcome.delayMs,
            transient,
          },
          'event handler failed; will retry',
        );
        metrics.consumed(consumer.name, 'retry');
        return { kind: 'retry', delayMs: outcome.delayMs };
      }
      metrics.handlerSeconds(consumer.name, (performance.now() - started) / 1000);
      metrics.consumed(consumer.name, 'ack');
      return { kind: 'ack' };
    });
  };
}

import type { DescMessage } from '@bufbuild/protobuf';
import type { ResolvedBatchConsumer } from './batch-spec.js';
import { deadLetterDelivery, failureOutcome, isTransient, MSG_ID_HEADER, type Delivery, type DeliveryDeps, type Settlement } from './delivery.js';
import { errorMessage, undecodable } from './errors.js';
import type { DeadLetterReason } from './metrics.js';
import { failSpan, withBatchConsumeSpan } from './tracing.js';
import type { ReceivedEvent } from './types.js';

/**
 * The batch twin of `createDeliveryProcessor`: decodes every delivery (undecodable ones are
 * dead-lettered at once), runs the handler once for the rest in one CONSUMER span, and settles
 * each delivery: ack, dead letter (rejected by the handler, or out of deliveries) or retry.
 * Settlements come back in the order of the deliveries.
 */
export function createBatchProcessor<D extends DescMessage, T>(
  consumer: ResolvedBatchConsumer<D, T>,
  deps: DeliveryDeps,
): (deliveries: readonly Delivery[]) => Promise<Settlement[]> {
  const { metrics, logger } = deps;

  const deadLetter = (delivery: Delivery, reason: DeadLetterReason, text: string) => deadLetterDelivery(consumer, deps, delivery, reason, text);

  return async (deliveries) => {
    const settlements: Array<Settlement | Promise<Settlement> | undefined> = new Array(deliveries.length);
    const events: Array<ReceivedEvent<T>> = [];
    const positions: number[] = [];
    deliveries.forEach((delivery, i) => {
      let message: T;
      try {
        message = consumer.decode(delivery.payload);
      } catch (err) {
        settlements[i] = deadLetter(delivery, 'decode', undecodable(consumer.schema.typeName, err));
        return;
      }
      const msgId = delivery.headers[MSG_ID_HEADER];
      events.push({
        subject: delivery.subject,
        message,
        deliveryCount: delivery.deliveryCount,
        headers: delivery.headers,
        ...(msgId === undefined ? {} : { msgId }),
      });
      positions.push(i);
    });

    if (events.length > 0) {
      await withBatchConsumeSpan({ consumer: consumer.name, messages: events }, async (span) => {
        const started = performance.now();
        try {
          const rejections = (await consumer.batchHandler(events)) ?? [];
          metrics.handlerSeconds(consumer.name, (performance.now() - started) / 1000);
          const rejected = new Map(rejections.map((r) => [r.index, r.reason]));
          positions.forEach((at, index) => {
            const reason = rejected.get(index);
            if (reason !== undefined) settlements[at] = deadLetter(deliveries[at]!, 'validation', reason);
            else {
              metrics.consumed(consumer.name, 'ack');
              settlements[at] = { kind: 'ack' };
            }
          });
        } catch (err) {
          metrics.handlerSeconds(consumer.name, (performance.now() - started) / 1000);
          failSpan(span, err);
          const transient = isTransient(deps, err);
          logger?.warn({ err, consumer: consumer.name, events: events.length, transient }, 'batch handler failed; will retry');
          for (const at of positions) {
            const delivery = deliveries[at]!;
            const outcome = failureOutcome(consumer, transient, delivery.deliveryCount);
            if (outcome.kind === 'dead_letter') settlements[at] = deadLetter(delivery, 'handler', errorMessage(err));
            else {
              metrics.consumed(consumer.name, 'retry');
              settlements[at] = { kind: 'retry', delayMs: outcome.delayMs };
            }
          }
        }
      });
    }
    return Promise.all(settlements.map((s) => s!));
  };
}

import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { RegistryEventSchema, RegistryEventType } from '@mlops/proto/mlops/events/v1/events_pb';
import { injectTraceContext } from '@mlops/telemetry';
import type { RegistryDb } from './context.js';
import type { WrittenAudit } from './audit.js';

/** `mlops.registry.<model>.<event>`, <event> being the type's name in lower case (DESIGN.md, "Events"). */
export function registrySubject(model: string, type: RegistryEventType): string {
  return `mlops.registry.${model}.${(RegistryEventType[type] ?? 'unspecified').toLowerCase()}`;
}

/**
 * Queues the event of a change in the change's own transaction. It is published by the outbox
 * relay once the transaction committed: never an event for a change that rolled back, and never
 * a committed change without its event, even when NATS is down at that moment.
 */
export async function enqueueEvent(
  trx: RegistryDb,
  audit: WrittenAudit,
  event: { type: RegistryEventType; alias?: string; previousVersion?: number },
): Promise<void> {
  const message = create(RegistryEventSchema, {
    type: event.type,
    model: audit.model,
    version: BigInt(audit.version),
    alias: event.alias ?? '',
    previousVersion: BigInt(event.previousVersion ?? 0),
    actor: audit.actor,
    reason: audit.reason,
    auditId: BigInt(audit.id),
    occurredAt: timestampFromDate(audit.at),
  });
  // The request's trace context travels with the row, so the event continues the trace of the
  // RPC that caused it even though the relay publishes it later, from another async context.
  const traceContext: Record<string, string> = {};
  injectTraceContext(traceContext);
  await trx
    .insertInto('outbox')
    .values({
      audit_id: audit.id,
      subject: registrySubject(audit.model, event.type),
      payload: toBinary(RegistryEventSchema, message),
      trace_context: JSON.stringify(traceContext),
    })
    .execute();
}

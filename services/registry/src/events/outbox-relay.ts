import { fromBinary } from '@bufbuild/protobuf';
import { context } from '@opentelemetry/api';
import { logRoundFailure } from '@mlops/db';
import type { EventBus } from '@mlops/events';
import { RegistryEventSchema } from '@mlops/proto/mlops/events/v1/events_pb';
import { extractTraceContext } from '@mlops/telemetry';
import type { Logger } from 'pino';
import type { RegistryDb } from '../registry/context.js';

export interface OutboxRelay {
  /** Publishes what is queued now (a change just committed); returns at once. */
  kick(): void;
  /** One pass: publishes queued events in order until the queue is empty or a publish fails. */
  drain(): Promise<{ published: number; failed: boolean }>;
  /** Events committed but not yet published (for readiness and tests). */
  pending(): Promise<number>;
  /** Stops the loop after the pass in progress. Queued events stay queued for the next start. */
  stop(): Promise<void>;
}

export interface OutboxRelayOptions {
  readonly db: RegistryDb;
  readonly bus: EventBus;
  readonly logger?: Logger;
  /** How often to retry while events are queued and publishing fails (default 1 s, doubling to 30 s). */
  readonly retryMs?: number;
  readonly batchSize?: number;
  /** How often to look for queued events when nothing kicks the relay (default 30 s). */
  readonly sweepMs?: number;
}

/**
 * Moves committed events from the outbox table to the bus. A change and its outbox row commit
 * together; the relay publishes after the commit, with the audit id as the message id, so a
 * publish that is retried (after a crash between publish and delete) is stored once by JetStream.
 * Rows are claimed with FOR UPDATE SKIP LOCKED, so replicas share the queue without publishing
 * an event twice at the same time.
 */
export function startOutboxRelay(opts: OutboxRelayOptions): OutboxRelay {
  const baseRetryMs = opts.retryMs ?? 1_000;
  const batchSize = opts.batchSize ?? 100;
  const sweepMs = opts.sweepMs ?? 30_000;
  const logOutboxFailure = logRoundFailure(opts.logger, 'outbox relay could not read the outbox');
  let retryMs = baseRetryMs;
  let running: Promise<{ published: number; failed: boolean }> | undefined;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function publishBatch(): Promise<{ published: number; failed: boolean; more: boolean }> {
    return opts.db.transaction().execute(async (trx) => {
      const rows = await trx.selectFrom('outbox').selectAll().orderBy('id').limit(batchSize).forUpdate().skipLocked().execute();
      let published = 0;
      for (const row of rows) {
        try {
          const event = fromBinary(RegistryEventSchema, row.payload);
          await context.with(extractTraceContext(row.trace_context), () =>
            opts.bus.publish(row.subject, RegistryEventSchema, event, { msgId: `registry-audit-${row.audit_id}` }),
          );
        } catch (err) {
          opts.logger?.warn({ err, subject: row.subject, auditId: row.audit_id }, 'registry event not published yet; will retry');
          await trx
            .updateTable('outbox')
            .set({ attempts: row.attempts + 1, last_error: err instanceof Error ? err.message : String(err) })
            .where('id', '=', row.id)
            .execute();
          // Stop at the first failure: events of a model must not overtake each other.
          return { published, failed: true, more: true };
        }
        await trx.deleteFrom('outbox').where('id', '=', row.id).execute();
        published++;
      }
      return { published, failed: false, more: rows.length === batchSize };
    });
  }

  async function drainLoop(): Promise<{ published: number; failed: boolean }> {
    let published = 0;
    for (;;) {
      again = false;
      let batch: { published: number; failed: boolean; more: boolean };
      try {
        batch = await publishBatch();
      } catch (err) {
        logOutboxFailure(err);
        batch = { published: 0, failed: true, more: true };
      }
      published += batch.published;
      if (batch.failed) {
        schedule(retryMs);
        retryMs = Math.min(retryMs * 2, 30_000);
        return { published, failed: true };
      }
      retryMs = baseRetryMs;
      if (!batch.more && !again) {
        // A slow sweep picks up rows another replica claimed and then died holding.
        schedule(sweepMs);
        return { published, failed: false };
      }
    }
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => relay.kick(), delayMs);
    timer.unref();
  }

  const relay: OutboxRelay = {
    kick() {
      if (stopped) return;
      if (running !== undefined) {
        // A pass is in progress; make it look again when it ends, for rows committed meanwhile.
        again = true;
        return;
      }
      void relay.drain();
    },
    drain() {
      if (running !== undefined) {
        again = true;
        return running;
      }
      running = drainLoop().finally(() => {
        running = undefined;
      });
      return running;
    },
    async pending() {
      const row = await opts.db.selectFrom('outbox').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
  // Events left by a previous run (NATS was down, or the process died after commit).
  relay.kick();
  return relay;
}

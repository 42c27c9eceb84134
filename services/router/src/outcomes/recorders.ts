import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { RouterTables } from '../storage/schema.js';
import { createBatchWriter, type BatchWriter } from './batch-writer.js';

export interface OutcomeRow {
  readonly predictionId: string;
  readonly model: string;
  readonly variant: string;
  readonly version: bigint;
  readonly servedAt: Date;
  readonly latencyMs: number;
  readonly errorCode: string | undefined;
  readonly score: number | undefined;
  readonly predictedLabel: string | undefined;
}

export interface DivergenceRow {
  readonly predictionId: string;
  readonly model: string;
  readonly candidateVersion: bigint;
  readonly stableVersion: bigint;
  readonly divergence: number;
  readonly at: Date;
}

export interface OutcomeRecorders {
  readonly outcomes: BatchWriter<OutcomeRow>;
  readonly divergences: BatchWriter<DivergenceRow>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function createOutcomeRecorders(db: Kysely<RouterTables>, opts: { logger?: Logger; flushIntervalMs?: number; onDrop?: (kind: 'outcome' | 'divergence', count: number) => void }): OutcomeRecorders {
  const outcomes = createBatchWriter<OutcomeRow>({
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.flushIntervalMs ? { flushIntervalMs: opts.flushIntervalMs } : {}),
    onDrop: (n) => opts.onDrop?.('outcome', n),
    write: async (rows) => {
      await db
        .insertInto('outcomes')
        .values(
          rows.map((r) => ({
            prediction_id: r.predictionId,
            model: r.model,
            variant: r.variant,
            version: r.version.toString(),
            served_at: r.servedAt,
            latency_ms: r.latencyMs,
            error_code: r.errorCode ?? null,
            score: r.score !== undefined && Number.isFinite(r.score) ? r.score : null,
            predicted_label: r.predictedLabel ?? null,
          })),
        )
        // A batch retried after a write that committed but timed out is stored once.
        .onConflict((oc) => oc.column('prediction_id').doNothing())
        .execute();
    },
  });
  const divergences = createBatchWriter<DivergenceRow>({
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.flushIntervalMs ? { flushIntervalMs: opts.flushIntervalMs } : {}),
    onDrop: (n) => opts.onDrop?.('divergence', n),
    write: async (rows) => {
      await db
        .insertInto('divergences')
        .values(
          rows.map((r) => ({
            prediction_id: r.predictionId,
            model: r.model,
            candidate_version: r.candidateVersion.toString(),
            stable_version: r.stableVersion.toString(),
            divergence: r.divergence,
            at: r.at,
          })),
        )
        .onConflict((oc) => oc.column('prediction_id').doNothing())
        .execute();
    },
  });
  return {
    outcomes,
    divergences,
    async flush() {
      await Promise.all([outcomes.flush(), divergences.flush()]);
    },
    async close() {
      await Promise.all([outcomes.close(), divergences.close()]);
    },
  };
}

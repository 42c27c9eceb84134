/**
 * The monitoring service, composed from its parts: consumers of mlops.predictions.> and
 * mlops.labels.>, the periodic evaluator, and the gRPC handlers. `createMonitoringService`
 * is what tests and the all-in-one launcher compose; `monitoringSpec` boots it for real.
 */
import { randomUUID } from 'node:crypto';
import { logRoundFailure, startPeriodicRounds, startRetention, type PeriodicRounds, type Retention } from '@mlops/db';
import { consumeBatches, type BatchRejection, type ConsumerHandle, type EventBus } from '@mlops/events';
import { LabelSchema, PredictionEventSchema } from '@mlops/proto/mlops/events/v1/events_pb';
import { MonitoringService } from '@mlops/proto/mlops/monitoring/v1/monitoring_pb';
import type { GrpcServer } from '@mlops/grpc';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { monitoringHandlers } from './api/handlers.js';
import { DEFAULT_PREDICTION_RETENTION_MS, predictionRetentionRules } from './storage/retention.js';
import { AlertHub } from './alerts/hub.js';
import { DEFAULT_RULES, type AlertRule } from './alerts/rules.js';
import { AlertTracker } from './alerts/state.js';
import { firingAlerts } from './alerts/store.js';
import { evaluate, type EvaluationResult } from './evaluate/evaluator.js';
import { storeLabels } from './ingest/labels.js';
import { decodePredictionEvent } from './ingest/prediction-event-decoder.js';
import { PredictionIngestor } from './ingest/predictions.js';
import { modelOfSubject, validateLabel, validatePredictionEvent, type Label, type Result } from './ingest/validate.js';
import type { RegistryLookup } from './registry/lookup.js';
import { BinningCache } from './storage/binnings.js';
import { startPaneCompaction, type PaneCompaction } from './storage/pane-compaction.js';
import type { MonitoringTables } from './storage/schema.js';
import { VersionCatalog } from './storage/versions.js';
import { createMonitoringGauges } from './telemetry/gauges.js';
import { DEFAULT_PANE_MS } from './windows/time.js';

export interface MonitoringOptions {
  /** Width of a pane, the unit windows are made of. Default 60 s. */
  readonly paneMs?: number;
  /** Sliding window the evaluator judges. Default 15 min. */
  readonly windowMs?: number;
  /** How often the evaluator runs; 0 turns the timer off (tests call evaluateNow). Default 15 s. */
  readonly evaluationIntervalMs?: number;
  /** The rules each model is judged by (MONITORING_ALERT_RULES, see rule-config.ts). Default: DEFAULT_RULES for all. */
  readonly rulesOf?: (model: string) => readonly AlertRule[];
  /** Durable consumer names (tests of a restart reuse them). */
  readonly consumerPrefix?: string;
  /** Raw predictions and labels older than this are deleted; panes stay. Default 180 days. */
  readonly predictionRetentionMs?: number;
}

export interface MonitoringDeps {
  readonly db: Kysely<MonitoringTables>;
  readonly bus: EventBus;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly registry: RegistryLookup;
  readonly clock?: () => Date;
  readonly options?: MonitoringOptions;
}

export interface MonitoringServiceHandle {
  register(server: GrpcServer): void;
  /** Starts the consumers and the evaluation timer. */
  start(): Promise<void>;
  /** One evaluation round now (the timer calls the same); after `start`. */
  evaluateNow(now?: Date): Promise<EvaluationResult>;
  readiness(): Promise<Record<string, { ok: boolean; detail?: string }>>;
  close(): Promise<void>;
}

/** Events one consumer hands over at once, stored in one transaction and acknowledged with one ack. */
const CONSUMER_BATCH = 2000;
/** Two batches at once: the next is decoded while the previous one is stored (batches append pane parts, so neither waits on the other's locks). */
const CONSUMER_BATCHES_IN_FLIGHT = 2;

const DEFAULT_CONSUMER_PREFIX = 'monitoring';

/** The durable consumer of prediction events; replicas with the same consumer prefix share it (they split the stream). */
export const predictionConsumerName = (consumerPrefix = DEFAULT_CONSUMER_PREFIX): string => `${consumerPrefix}-prediction-batches`;

export async function createMonitoringService(deps: MonitoringDeps): Promise<MonitoringServiceHandle> {
  const opts = deps.options ?? {};
  const paneMs = opts.paneMs ?? DEFAULT_PANE_MS;
  const windowMs = opts.windowMs ?? 15 * 60_000;
  const intervalMs = opts.evaluationIntervalMs ?? 15_000;
  const prefix = opts.consumerPrefix ?? DEFAULT_CONSUMER_PREFIX;
  const clock = deps.clock ?? (() => new Date());
  const gauges = createMonitoringGauges(deps.metrics);
  const binnings = new BinningCache(deps.db);
  const catalog = new VersionCatalog(deps.db, binnings, deps.registry, deps.logger);
  const hub = new AlertHub();
  const tracker = new AlertTracker(() => randomUUID());
  tracker.restore(await firingAlerts(deps.db));

  const ingestor = new PredictionIngestor(deps.db, catalog, paneMs, (model, s) => {
    gauges.predictionsConsumed.inc({ model }, s.predictions);
    if (s.duplicates > 0) gauges.duplicatesSkipped.inc({ model }, s.duplicates);
  });
  const countLabels = (ls: readonly Label[], source: 'grpc' | 'nats') => ls.forEach((l) => gauges.labelsStored.inc({ model: l.model, source }));

  const consumers: ConsumerHandle[] = [];
  let retention: Retention | undefined;
  let compaction: PaneCompaction | undefined;
  let evaluations: PeriodicRounds<EvaluationResult, Date> | undefined;
  const evaluatorDeps = { db: deps.db, bus: deps.bus, binnings, catalog, tracker, hub, gauges, rulesOf: opts.rulesOf ?? (() => DEFAULT_RULES), windowMs, logger: deps.logger };

  const evaluateNow = (now: Date = clock()): Promise<EvaluationResult> => {
    if (evaluations === undefined) return Promise.reject(new Error('the monitoring service is not started'));
    return evaluations.runNow(now);
  };

  return {
    register(server) {
      server.add(MonitoringService, monitoringHandlers({ db: deps.db, binnings, catalog, hub, clock, onLabels: countLabels }), {
        permissions: { submitLabels: 'produce', setReference: 'deploy', acknowledgeAlert: 'produce' },
      });
    },

    async start() {
      consumers.push(
        await consumeBatches(deps.bus, {
          // A batch consumer acknowledges cumulatively, which an existing per-event durable cannot switch to: a name of its own.
          name: predictionConsumerName(prefix),
          stream: 'PREDICTIONS',
          subjects: ['mlops.predictions.>'],
          schema: PredictionEventSchema,
          decode: decodePredictionEvent,
          maxBatch: CONSUMER_BATCH,
          concurrency: CONSUMER_BATCHES_IN_FLIGHT,
          handler: async (events) => {
            const { valid, rejections } = validateAll(events, (e) => validatePredictionEvent(e.message, e.subject));
            if (valid.length > 0) await ingestor.flush(valid);
            return rejections;
          },
        }),
      );
      consumers.push(
        await consumeBatches(deps.bus, {
          name: `${prefix}-label-batches`,
          stream: 'LABELS',
          subjects: ['mlops.labels.>'],
          schema: LabelSchema,
          maxBatch: CONSUMER_BATCH,
          handler: async (events) => {
            const { valid, rejections } = validateAll(events, (e) => validateLabel(e.message, 'label', modelOfSubject(e.subject)));
            if (valid.length > 0) await storeLabels(deps.db, valid);
            countLabels(valid, 'nats');
            return rejections;
          },
        }),
      );
      retention = startRetention({
        db: deps.db as Kysely<unknown>,
        rules: predictionRetentionRules(opts.predictionRetentionMs ?? DEFAULT_PREDICTION_RETENTION_MS),
        logger: deps.logger,
        metrics: deps.metrics,
      });
      compaction = startPaneCompaction({ db: deps.db, binnings, paneMs, logger: deps.logger, metrics: deps.metrics });
      // Rounds never overlap (the tracker's state machine needs them in order); an interval of 0
      // runs them only on demand (tests call evaluateNow).
      evaluations = startPeriodicRounds<EvaluationResult, Date>({
        round: (now) => evaluate(evaluatorDeps, now ?? clock()),
        intervalMs,
        onError: logRoundFailure(deps.logger, 'evaluation round failed'),
      });
    },

    evaluateNow,

    async readiness() {
      return { consumers: { ok: consumers.length === 2, ...(consumers.length === 2 ? {} : { detail: 'consumers not started' }) } };
    },

    async close() {
      await evaluations?.stop();
      await retention?.stop();
      await compaction?.stop();
      await Promise.all(consumers.splice(0).map((c) => c.stop()));
    },
  };
}

/** Splits a batch into the values that passed `check` and rejections (dead letters) for the rest. */
function validateAll<E, T>(events: readonly E[], check: (event: E) => Result<T>): { valid: T[]; rejections: BatchRejection[] } {
  const valid: T[] = [];
  const rejections: BatchRejection[] = [];
  events.forEach((event, index) => {
    const result = check(event);
    if (result.ok) valid.push(result.value);
    else rejections.push({ index, reason: result.error });
  });
  return { valid, rejections };
}

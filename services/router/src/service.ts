import { context } from '@opentelemetry/api';
import { logRoundFailure, startPeriodicRounds, startRetention, type Database, type Kysely, type PeriodicRounds, type Retention } from '@mlops/db';
import type { ConsumerHandle, EventBus } from '@mlops/events';
import type { GrpcServer } from '@mlops/grpc';
import { DeploymentEventSchema, PredictionEventSchema } from '@mlops/proto/mlops/events/v1/events_pb';
import { RouterService } from '@mlops/proto/mlops/router/v1/router_pb';
import type { ReadinessReport } from '@mlops/telemetry';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ROUTER_PERMISSIONS, routerHandlers } from './api/handlers.js';
import { createCanaryController, deploymentsSubject, type CanaryController } from './canary/controller.js';
import { createDeploymentCache } from './deployments/deployment-cache.js';
import { startRouterConsumers } from './events/consumers.js';
import { createRouterMetrics } from './metrics.js';
import { createOutcomeRecorders } from './outcomes/recorders.js';
import { outcomeRetentionRules } from './outcomes/retention.js';
import { createModelCatalog } from './predict/model-catalog.js';
import { createPredictor, implicitPlan, type PendingEvent, type ServingPlan } from './predict/predictor.js';
import { connectUpstreams, type UpstreamAddresses } from './predict/upstreams.js';
import { createEventBuffer } from './predictions/event-buffer.js';
import { createBackgroundCalls } from './shadow/background-calls.js';
import type { RouterTables } from './storage/schema.js';

export interface RouterOptions {
  /** Shadow (and, separately, divergence) calls running at once; more are shed. */
  readonly shadowConcurrency: number;
  readonly shadowDeadlineMs: number;
  /** Deadline of a canary's mirror call to the stable version (divergence measurement). */
  readonly divergenceDeadlineMs: number;
  /** Prediction events held while NATS is unreachable; beyond it the oldest are dropped (and counted). */
  readonly eventBufferCapacity: number;
  readonly canaryTickMs: number;
  /** Full reload of the deployment cache, the safety net behind DeploymentChanged events. */
  readonly deploymentRefreshMs: number;
  readonly inferenceDeadlineMs: number;
  readonly featureDeadlineMs: number;
  /** How often outcome rows are written (batched). */
  readonly outcomeFlushMs: number;
  /** Outcomes, divergences and labels older than this are deleted (canary windows and experiment reports read recent ones). */
  readonly outcomeRetentionMs: number;
}

export const DEFAULT_ROUTER_OPTIONS: RouterOptions = {
  shadowConcurrency: 64,
  shadowDeadlineMs: 2_000,
  divergenceDeadlineMs: 2_000,
  eventBufferCapacity: 10_000,
  canaryTickMs: 5_000,
  deploymentRefreshMs: 10_000,
  inferenceDeadlineMs: 5_000,
  featureDeadlineMs: 2_000,
  outcomeFlushMs: 200,
  outcomeRetentionMs: 30 * 24 * 3_600_000,
};

export interface RouterServiceDeps {
  /** Opened with `routerMigrations` in the `router` schema; the caller owns it. */
  readonly db: Database<RouterTables>;
  readonly bus: EventBus;
  readonly upstreams: UpstreamAddresses;
  readonly logger?: Logger;
  readonly metrics?: Registry;
  readonly options?: Partial<RouterOptions>;
}

export interface RouterServiceInstance {
  register(server: GrpcServer): void;
  start(): Promise<void>;
  readiness(): Promise<ReadinessReport['checks']>;
  /** The canary controller (tests drive `evaluate` instead of waiting for the timer). */
  readonly canaries: CanaryController;
  /** Stores buffered outcomes and publishes buffered prediction events (tests, shutdown). */
  flush(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export async function createRouterService(deps: RouterServiceDeps): Promise<RouterServiceInstance> {
  const options = { ...DEFAULT_ROUTER_OPTIONS, ...deps.options };
  const logger = deps.logger?.child({ component: 'router' });
  const db = deps.db.db;
  const metrics = createRouterMetrics(deps.metrics);
  const upstreams = connectUpstreams({ ...deps.upstreams, ...(deps.metrics ? { metrics: deps.metrics } : {}) });
  const catalog = createModelCatalog(upstreams.registry);
  const cache = createDeploymentCache(db);
  await cache.reloadAll();

  const recorders = createOutcomeRecorders(db, { ...(logger ? { logger } : {}), flushIntervalMs: options.outcomeFlushMs, onDrop: metrics.outcomesDropped });
  const events = createEventBuffer<PendingEvent>({
    capacity: options.eventBufferCapacity,
    publish: (e) => context.with(e.traceContext, () => deps.bus.publish(e.subject, PredictionEventSchema, e.build(), { msgId: e.msgId })),
    onDrop: () => metrics.predictionEventDropped(),
    onSizeChange: metrics.predictionEventsBuffered,
    ...(logger ? { logger } : {}),
  });
  const background = {
    shadow: createBackgroundCalls({ concurrency: options.shadowConcurrency, deadlineMs: options.shadowDeadlineMs, onOutcome: (o) => metrics.background('shadow', o) }),
    divergence: createBackgroundCalls({ concurrency: options.shadowConcurrency, deadlineMs: options.divergenceDeadlineMs, onOutcome: (o) => metrics.background('divergence', o) }),
  };

  const plan = async (model: string): Promise<ServingPlan> => {
    const deployment = cache.get(model);
    if (!deployment) return implicitPlan(await catalog.resolveAlias(model, 'production'));
    return { variants: deployment.variants, shadows: deployment.shadows, missingFeatures: deployment.missingFeatures, canary: cache.activeCanary(model) };
  };
  const predictor = createPredictor({
    plan,
    catalog,
    featureStore: upstreams.featureStore,
    inference: upstreams.inference,
    recorders,
    events,
    background,
    metrics,
    featureDeadlineMs: options.featureDeadlineMs,
    inferenceDeadlineMs: options.inferenceDeadlineMs,
    ...(logger ? { logger } : {}),
  });
  const publishDeployment = (model: string, event: Parameters<typeof deps.bus.publish<typeof DeploymentEventSchema>>[2], msgId: string) =>
    deps.bus.publish(deploymentsSubject(model), DeploymentEventSchema, event, { msgId });
  const canaries = createCanaryController({
    db,
    cache,
    catalog,
    registry: upstreams.registry,
    publish: publishDeployment,
    flushOutcomes: () => recorders.flush(),
    metrics,
    ...(logger ? { logger } : {}),
  });

  let retention: Retention | undefined;

  const timers: NodeJS.Timeout[] = [];
  let consumers: ConsumerHandle[] = [];
  let canaryTicks: PeriodicRounds<void> | undefined;

  return {
    register(server) {
      server.add(RouterService, routerHandlers({ db, predictor, cache, catalog, canaries, publishDeployment }), { permissions: ROUTER_PERMISSIONS });
    },
    async start() {
      consumers = await startRouterConsumers({ bus: deps.bus, db, cache, catalog, canaries, ...(logger ? { logger } : {}) });
      // One tick at a time: a slow database must not pile ticks up.
      canaryTicks = startPeriodicRounds({
        round: () => canaries.tick(),
        intervalMs: options.canaryTickMs,
        onError: logRoundFailure(logger, 'canary tick failed'),
      });
      timers.push(setInterval(() => void cache.reloadAll().catch((e: unknown) => logger?.warn({ err: e }, 'deployment refresh failed')), options.deploymentRefreshMs));
      for (const t of timers) t.unref();
      retention = startRetention({
        db: db as Kysely<unknown>,
        rules: outcomeRetentionRules(options.outcomeRetentionMs),
        ...(logger ? { logger } : {}),
        ...(deps.metrics ? { metrics: deps.metrics } : {}),
      });
    },
    async readiness() {
      return {
        router_prediction_events: { ok: true, detail: `${events.size} buffered, ${events.dropped} dropped` },
      };
    },
    canaries,
    async flush(timeoutMs = 5_000) {
      await recorders.flush();
      return events.flush(timeoutMs);
    },
    async close() {
      for (const t of timers) clearInterval(t);
      await retention?.stop();
      await canaryTicks?.stop();
      await Promise.all(consumers.map((c) => c.stop()));
      await Promise.all([background.shadow.close(), background.divergence.close()]);
      await events.close(2_000);
      await recorders.close();
      upstreams.close();
    },
  };
}

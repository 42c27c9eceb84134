import { addrVariable, positiveInt, z } from '@mlops/config';
import type { ServiceSpec } from '@mlops/runtime';
import { createRouterService, DEFAULT_ROUTER_OPTIONS } from './service.js';
import { routerMigrations } from './storage/migrations.js';
import type { RouterTables } from './storage/schema.js';

const d = DEFAULT_ROUTER_OPTIONS;

/** Variables only the router reads. */
export const routerConfigShape = {
  MLOPS_ROUTER_SHADOW_CONCURRENCY: positiveInt(d.shadowConcurrency),
  MLOPS_ROUTER_SHADOW_DEADLINE_MS: positiveInt(d.shadowDeadlineMs),
  MLOPS_ROUTER_DIVERGENCE_DEADLINE_MS: positiveInt(d.divergenceDeadlineMs),
  MLOPS_ROUTER_EVENT_BUFFER: positiveInt(d.eventBufferCapacity),
  MLOPS_ROUTER_CANARY_TICK_MS: positiveInt(d.canaryTickMs),
  MLOPS_ROUTER_DEPLOYMENT_REFRESH_MS: positiveInt(d.deploymentRefreshMs),
  MLOPS_ROUTER_INFERENCE_DEADLINE_MS: positiveInt(d.inferenceDeadlineMs),
  MLOPS_ROUTER_FEATURE_DEADLINE_MS: positiveInt(d.featureDeadlineMs),
  MLOPS_ROUTER_OUTCOME_FLUSH_MS: positiveInt(d.outcomeFlushMs),
  /** Outcomes, divergences and labels kept this long (default 30 days). */
  MLOPS_ROUTER_OUTCOME_RETENTION_MS: positiveInt(d.outcomeRetentionMs),
  /** Bearer token the router presents to the registry, feature store and inference when auth is on (needs 'deploy' to promote). */
  MLOPS_ROUTER_UPSTREAM_TOKEN: z.string().optional(),
};

export interface RouterConfig extends Record<string, unknown> {
  readonly MLOPS_ROUTER_SHADOW_CONCURRENCY: number;
  readonly MLOPS_ROUTER_SHADOW_DEADLINE_MS: number;
  readonly MLOPS_ROUTER_DIVERGENCE_DEADLINE_MS: number;
  readonly MLOPS_ROUTER_EVENT_BUFFER: number;
  readonly MLOPS_ROUTER_CANARY_TICK_MS: number;
  readonly MLOPS_ROUTER_DEPLOYMENT_REFRESH_MS: number;
  readonly MLOPS_ROUTER_INFERENCE_DEADLINE_MS: number;
  readonly MLOPS_ROUTER_FEATURE_DEADLINE_MS: number;
  readonly MLOPS_ROUTER_OUTCOME_FLUSH_MS: number;
  readonly MLOPS_ROUTER_OUTCOME_RETENTION_MS: number;
  readonly MLOPS_ROUTER_UPSTREAM_TOKEN?: string;
}

/** How the runtime boots the router (main.ts, the all-in-one launcher, integration tests). */
export const routerSpec: ServiceSpec<RouterTables, RouterConfig> = {
  name: 'router',
  version: '0.1.0',
  schema: 'router',
  migrations: routerMigrations,
  configShape: routerConfigShape,
  create: ({ config, logger, metrics, db, bus }) =>
    createRouterService({
      db,
      bus,
      logger,
      metrics,
      upstreams: {
        registry: config[addrVariable('registry')] as string,
        featureStore: config[addrVariable('feature-store')] as string,
        inference: config[addrVariable('inference')] as string,
        ...(config.MLOPS_ROUTER_UPSTREAM_TOKEN ? { token: config.MLOPS_ROUTER_UPSTREAM_TOKEN } : {}),
      },
      options: {
        shadowConcurrency: config.MLOPS_ROUTER_SHADOW_CONCURRENCY,
        shadowDeadlineMs: config.MLOPS_ROUTER_SHADOW_DEADLINE_MS,
        divergenceDeadlineMs: config.MLOPS_ROUTER_DIVERGENCE_DEADLINE_MS,
        eventBufferCapacity: config.MLOPS_ROUTER_EVENT_BUFFER,
        canaryTickMs: config.MLOPS_ROUTER_CANARY_TICK_MS,
        deploymentRefreshMs: config.MLOPS_ROUTER_DEPLOYMENT_REFRESH_MS,
        inferenceDeadlineMs: config.MLOPS_ROUTER_INFERENCE_DEADLINE_MS,
        featureDeadlineMs: config.MLOPS_ROUTER_FEATURE_DEADLINE_MS,
        outcomeFlushMs: config.MLOPS_ROUTER_OUTCOME_FLUSH_MS,
        outcomeRetentionMs: config.MLOPS_ROUTER_OUTCOME_RETENTION_MS,
      },
    }),
};

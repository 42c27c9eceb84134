// Boots the five services inside this process, the way services/router/src/testing/platform.ts
// does for the router's tests, plus monitoring. The demo uses it when no platform answers, and
// the end-to-end test uses it on a fresh PostgreSQL database and a private NATS namespace.
import type { EventBus } from '@mlops/events';
import { featureStoreSpec } from '@mlops/feature-store';
import { inferenceSpec } from '@mlops/inference';
import { monitoringSpec } from '@mlops/monitoring';
import { registrySpec } from '@mlops/registry';
import { routerSpec } from '@mlops/router';
import { bootService, type BootedService, type BootOptions, type ServiceSpec } from '@mlops/runtime';
import type { Logger } from '@mlops/telemetry';
import type { PlatformAddresses } from './addresses.js';

/** Short windows, so drift shows up in seconds rather than in the production default of minutes. */
export const DEMO_MONITORING_ENV = {
  MONITORING_PANE_MS: '1000',
  MONITORING_WINDOW_MS: '4000',
  MONITORING_EVALUATION_INTERVAL_MS: '1000',
} as const;

/** A canary judged every 200 ms and outcomes stored every 50 ms: step durations of 1–2 s mean something. */
export const DEMO_ROUTER_ENV = {
  MLOPS_ROUTER_CANARY_TICK_MS: '200',
  MLOPS_ROUTER_OUTCOME_FLUSH_MS: '50',
} as const;

export interface InProcessPlatformOptions {
  /** DATABASE_URL / NATS_URL / MLOPS_DATA_DIR and anything else every service reads. */
  readonly env: Record<string, string>;
  /** Shared by every service when there is no NATS (the embedded mode). */
  readonly bus?: EventBus;
  readonly natsNamespace?: string;
  /**
   * When given, services log here and do not install their own tracing, so a test's in-memory
   * exporter (one process, one tracer provider) sees every span.
   */
  readonly logger?: Logger;
  /** Variables for one service only, e.g. shorter monitoring windows. */
  readonly monitoringEnv?: Record<string, string>;
  readonly routerEnv?: Record<string, string>;
}

export interface InProcessPlatform {
  readonly addresses: PlatformAddresses;
  stop(): Promise<void>;
}

const loopback = (service: BootedService) => `127.0.0.1:${service.grpcPort}`;

export async function startInProcessPlatform(options: InProcessPlatformOptions): Promise<InProcessPlatform> {
  const booted: BootedService[] = [];
  const stop = async () => {
    // Reverse start order: the router stops sending before inference and the registry go.
    for (const service of booted.splice(0).reverse()) await service.stop(1_000);
  };
  const boot: BootOptions = {
    grpcAddress: '127.0.0.1:0',
    adminAddress: '127.0.0.1:0',
    ...(options.bus ? { bus: options.bus } : {}),
    ...(options.natsNamespace ? { natsNamespace: options.natsNamespace } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  };
  const start = async <DB, Extra extends Record<string, unknown>>(spec: ServiceSpec<DB, Extra>, env: Record<string, string>) => {
    const service = await bootService(spec, { ...boot, env: { ...options.env, ...env } });
    booted.push(service);
    return service;
  };
  try {
    const registry = await start(registrySpec, {});
    const upstream = { MLOPS_REGISTRY_ADDR: loopback(registry) };
    const featureStore = await start(featureStoreSpec, upstream);
    const inference = await start(inferenceSpec, upstream);
    const monitoring = await start(monitoringSpec, { ...upstream, ...DEMO_MONITORING_ENV, ...options.monitoringEnv });
    const router = await start(routerSpec, {
      ...upstream,
      MLOPS_FEATURE_STORE_ADDR: loopback(featureStore),
      MLOPS_INFERENCE_ADDR: loopback(inference),
      ...DEMO_ROUTER_ENV,
      ...options.routerEnv,
    });
    return {
      addresses: {
        registry: loopback(registry),
        featureStore: loopback(featureStore),
        inference: loopback(inference),
        router: loopback(router),
        monitoring: loopback(monitoring),
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

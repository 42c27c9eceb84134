import type { ConsumerHandle, EventBus } from '@mlops/events';
import type { GrpcServer } from '@mlops/grpc';
import { GRPCInferenceService } from '@mlops/proto/inference/grpc_predict_v2_pb';
import type { ServiceInstance } from '@mlops/runtime';
import type { Logger } from '@mlops/telemetry';
import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import { INFERENCE_PERMISSIONS, inferenceApi } from './api/inference-service.js';
import { createInferenceMetrics } from './metrics/inference-metrics.js';
import { ModelRepository, type LoadFailure } from './models/model-repository.js';
import type { ModelSource } from './models/model-source.js';
import type { ModelSettingsLookup } from './models/settings.js';
import { followRegistryEvents } from './registry/registry-events.js';

export interface InferenceServiceDeps {
  readonly source: ModelSource;
  readonly settings: ModelSettingsLookup;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** Registry events to follow (alias moves); without it, versions change only by RepositoryModelLoad. */
  readonly bus?: EventBus;
  /** Models to load (and warm) before the service reports ready. */
  readonly preload?: readonly string[];
  readonly maxVersionsPerModel?: number;
  /** ServerMetadata's name and version. */
  readonly serverName?: string;
  readonly serverVersion?: string;
  /** Called when a version fails to load (besides the metric and the log). */
  readonly onLoadFailure?: (failure: LoadFailure) => void;
  /** Called once `close()` has released everything (e.g. to close the registry client). */
  readonly onClose?: () => Promise<void> | void;
}

export interface InferenceService extends ServiceInstance {
  readonly repository: ModelRepository;
}

/** The inference service: the Open Inference Protocol over a model repository that follows the registry. */
export function createInferenceService(deps: InferenceServiceDeps): InferenceService {
  const logger = deps.logger.child({ component: 'inference' });
  const repository = new ModelRepository({
    source: deps.source,
    settings: deps.settings,
    metrics: createInferenceMetrics(deps.metrics),
    logger,
    ...(deps.maxVersionsPerModel !== undefined ? { maxVersionsPerModel: deps.maxVersionsPerModel } : {}),
    ...(deps.onLoadFailure ? { onLoadFailure: deps.onLoadFailure } : {}),
  });
  let consumer: ConsumerHandle | undefined;
  let closing = false;
  const preloadFailures = new Map<string, string>();

  return {
    repository,

    register(server: GrpcServer) {
      server.add(
        GRPCInferenceService,
        inferenceApi({
          repository,
          serverName: deps.serverName ?? 'mlops-inference',
          serverVersion: deps.serverVersion ?? '0.0.0',
          isReady: () => !closing,
        }),
        { permissions: INFERENCE_PERMISSIONS },
      );
    },

    async start() {
      if (deps.bus) {
        // Broadcast consumers are per instance; the id keeps two replicas' names apart in logs.
        consumer = await followRegistryEvents({
          bus: deps.bus,
          repository,
          logger,
          consumerName: `inference-${randomUUID().slice(0, 8)}`,
        });
      }
      for (const model of deps.preload ?? []) {
        const loaded = await repository.load(model);
        if (loaded.ok) preloadFailures.delete(model);
        else preloadFailures.set(model, loaded.error.message);
      }
    },

    async readiness() {
      // A preloaded model that did not load is reported, not fatal: other models still serve.
      const detail = [...preloadFailures].map(([model, reason]) => `${model}: ${reason}`).join('; ');
      return { models: detail === '' ? { ok: true } : { ok: false, detail } };
    },

    async close() {
      closing = true;
      await consumer?.stop();
      await repository.close();
      await deps.onClose?.();
    },
  };
}

import { createClient } from '@mlops/grpc';
import { RegistryService } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { positiveInt, z } from '@mlops/config';
import type { StatelessServiceSpec } from '@mlops/runtime';
import { parseModelSettings } from './models/settings.js';
import { registryModelSource } from './registry/registry-source.js';
import { createInferenceService } from './service.js';

export const INFERENCE_VERSION = '0.1.0';

/**
 * Serving settings come from the environment (JSON), not from registry tags: threads and batching
 * depend on the machine and the traffic a replica sees, they are the operator's call rather than
 * the model author's, and they are validated once at start, so a bad value stops the start
 * instead of failing a hot swap later.
 */
const configShape = {
  /** Model name (or "*") → { session, batching, maxPendingRequests, maxElementsPerTensor }; see models/settings.ts. */
  MLOPS_INFERENCE_MODELS: z
    .string()
    .refine((json) => parseModelSettings(json).ok, {
      message:
        'JSON of per-model settings, e.g. {"*": {"batching": {"maxBatchSize": 32, "maxQueueDelayUs": 500}}}',
    })
    .optional(),
  /** Comma-separated model names loaded and warmed at start. */
  MLOPS_INFERENCE_PRELOAD: z
    .string()
    .regex(/^[^,\s]+(,[^,\s]+)*$/, { message: 'comma-separated model names' })
    .optional(),
  /** Versions of one model loaded at once (the production one and versions requested by number). */
  MLOPS_INFERENCE_MAX_VERSIONS_PER_MODEL: positiveInt(3),
  /** Bearer token for the registry when it runs with MLOPS_AUTH_TOKENS (role reader is enough). */
  MLOPS_INFERENCE_REGISTRY_TOKEN: z.string().optional(),
};

export type InferenceConfig = {
  MLOPS_INFERENCE_MODELS?: string;
  MLOPS_INFERENCE_PRELOAD?: string;
  MLOPS_INFERENCE_MAX_VERSIONS_PER_MODEL: number;
  MLOPS_INFERENCE_REGISTRY_TOKEN?: string;
};

/** How the platform boots the inference service. It keeps no state of its own: no database. */
export const inferenceSpec: StatelessServiceSpec<InferenceConfig> = {
  name: 'inference',
  version: INFERENCE_VERSION,
  configShape,
  async create({ config, logger, metrics, bus }) {
    const settings = parseModelSettings(config.MLOPS_INFERENCE_MODELS);
    // Validated by the config shape already; this only narrows the type.
    if (!settings.ok) throw new Error(`MLOPS_INFERENCE_MODELS: expected ${settings.error}`);
    const registry = createClient(RegistryService, config['MLOPS_REGISTRY_ADDR'] as string, {
      metrics,
      ...(config.MLOPS_INFERENCE_REGISTRY_TOKEN ? { token: config.MLOPS_INFERENCE_REGISTRY_TOKEN } : {}),
    });
    return createInferenceService({
      source: registryModelSource(registry),
      settings: settings.value,
      logger,
      metrics,
      bus,
      preload: config.MLOPS_INFERENCE_PRELOAD?.split(',') ?? [],
      maxVersionsPerModel: config.MLOPS_INFERENCE_MAX_VERSIONS_PER_MODEL,
      serverName: 'mlops-inference',
      serverVersion: INFERENCE_VERSION,
      onClose: () => registry.close(),
    });
  },
};

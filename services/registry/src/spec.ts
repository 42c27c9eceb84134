import { join } from 'node:path';
import { positiveInt } from '@mlops/config';
import type { ServiceSpec } from '@mlops/runtime';
import { createDirectoryArtifactStore } from './artifacts/index.js';
import { DEFAULT_LIMITS } from './registry/context.js';
import { createRegistryService } from './service.js';
import { registryMigrations } from './storage/migrations.js';
import type { RegistryTables } from './storage/schema.js';

const configShape = {
  /** Largest artifact accepted, in bytes. */
  MLOPS_REGISTRY_MAX_ARTIFACT_BYTES: positiveInt(DEFAULT_LIMITS.maxArtifactBytes),
};

type RegistryConfig = { MLOPS_REGISTRY_MAX_ARTIFACT_BYTES: number };

/** How the platform boots the registry (`main.ts`, and the all-in-one launcher). */
export const registrySpec: ServiceSpec<RegistryTables, RegistryConfig> = {
  name: 'registry',
  version: '0.1.0',
  schema: 'registry',
  migrations: registryMigrations,
  configShape,
  async create({ config, logger, db, bus }) {
    return createRegistryService({
      db,
      bus,
      logger,
      artifacts: createDirectoryArtifactStore(join(config.MLOPS_DATA_DIR, 'artifacts')),
      limits: { maxArtifactBytes: config.MLOPS_REGISTRY_MAX_ARTIFACT_BYTES },
    });
  },
};

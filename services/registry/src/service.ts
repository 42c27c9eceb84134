import type { Database } from '@mlops/db';
import type { EventBus } from '@mlops/events';
import type { GrpcServer } from '@mlops/grpc';
import { RegistryService } from '@mlops/proto/mlops/registry/v1/registry_pb';
import type { ReadinessReport } from '@mlops/telemetry';
import type { Logger } from 'pino';
import { REGISTRY_PERMISSIONS, registryHandlers } from './api/handlers.js';
import type { ArtifactStore } from './artifacts/index.js';
import { startOutboxRelay, type OutboxRelay } from './events/outbox-relay.js';
import { DEFAULT_LIMITS, type RegistryContext, type RegistryLimits } from './registry/context.js';
import { createOnnxInspector, type ArtifactInspector } from './signature/index.js';
import type { RegistryTables } from './storage/schema.js';

export interface RegistryServiceDeps {
  /** Opened with `registryMigrations` in the `registry` schema. The caller owns it (and closes it). */
  readonly db: Database<RegistryTables>;
  /** Where registry events go. The caller owns it. */
  readonly bus: EventBus;
  readonly artifacts: ArtifactStore;
  readonly logger?: Logger;
  /** Default: onnxruntime in a child process. */
  readonly inspect?: ArtifactInspector;
  readonly limits?: Partial<RegistryLimits>;
  /** Retry delay of the outbox relay while the bus refuses events (default 1 s, doubling). */
  readonly outboxRetryMs?: number;
}

export interface RegistryServiceInstance {
  register(server: GrpcServer): void;
  /** Database reachable; events queued in the outbox (reported, not failing: they wait safely). */
  readiness(): Promise<ReadinessReport['checks']>;
  ready(): Promise<ReadinessReport>;
  /** Publishes what the outbox holds now (tests, shutdown). */
  flushEvents(): Promise<{ published: number; failed: boolean }>;
  /** Stops the outbox relay; unpublished events stay queued for the next start. */
  close(): Promise<void>;
}

const STALE_UPLOAD_MS = 24 * 60 * 60 * 1000;

export function createRegistryService(deps: RegistryServiceDeps): RegistryServiceInstance {
  const logger = deps.logger?.child({ component: 'registry' });
  const relay: OutboxRelay = startOutboxRelay({
    db: deps.db.db,
    bus: deps.bus,
    ...(logger ? { logger } : {}),
    ...(deps.outboxRetryMs !== undefined ? { retryMs: deps.outboxRetryMs } : {}),
  });
  const inspector = inspectorOf(deps.inspect);
  const ctx: RegistryContext = {
    db: deps.db.db,
    artifacts: deps.artifacts,
    inspect: inspector.inspect,
    limits: { ...DEFAULT_LIMITS, ...deps.limits },
    eventsCommitted: () => relay.kick(),
    ...(logger ? { logger } : {}),
  };
  // Uploads cut off by a crash leave staging files; a day is far longer than any upload.
  void deps.artifacts.sweepStaging(STALE_UPLOAD_MS).catch((err: unknown) => logger?.warn({ err }, 'could not sweep stale uploads'));

  const readiness = async (): Promise<ReadinessReport['checks']> => {
    const checks: ReadinessReport['checks'] = {};
    try {
      await deps.db.ping();
      const pending = await relay.pending();
      checks['registry_events'] = { ok: true, detail: `${pending} event(s) waiting to be published` };
    } catch (err) {
      checks['registry_database'] = { ok: false, detail: err instanceof Error ? err.message : String(err) };
    }
    return checks;
  };

  return {
    register(server) {
      server.add(RegistryService, registryHandlers(ctx), { permissions: REGISTRY_PERMISSIONS });
    },
    readiness,
    async ready() {
      const checks = await readiness();
      return { ready: Object.values(checks).every((c) => c.ok), checks };
    },
    flushEvents: () => relay.drain(),
    close: async () => {
      inspector.release();
      await relay.stop();
    },
  };
}

/** The inspector to use and how to release it: one passed in belongs to the caller, the default one (and its warm probe process) to the service. */
function inspectorOf(given: ArtifactInspector | undefined): { inspect: ArtifactInspector; release(): void } {
  if (given !== undefined) return { inspect: given, release: () => undefined };
  const own = createOnnxInspector();
  return { inspect: own, release: () => own.close() };
}

/**
 * A real environment for service tests: a fresh PostgreSQL database, a NATS namespace of its
 * own, the service on a gRPC port chosen by the OS, and a client. `dispose` removes everything.
 */
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '@mlops/db';
import { createTestDatabase } from '@mlops/db/testing';
import { STREAM_NAMES, connectNatsBus, namespacedStreamName, type NatsEventBus } from '@mlops/events';
import { createClient, createGrpcServer, type Client, type GrpcServer } from '@mlops/grpc';
import { MonitoringService } from '@mlops/proto/mlops/monitoring/v1/monitoring_pb';
import { databaseUnavailableReason, SERVICE_BUS_FAILURE_POLICY } from '@mlops/runtime';
import { createLogger } from '@mlops/telemetry';
import { connect } from 'nats';
import { Registry } from 'prom-client';
import type { RegistryLookup } from '../registry/lookup.js';
import { noRegistry } from '../registry/lookup.js';
import { createMonitoringService, type MonitoringOptions, type MonitoringServiceHandle } from '../service.js';
import { monitoringMigrations } from '../storage/migrations.js';
import type { MonitoringTables } from '../storage/schema.js';

export const NATS_URL = process.env['TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';

export interface TestEnvironment {
  readonly dbUrl: string;
  readonly namespace: string;
  dispose(): Promise<void>;
}

export async function createTestEnvironment(): Promise<TestEnvironment> {
  const database = await createTestDatabase();
  const namespace = `mon_${randomBytes(5).toString('hex')}`;
  return {
    dbUrl: database.url,
    namespace,
    async dispose() {
      const nc = await connect({ servers: NATS_URL });
      try {
        const jsm = await nc.jetstreamManager();
        for (const s of STREAM_NAMES) await jsm.streams.delete(namespacedStreamName(s, namespace)).catch(() => undefined);
      } finally {
        await nc.close();
      }
      await database.drop();
    },
  };
}

export interface RunningMonitoring {
  readonly service: MonitoringServiceHandle;
  readonly client: Client<typeof MonitoringService>;
  readonly bus: NatsEventBus;
  readonly database: Database<MonitoringTables>;
  readonly metrics: Registry;
  stop(): Promise<void>;
}

export async function startMonitoring(
  env: TestEnvironment,
  /** `databaseUrl` replaces the environment's (a proxy in front of it, say). */
  opts: { registry?: RegistryLookup; options?: MonitoringOptions; clock?: () => Date; databaseUrl?: string } = {},
): Promise<RunningMonitoring> {
  const logger = createLogger({ service: 'monitoring-test', level: 'silent' });
  const metrics = new Registry();
  const database = await openDatabase<MonitoringTables>({ schema: 'monitoring', migrations: monitoringMigrations, url: opts.databaseUrl ?? env.dbUrl });
  // The failure policy and UNAVAILABLE mapping every service gets from bootService.
  const bus = await connectNatsBus({ url: NATS_URL, name: 'monitoring-test', namespace: env.namespace, ...SERVICE_BUS_FAILURE_POLICY });
  const service = await createMonitoringService({
    db: database.db,
    bus,
    logger,
    metrics,
    registry: opts.registry ?? noRegistry,
    ...(opts.clock ? { clock: opts.clock } : {}),
    options: { evaluationIntervalMs: 0, ...opts.options },
  });
  const server: GrpcServer = createGrpcServer({ service: 'monitoring-test', logger, unavailableReason: databaseUnavailableReason });
  service.register(server);
  const port = await server.listen('127.0.0.1:0');
  await service.start();
  const client = createClient(MonitoringService, `127.0.0.1:${port}`);
  return {
    service,
    client,
    bus,
    database,
    metrics,
    async stop() {
      client.close();
      await server.shutdown(0);
      await service.close();
      await bus.close();
      await database.close();
    },
  };
}

export { waitFor } from '@mlops/events/testing';

import { commonShape, loadConfig, serviceAddressShape, SERVICES, addrVariable, adminAddrVariable, type EnvSource, type ServiceName, type z } from '@mlops/config';
import { openDatabase, type Database } from '@mlops/db';
import { connectNatsBus, createInProcessBus, type EventBus } from '@mlops/events';
import { createGrpcServer, parseAuthTokens, type GrpcServer } from '@mlops/grpc';
import {
  createLogger,
  createMetricsRegistry,
  initTracing,
  startAdminServer,
  type AdminServer,
  type Logger,
  type ReadinessReport,
} from '@mlops/telemetry';
import type { Migration } from 'kysely';
import type { Registry } from 'prom-client';
import { databaseUnavailableReason, SERVICE_BUS_FAILURE_POLICY } from './failure-policy.js';

type CommonConfig = z.infer<z.ZodObject<typeof commonShape>>;
type AddressConfig = Record<string, string>;

/** What a stateless service needs from the platform. */
export interface StatelessServiceDeps<Extra> {
  readonly config: CommonConfig & AddressConfig & Extra;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly bus: EventBus;
}

/** What a service with its own schema needs from the platform; `create<Name>Service(deps)` receives this. */
export interface ServiceDeps<DB, Extra> extends StatelessServiceDeps<Extra> {
  readonly db: Database<DB>;
}

/** What a service gives back: its gRPC handlers, its background work and its health. */
export interface ServiceInstance {
  /** Adds the service's gRPC implementations to the server. */
  register(server: GrpcServer): void;
  /** Starts consumers and background loops; called once the gRPC server listens. */
  start?(): Promise<void>;
  /** Extra readiness checks (the database and the bus are checked already). */
  readiness?(): Promise<ReadinessReport['checks']>;
  /** Stops background work; in-flight RPCs have drained when this is called. */
  close(): Promise<void>;
}

interface ServiceSpecBase {
  readonly name: ServiceName;
  readonly version: string;
  /** Variables only this service reads (validated with the common ones, in one pass). */
  readonly configShape?: z.ZodRawShape;
}

/** A service that keeps state in its own PostgreSQL schema. */
export interface StatefulServiceSpec<DB, Extra> extends ServiceSpecBase {
  readonly schema: string;
  readonly migrations: Record<string, Migration>;
  create(deps: ServiceDeps<DB, Extra>): Promise<ServiceInstance>;
}

/** A service with no database (inference: its state is the registry's). */
export interface StatelessServiceSpec<Extra> extends ServiceSpecBase {
  readonly schema?: undefined;
  create(deps: StatelessServiceDeps<Extra>): Promise<ServiceInstance>;
}

export type ServiceSpec<DB, Extra extends Record<string, unknown>> = StatefulServiceSpec<DB, Extra> | StatelessServiceSpec<Extra>;

export interface BootOptions {
  readonly env?: EnvSource;
  /** Overrides the listen addresses (tests pass "127.0.0.1:0"). */
  readonly grpcAddress?: string;
  readonly adminAddress?: string;
  /** A bus shared by services running in one process (the all-in-one mode without nats-server). */
  readonly bus?: EventBus;
  /** Prefix of every NATS subject and stream, so parallel tests share one nats-server safely. */
  readonly natsNamespace?: string;
  readonly logger?: Logger;
}

export interface BootedService {
  readonly name: ServiceName;
  readonly grpcPort: number;
  readonly adminPort: number;
  readonly logger: Logger;
  /** Graceful stop: NOT_SERVING, drain RPCs, stop background work, close connections. */
  stop(graceMs?: number): Promise<void>;
}

const splitHostPort = (address: string): { host: string; port: number } => {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(address.slice(i + 1)) };
};

/**
 * Builds and starts one service. Every resource opened is closed again if a later step fails,
 * so a failed start leaves nothing behind (tests boot and stop services many times per process).
 */
export async function bootService<DB, Extra extends Record<string, unknown>>(
  spec: ServiceSpec<DB, Extra>,
  options: BootOptions = {},
): Promise<BootedService> {
  const env = options.env ?? process.env;
  const config = loadConfig({ ...commonShape, ...serviceAddressShape(), ...(spec.configShape ?? {}) }, env) as ServiceDeps<
    DB,
    Extra
  >['config'];
  const service = `mlops-${spec.name}`;
  const logger = options.logger ?? createLogger({ service, level: config.LOG_LEVEL });
  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) {
      await fn().catch((err: unknown) => logger.error({ err }, 'error during shutdown'));
    }
    cleanups.length = 0;
  };

  try {
    if (!options.logger) {
      const tracing = initTracing({ service, version: spec.version, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
      cleanups.push(() => tracing.shutdown());
    }
    const metrics = createMetricsRegistry({ service });

    let db: Database<DB> | undefined;
    if (spec.schema !== undefined) {
      const opened = await openDatabase<DB>({
        schema: spec.schema,
        migrations: spec.migrations,
        url: config.DATABASE_URL,
        dataDir: config.MLOPS_DATA_DIR,
        logger,
      });
      db = opened;
      cleanups.push(() => opened.close());
    }

    let bus: EventBus;
    if (options.bus) {
      bus = options.bus;
    } else if (config.NATS_URL) {
      bus = await connectNatsBus({
        url: config.NATS_URL,
        name: service,
        logger,
        metrics,
        ...SERVICE_BUS_FAILURE_POLICY,
        ...(options.natsNamespace ? { namespace: options.natsNamespace } : {}),
      });
      cleanups.push(() => bus.close());
    } else {
      logger.warn('NATS_URL is not set: events stay inside this process (in-process bus)');
      bus = createInProcessBus({ logger, metrics, ...SERVICE_BUS_FAILURE_POLICY });
      cleanups.push(() => bus.close());
    }

    const instance =
      spec.schema !== undefined ? await spec.create({ config, logger, metrics, db: db!, bus }) : await spec.create({ config, logger, metrics, bus });
    cleanups.push(() => instance.close());

    const server = createGrpcServer({
      service,
      logger,
      metrics,
      unavailableReason: databaseUnavailableReason,
      ...(config.MLOPS_AUTH_TOKENS ? { auth: parseAuthTokens(config.MLOPS_AUTH_TOKENS) } : {}),
    });
    instance.register(server);
    const grpcAddress = options.grpcAddress ?? (config[addrVariable(spec.name)] as string) ?? `127.0.0.1:${SERVICES[spec.name].grpcPort}`;
    const grpcPort = await server.listen(grpcAddress);
    cleanups.push(() => server.shutdown(0));

    const adminAddress = splitHostPort(options.adminAddress ?? (config[adminAddrVariable(spec.name)] as string));
    const admin: AdminServer = await startAdminServer({
      host: adminAddress.host,
      port: adminAddress.port,
      metrics,
      logger,
      readiness: async () => {
        const checks: ReadinessReport['checks'] = {};
        if (db) {
          checks['database'] = await db.ping().then(
            () => ({ ok: true }),
            (err: unknown) => ({ ok: false, detail: String(err) }),
          );
        }
        Object.assign(checks, (await instance.readiness?.()) ?? {});
        return { ready: Object.values(checks).every((c) => c.ok), checks };
      },
    });
    cleanups.push(() => admin.close());

    await instance.start?.();
    logger.info({ grpcPort, adminPort: admin.port, database: db?.kind ?? 'none' }, `${service} listening`);

    let stopping: Promise<void> | undefined;
    return {
      name: spec.name,
      grpcPort,
      adminPort: admin.port,
      logger,
      stop(graceMs = 10_000) {
        stopping ??= (async () => {
          logger.info('shutting down: draining in-flight calls');
          // Drain RPCs first (with the grace period) so handlers still have their database and bus.
          await server.shutdown(graceMs);
          await cleanup();
          logger.info('stopped');
        })();
        return stopping;
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/**
 * `main.ts` of every service: boots it, and on SIGTERM or SIGINT drains and exits.
 * A configuration error exits with code 2 and a message naming the variable.
 */
export async function runService<DB, Extra extends Record<string, unknown>>(spec: ServiceSpec<DB, Extra>): Promise<void> {
  let booted: BootedService;
  try {
    booted = await bootService(spec);
  } catch (err) {
    if (err instanceof Error && err.name === 'ConfigError') {
      console.error(err.message);
      process.exit(2);
    }
    console.error(`mlops-${spec.name} failed to start:`, err);
    process.exit(1);
  }
  const onSignal = (signal: NodeJS.Signals) => {
    booted.logger.info({ signal }, 'signal received');
    booted.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        booted.logger.error({ err }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

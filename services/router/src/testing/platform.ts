import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { createTestDatabase, type TestDatabase } from '@mlops/db/testing';
import { connectNatsBus, deleteNamespacedStreams, type EventBus } from '@mlops/events';
import { featureStoreSpec } from '@mlops/feature-store';
import { createClient, type Client } from '@mlops/grpc';
import { inferenceSpec } from '@mlops/inference';
import { FeatureStoreService } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { RegistryService, type CreateVersionRequestSchema, type LineageSchema } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { RouterService } from '@mlops/proto/mlops/router/v1/router_pb';
import { registrySpec } from '@mlops/registry';
import { bootService, type ServiceSpec } from '@mlops/runtime';
import { pino } from 'pino';
import { routerSpec } from '../spec.js';
import { spawnServiceProcess, type ProcessServiceName } from './processes.js';
import { testNatsUrl as natsUrl } from '@mlops/events/testing';

export { testNatsUrl as natsUrl } from '@mlops/events/testing';

/** Every service the router needs, over loopback (in this process or one process each), on a fresh database and NATS namespace. */
export interface PlatformUnderTest {
  readonly natsNamespace: string;
  readonly registry: Client<typeof RegistryService>;
  readonly featureStore: Client<typeof FeatureStoreService>;
  readonly router: Client<typeof RouterService>;
  /** A bus in the platform's namespace, for the test's own consumers and for publishing as monitoring. */
  readonly bus: EventBus;
  readonly routerAdminPort: number;
  /** The inference service's gRPC address, for calling it directly (benchmarks compare against it). */
  readonly inferenceAddress: string;
  /** The feature store's gRPC address (benchmarks time the feature hop on its own). */
  readonly featureStoreAddress: string;
  /** Each service's process id when it runs in a process of its own (benchmarks read its CPU time). */
  readonly processIds: Partial<Record<ProcessServiceName, number>>;
  uploadVersion(model: string, onnx: Uint8Array, lineage: MessageInitShape<typeof LineageSchema>): Promise<bigint>;
  close(): Promise<void>;
}

function* upload(model: string, bytes: Uint8Array, lineage: MessageInitShape<typeof LineageSchema>): Generator<MessageInitShape<typeof CreateVersionRequestSchema>> {
  yield { part: { case: 'header', value: { model, lineage } } };
  const chunk = 1 << 20;
  for (let offset = 0; offset < bytes.length; offset += chunk) yield { part: { case: 'chunk', value: bytes.subarray(offset, offset + chunk) } };
}

export interface PlatformOptions {
  /**
   * Each service in a node process of its own, as deployed (benchmarks), instead of all of them in
   * this process (tests: faster to boot, and a failure shows in one stack).
   */
  readonly processes?: boolean;
  /** Extra node flags per service when `processes` is set (e.g. --cpu-prof for the router). */
  readonly execArgv?: Partial<Record<ProcessServiceName, readonly string[]>>;
}

/** A started service, wherever it runs. */
interface StartedService {
  readonly pid?: number;
  readonly grpcPort: number;
  readonly adminPort: number;
  stop(): Promise<void>;
}

export async function startPlatform(routerEnv: Record<string, string> = {}, platformOptions: PlatformOptions = {}): Promise<PlatformUnderTest> {
  const cleanups: Array<() => Promise<void> | void> = [];
  const close = async () => {
    for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch((e: unknown) => console.error('cleanup failed', e));
    cleanups.length = 0;
  };
  try {
    const database: TestDatabase = await createTestDatabase();
    cleanups.push(() => database.drop());
    const dataDir = await mkdtemp(join(tmpdir(), 'router-e2e-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const natsNamespace = `rt${randomBytes(5).toString('hex')}`;
    cleanups.push(async () => void (await deleteNamespacedStreams(natsUrl(), natsNamespace)));
    const logLevel = process.env['TEST_LOG_LEVEL'] ?? 'silent';
    const logger = pino({ level: logLevel });
    const common = { DATABASE_URL: database.url, NATS_URL: natsUrl(), MLOPS_DATA_DIR: dataDir, LOG_LEVEL: logLevel };
    const boot = { natsNamespace, grpcAddress: '127.0.0.1:0', adminAddress: '127.0.0.1:0', logger };
    const started: StartedService[] = [];
    const processIds: Partial<Record<ProcessServiceName, number>> = {};
    cleanups.push(async () => {
      for (const service of started.reverse()) await service.stop();
    });
    const start = async <DB, Extra extends Record<string, unknown>>(name: ProcessServiceName, spec: ServiceSpec<DB, Extra>, env: Record<string, string>) => {
      const execArgv = platformOptions.execArgv?.[name];
      const service: StartedService = platformOptions.processes
        ? await spawnServiceProcess(name, { env, natsNamespace, ...(execArgv ? { execArgv } : {}) })
        : await bootService(spec, { ...boot, env }).then((b) => ({ grpcPort: b.grpcPort, adminPort: b.adminPort, stop: () => b.stop(1_000) }));
      started.push(service);
      if (service.pid !== undefined) processIds[name] = service.pid;
      return service;
    };

    const registry = await start('registry', registrySpec, common);
    const addresses = { MLOPS_REGISTRY_ADDR: `127.0.0.1:${registry.grpcPort}` };
    const featureStore = await start('feature-store', featureStoreSpec, { ...common, ...addresses });
    const inference = await start('inference', inferenceSpec, { ...common, ...addresses });
    const router = await start('router', routerSpec, {
      ...common,
      ...addresses,
      MLOPS_FEATURE_STORE_ADDR: `127.0.0.1:${featureStore.grpcPort}`,
      MLOPS_INFERENCE_ADDR: `127.0.0.1:${inference.grpcPort}`,
      MLOPS_ROUTER_CANARY_TICK_MS: '200',
      MLOPS_ROUTER_OUTCOME_FLUSH_MS: '50',
      ...routerEnv,
    });

    const options = { defaultDeadlineMs: 60_000 };
    const registryClient = createClient(RegistryService, `127.0.0.1:${registry.grpcPort}`, options);
    const featureStoreClient = createClient(FeatureStoreService, `127.0.0.1:${featureStore.grpcPort}`, options);
    const routerClient = createClient(RouterService, `127.0.0.1:${router.grpcPort}`, options);
    cleanups.push(() => {
      registryClient.close();
      featureStoreClient.close();
      routerClient.close();
    });
    const bus = await connectNatsBus({ url: natsUrl(), name: 'router-e2e', namespace: natsNamespace });
    cleanups.push(() => bus.close());

    return {
      natsNamespace,
      registry: registryClient,
      featureStore: featureStoreClient,
      router: routerClient,
      bus,
      routerAdminPort: router.adminPort,
      inferenceAddress: `127.0.0.1:${inference.grpcPort}`,
      featureStoreAddress: `127.0.0.1:${featureStore.grpcPort}`,
      processIds,
      async uploadVersion(model, onnx, lineage) {
        const created = await registryClient.createVersion(upload(model, onnx, lineage));
        return created.version!.version;
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

export { waitFor } from '@mlops/events/testing';

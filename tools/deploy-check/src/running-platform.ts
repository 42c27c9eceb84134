import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ServiceName } from '@mlops/config';
import { createTestDatabase } from '@mlops/db/testing';
import { featureStoreSpec } from '@mlops/feature-store';
import { inferenceSpec } from '@mlops/inference';
import { monitoringSpec } from '@mlops/monitoring';
import { registrySpec } from '@mlops/registry';
import { routerSpec } from '@mlops/router';
import { bootService, type BootedService } from '@mlops/runtime';
import { connect } from 'nats';
import { pino } from 'pino';

export const natsUrl = (): string => process.env['TEST_NATS_URL']?.trim() || 'nats://127.0.0.1:4222';

export interface RunningPlatform {
  readonly services: ReadonlyMap<ServiceName, BootedService>;
  close(): Promise<void>;
}

/**
 * The five services booted the way `main.ts` boots them (bootService), on a fresh database and
 * NATS namespace, loopback and free ports: what the deployed containers expose, observed for real.
 */
export async function startRunningPlatform(): Promise<RunningPlatform> {
  const cleanups: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const fn of cleanups.reverse())
      await fn().catch((err: unknown) => console.error('cleanup failed', err));
    cleanups.length = 0;
  };
  try {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const dataDir = await mkdtemp(join(tmpdir(), 'deploy-check-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const natsNamespace = `dc${randomBytes(5).toString('hex')}`;
    cleanups.push(() => deleteNamespacedStreams(natsNamespace));

    const logger = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
    const boot = { natsNamespace, grpcAddress: '127.0.0.1:0', adminAddress: '127.0.0.1:0', logger };
    const env = {
      DATABASE_URL: database.url,
      NATS_URL: natsUrl(),
      MLOPS_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    };
    const services = new Map<ServiceName, BootedService>();
    cleanups.push(async () => {
      for (const s of [...services.values()].reverse()) await s.stop(1_000);
    });
    services.set('registry', await bootService(registrySpec, { ...boot, env }));
    const dial = { ...env, MLOPS_REGISTRY_ADDR: `127.0.0.1:${services.get('registry')!.grpcPort}` };
    services.set('feature-store', await bootService(featureStoreSpec, { ...boot, env: dial }));
    services.set('inference', await bootService(inferenceSpec, { ...boot, env: dial }));
    services.set(
      'router',
      await bootService(routerSpec, {
        ...boot,
        env: {
          ...dial,
          MLOPS_FEATURE_STORE_ADDR: `127.0.0.1:${services.get('feature-store')!.grpcPort}`,
          MLOPS_INFERENCE_ADDR: `127.0.0.1:${services.get('inference')!.grpcPort}`,
        },
      }),
    );
    services.set('monitoring', await bootService(monitoringSpec, { ...boot, env: dial }));
    return { services, close };
  } catch (err) {
    await close();
    throw err;
  }
}

async function deleteNamespacedStreams(namespace: string): Promise<void> {
  const nc = await connect({ servers: natsUrl() });
  try {
    const jsm = await nc.jetstreamManager();
    for await (const info of jsm.streams.list()) {
      if (info.config.name.startsWith(namespace.toUpperCase())) await jsm.streams.delete(info.config.name);
    }
  } finally {
    await nc.close();
  }
}

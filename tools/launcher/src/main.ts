// `npm start`: brings the platform up on one machine. Embedded defaults: PGlite under
// MLOPS_DATA_DIR (./.mlops) and a private nats-server with JetStream when one is on the PATH;
// DATABASE_URL and NATS_URL switch to real servers. Ctrl-C stops everything cleanly.
import { addrVariable, adminAddrVariable, commonShape, loadConfig, serviceAddressShape, type ServiceName } from '@mlops/config';
import { createInProcessBus } from '@mlops/events';
import { bootService, SERVICE_BUS_FAILURE_POLICY, type BootedService } from '@mlops/runtime';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { spawnService, type ServiceProcess } from './children.js';
import { findNatsServer, startLocalNats, type LocalNats } from './nats-server.js';
import { LAUNCHABLE } from './services.js';
import { smokeCheck } from './smoke.js';
import { waitForReady } from './wait.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const out = (line = '') => process.stdout.write(line + '\n');

async function main(): Promise<void> {
  const config = loadConfig({ ...commonShape, ...serviceAddressShape() });
  const dataDir = resolve(config.MLOPS_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });

  out('MLOps platform: starting');
  out(`  database: ${config.DATABASE_URL ? redact(config.DATABASE_URL) : `embedded PGlite in ${dataDir}/pglite`}`);

  let nats: LocalNats | undefined;
  let natsUrl = config.NATS_URL;
  const natsBinary = natsUrl ? undefined : findNatsServer();
  if (!natsUrl && natsBinary) {
    nats = await startLocalNats(natsBinary, dataDir);
    natsUrl = nats.url;
    out(`  events:   local nats-server with JetStream at ${natsUrl} (data in ${dataDir}/nats)`);
  } else if (natsUrl) {
    out(`  events:   NATS at ${natsUrl}`);
  } else {
    out('  events:   no nats-server on the PATH and no NATS_URL: services run in this process on the');
    out('            in-process bus (install nats-server for the production layout)');
  }

  const addresses = {
    grpc: (name: ServiceName) => config[addrVariable(name) as keyof typeof config] as string,
    admin: (name: ServiceName) => config[adminAddrVariable(name) as keyof typeof config] as string,
  };
  const grpc: Record<string, string> = {};
  const children: ServiceProcess[] = [];
  const inProcess: BootedService[] = [];

  let stopped: Promise<void> | undefined;
  const stopAll = () => (stopped ??= stopEverything());
  const stopEverything = async () => {
    out('\nstopping…');
    // Every service drains its own in-flight calls; NATS goes last so their final acks land.
    await Promise.all([
      ...children.map(async (child) => {
        const code = await child.stop();
        out(`  ${child.name} stopped${code ? ` (exit ${code})` : ''}`);
      }),
      ...inProcess.map(async (svc) => {
        await svc.stop();
        out(`  ${svc.name} stopped`);
      }),
    ]);
    await nats?.stop();
    if (nats) out('  nats-server stopped');
  };
  // Ctrl-C reaches the launcher more than once (the terminal, and tsx relaying it): every signal
  // joins the one graceful stop instead of killing the launcher before its services are down.
  const onSignal = () => void stopAll().then(() => process.exit(0));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    if (natsUrl) {
      // All at once: each service retries the others until they answer, so start order is free
      // and the platform is up as soon as its slowest service is.
      const env = { ...process.env, NATS_URL: natsUrl, MLOPS_DATA_DIR: dataDir };
      const started = LAUNCHABLE.map((service) => ({ service, child: spawnService(service, repoRoot, env, dataDir) }));
      children.push(...started.map((s) => s.child));
      await Promise.all(
        started.map(async ({ service, child }) => {
          const admin = addresses.admin(service.name);
          await waitForReady(`http://${admin}/readyz`, 180_000, child.exited).catch((err: Error) => {
            throw new Error(`${service.name} did not become ready: ${err.message}\n  see its log: ${child.logFile}`);
          });
          grpc[service.name] = addresses.grpc(service.name);
          out(`  ✓ ${service.name.padEnd(13)} gRPC ${grpc[service.name]}  admin http://${admin}  (log ${child.logFile})`);
        }),
      );
    } else {
      const bus = createInProcessBus(SERVICE_BUS_FAILURE_POLICY);
      for (const service of LAUNCHABLE) {
        const booted = await bootService(await service.loadSpec(), {
          bus,
          env: { ...process.env, MLOPS_DATA_DIR: dataDir },
        });
        inProcess.push(booted);
        grpc[service.name] = `127.0.0.1:${booted.grpcPort}`;
        out(`  ✓ ${service.name.padEnd(13)} gRPC ${grpc[service.name]}  admin http://127.0.0.1:${booted.adminPort}`);
      }
    }

    out('\nChecking the platform answers:');
    for (const line of await smokeCheck(grpc)) out(`  ${line}`);
    out('\nReady. Next:');
    out('  metrics:  curl http://127.0.0.1:9465/metrics');
    out('  explore:  grpcurl -plaintext 127.0.0.1:50051 list');
    out('  stop:     Ctrl-C');
  } catch (err) {
    process.stderr.write(`\nstart failed: ${(err as Error).message}\n`);
    await stopAll();
    process.exit(1);
  }
}

const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');

await main();

// `npm run demo`: the churn scenario end to end, narrated.
//
// By default it boots its own platform in this process, because the drift stage needs monitoring
// on short windows (seconds) and the router judging canaries every 200 ms; a platform from
// `npm start` runs on production defaults (a 15-minute window evaluated every 15 s), where a
// drift takes minutes to alert. `--use-running` uses that platform instead (default addresses,
// NATS_URL required); its drift stage then waits a bounded time and says why it gave up.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectNatsBus, createInProcessBus, type EventBus } from '@mlops/events';
import { isRpcError, status } from '@mlops/grpc';
import { createLogger, initTracing } from '@mlops/telemetry';
import { connect } from 'nats';
import { pino } from 'pino';
import { narrate, summarize } from './narration.js';
import { defaultAddresses, type PlatformAddresses } from './platform/addresses.js';
import { startInProcessPlatform } from './platform/in-process.js';
import { answeringServices, connectPlatform, type PlatformClients } from './scenario/platform-clients.js';
import { runScenario, STAGE_TITLES, type StageName } from './scenario/scenario.js';

const out = (line = '') => process.stdout.write(`${line}\n`);
const env = (name: string) => process.env[name]?.trim() || undefined;

interface Platform {
  readonly description: string[];
  readonly addresses: PlatformAddresses;
  readonly bus: EventBus;
  /** How long a canary or a drift wave may take. */
  readonly stageTimeoutMs: number;
  stop(): Promise<void>;
}

/** A platform of our own: PGlite and the in-process bus, or DATABASE_URL / NATS_URL when set. */
async function bootOwnPlatform(logFile: string): Promise<Platform> {
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch((e: unknown) => console.error('cleanup failed:', e));
  };
  const databaseUrl = env('DATABASE_URL');
  const natsUrl = env('NATS_URL');
  const dataDir = await mkdtemp(join(tmpdir(), 'mlops-demo-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const logger = createLogger({ service: 'mlops-platform', level: env('LOG_LEVEL') ?? 'info', destination: pino.destination({ dest: logFile, sync: false }) });
  try {
    // Its own NATS namespace: a shared nats-server (or a running platform's) is left untouched.
    const namespace = `demo${randomBytes(4).toString('hex')}`;
    let bus: EventBus;
    if (natsUrl) {
      bus = await connectNatsBus({ url: natsUrl, name: 'mlops-demo', namespace });
      cleanups.push(async () => {
        await bus.close();
        await deleteStreams(natsUrl, namespace);
      });
    } else {
      bus = createInProcessBus({ logger });
      cleanups.push(() => bus.close());
    }
    const platform = await startInProcessPlatform({
      env: { MLOPS_DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...(natsUrl ? { NATS_URL: natsUrl } : {}) },
      ...(natsUrl ? { natsNamespace: namespace } : { bus }),
      logger,
    });
    cleanups.push(() => platform.stop());
    return {
      description: [
        'booted the platform in this process (registry, feature store, inference, monitoring, router)',
        `  database: ${databaseUrl ? 'PostgreSQL from DATABASE_URL' : `embedded PGlite in ${dataDir}`}`,
        `  events:   ${natsUrl ? `NATS JetStream at ${natsUrl}, namespace ${namespace}` : 'the in-process bus (set NATS_URL for JetStream)'}`,
        '  monitoring: 1 s panes, a 4 s window evaluated every second; canaries judged every 200 ms',
        `  service logs: ${logFile}`,
      ],
      addresses: platform.addresses,
      bus,
      stageTimeoutMs: 90_000,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function deleteStreams(natsUrl: string, namespace: string): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    for await (const info of jsm.streams.list()) if (info.config.name.startsWith(namespace.toUpperCase())) await jsm.streams.delete(info.config.name);
  } finally {
    await nc.close();
  }
}

/** The platform `npm start` runs, at the default (or MLOPS_<SERVICE>_ADDR) addresses. */
async function useRunningPlatform(): Promise<Platform> {
  const addresses = defaultAddresses();
  const { up, down } = await answeringServices(addresses);
  if (down.length > 0) throw new Error(`--use-running: ${down.join(', ')} did not answer a health check (${up.length} of 5 did); start the platform with \`npm start\``);
  const natsUrl = env('NATS_URL');
  if (!natsUrl) throw new Error('--use-running: set NATS_URL to the NATS the platform uses (`npm start` prints it): the demo streams features and labels there');
  const bus = await connectNatsBus({ url: natsUrl, name: 'mlops-demo' });
  return {
    description: [`using the running platform (${Object.values(addresses).join(', ')}), NATS at ${natsUrl}`, '  its monitoring runs on its own windows: the drift stage waits at most 2 minutes per wave'],
    addresses,
    bus,
    stageTimeoutMs: 120_000,
    stop: () => bus.close(),
  };
}

/** "churn", or a fresh name when the registry already has one (a shared database, a running platform). */
async function modelName(clients: PlatformClients): Promise<string> {
  try {
    await clients.registry.getModel({ name: 'churn' });
  } catch (e) {
    if (isRpcError(e) && e.code === status.NOT_FOUND) return 'churn';
    throw e;
  }
  return `churn-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;
}

async function main(): Promise<number> {
  const useRunning = process.argv.includes('--use-running');
  const started = performance.now();
  // One tracer provider for the demo and, when it boots them, the services; OTLP when configured.
  const tracing = initTracing({ service: 'mlops-demo', version: '0.1.0', otlpEndpoint: env('OTEL_EXPORTER_OTLP_ENDPOINT') });
  out('MLOps platform demo: churn prediction from training to automatic rollback\n');
  const platform = useRunning ? await useRunningPlatform() : await bootOwnPlatform(join(tmpdir(), `mlops-demo-${process.pid}.log`));
  for (const line of platform.description) out(line);
  const clients = connectPlatform(platform.addresses, platform.bus);
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    out('\ninterrupted: stopping the platform…');
    void Promise.allSettled([platform.stop(), tracing.shutdown()]).then(() => process.exit(130));
  });
  try {
    const model = await modelName(clients);
    const stages = Object.keys(STAGE_TITLES) as StageName[];
    const result = await runScenario(
      clients,
      { model, stageTimeoutMs: platform.stageTimeoutMs },
      {
        onStageStart: (stage, title) => out(`\n[${stages.indexOf(stage) + 1}/${stages.length}] ${title}`),
        onStage: (report) => narrate(report).forEach((line) => out(`    ${line}`)),
        progress: (line) => out(`  · ${line}`),
      },
    );
    if (interrupted) return 130;
    if (!result.ok) {
      out(`\nthe demo stopped at "${STAGE_TITLES[result.stage]}": ${result.error.message}`);
      return 1;
    }
    out(`\nSummary (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    const jaeger = env('OTEL_EXPORTER_OTLP_ENDPOINT') ? (env('JAEGER_UI_URL') ?? 'http://localhost:16686') : undefined;
    for (const line of summarize(result.value, jaeger)) out(`  ${line}`);
    // Alerts that never came are a failure of the demo only on a platform we configured ourselves.
    return result.value.drift.alerted || useRunning ? 0 : 1;
  } finally {
    clients.close();
    if (!interrupted) {
      await platform.stop();
      await tracing.shutdown();
    }
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);

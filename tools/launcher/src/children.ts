import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { SERVICE_NODE_FLAGS } from '@mlops/runtime';
import type { LaunchableService } from './services.js';

const require = createRequire(import.meta.url);

export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  exited(): boolean;
  stop(): Promise<number | null>;
}

/**
 * Runs a service as its own process, exactly as in production (its own port and telemetry name);
 * its JSON logs go to `<dataDir>/logs/<service>.log` so the terminal stays readable.
 */
export function spawnService(
  service: LaunchableService,
  repoRoot: string,
  env: NodeJS.ProcessEnv,
  dataDir: string,
): ServiceProcess {
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${service.name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const tsxLoader = require.resolve('tsx');
  const child = spawn(
    process.execPath,
    [...SERVICE_NODE_FLAGS, '--conditions=@mlops/source', '--import', tsxLoader, resolve(repoRoot, service.entry)],
    { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exit = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return {
    name: service.name,
    child,
    logFile,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const code = await exit;
      log.end();
      return code;
    },
  };
}

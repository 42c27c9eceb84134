#!/usr/bin/env node
// Launcher for `npx mlops`: runs the TypeScript sources through tsx with the @mlops/source
// condition, so the CLI works right after `npm ci` with no build step. It only passes
// arguments, stdio, signals and the exit code through; everything else lives in src/.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');

const child = spawn(process.execPath, ['--conditions=@mlops/source', '--import', tsx, entry, ...process.argv.slice(2)], {
  stdio: 'inherit',
});

// Ctrl-C reaches the child too (same process group); the launcher waits for it to finish
// instead of dying first and leaving the terminal to a still-running child.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}

child.on('error', (err) => {
  console.error(`mlops: could not start node: ${err.message}`);
  process.exit(1);
});

child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});

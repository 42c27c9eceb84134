import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { ExitCode } from './framework/exit-codes.js';
import { captureIo } from './testing/capture-io.js';

/** A local port nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const mlops = async (argv: string[], env: Record<string, string> = {}) => {
  const { io, stdout, stderr } = captureIo({ env });
  const code = await runCli(argv, io);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
};

describe('mlops usage errors', () => {
  it('exits 2 with the right usage line when an argument is missing', async () => {
    const result = await mlops(['models', 'register', 'churn']);
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.stderr).toBe(
      'error: missing argument FILE.onnx\nusage: mlops models register NAME FILE.onnx [options]\nRun `mlops models register --help` for details.\n',
    );
    expect(result.stdout).toBe('');
  });

  it('exits 2 for an unknown flag, naming it', async () => {
    const result = await mlops(['models', 'alias', 'churn', 'production', '3', '--gates', 'auc >= 0.9']);
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.stderr).toMatch(/^error: unknown option --gates\nusage: mlops models alias NAME ALIAS VERSION \[options\]\n/);
  });

  it('exits 2 when a value has the wrong form, before calling any service', async () => {
    const notNumber = await mlops(['models', 'alias', 'churn', 'production', 'latest']);
    expect(notNumber.code).toBe(ExitCode.Usage);
    expect(notNumber.stderr).toContain('VERSION must be a whole number, got "latest"');
    const badMetric = await mlops(['models', 'register', 'churn', 'm.onnx', '--metric', 'auc=high']);
    expect(badMetric.code).toBe(ExitCode.Usage);
    expect(badMetric.stderr).toContain('--metric auc must be a number, got "high"');
  });

  it('checks predict\'s exact form: MODEL --entity KEY [--feature k=v ...]', async () => {
    const noEntity = await mlops(['predict', 'churn']);
    expect(noEntity.code).toBe(ExitCode.Usage);
    expect(noEntity.stderr).toContain('usage: mlops predict MODEL [options]');
    const badFeature = await mlops(['predict', 'churn', '--entity', 'c-1', '--feature', 'age']);
    expect(badFeature.code).toBe(ExitCode.Usage);
    expect(badFeature.stderr).toContain('--feature expects KEY=VALUE, got "age"');
  });

  it('suggests the closest command for a typo', async () => {
    const result = await mlops(['modles', 'list']);
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.stderr).toContain('unknown command "modles" (did you mean "models"?)');
  });

  it('prints help on stdout and exits 0 for --help at every level', async () => {
    const top = await mlops(['--help']);
    expect(top.code).toBe(ExitCode.Ok);
    expect(top.stdout).toContain('MLOPS_TOKEN');
    const group = await mlops(['models', '--help']);
    expect(group.stdout).toMatch(/^\s+register\s+upload an \.onnx file/m);
    const command = await mlops(['models', 'alias', '--help']);
    expect(command.code).toBe(ExitCode.Ok);
    expect(command.stdout).toMatch(/^usage: mlops models alias NAME ALIAS VERSION \[options\]$/m);
    expect(command.stdout).toMatch(/--gate EXPR\s+a condition the version must meet \(repeatable\)/);
  });

  it('exits 2 naming the variable when an address variable is malformed', async () => {
    const result = await mlops(['models', 'list'], { MLOPS_REGISTRY_ADDR: 'registry' });
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.stderr).toContain('MLOPS_REGISTRY_ADDR: expected host:port');
  });
});

describe('mlops against an address nothing listens on', () => {
  it('exits 4 and names the variable that holds the address', async () => {
    const port = await closedPort();
    const result = await mlops(['models', 'list'], { MLOPS_REGISTRY_ADDR: `127.0.0.1:${port}` });
    expect(result.code).toBe(ExitCode.Unavailable);
    expect(result.stderr).toContain(`the registry at 127.0.0.1:${port} is unavailable`);
    expect(result.stderr).toContain('MLOPS_REGISTRY_ADDR');
    expect(result.stderr).toContain('npm start');
  });

  it('names the variable of the service the command needed (the router for predict)', async () => {
    const port = await closedPort();
    const result = await mlops(['predict', 'churn', '--entity', 'c-1'], { MLOPS_ROUTER_ADDR: `127.0.0.1:${port}` });
    expect(result.code).toBe(ExitCode.Unavailable);
    expect(result.stderr).toContain('MLOPS_ROUTER_ADDR');
  });

  it('passes the exit code through the bin launcher', async () => {
    const port = await closedPort();
    const bin = fileURLToPath(new URL('../bin/mlops.js', import.meta.url));
    const child = spawn(process.execPath, [bin, 'models', 'list'], {
      env: { ...process.env, MLOPS_REGISTRY_ADDR: `127.0.0.1:${port}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).toContain('MLOPS_REGISTRY_ADDR');
    expect(code).toBe(ExitCode.Unavailable);
  });
});

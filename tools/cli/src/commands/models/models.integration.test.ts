// The models commands against a real registry (real PostgreSQL, real NATS), booted in this
// process on port 0 with its own database, NATS namespace and artifact directory.
import { deleteNamespacedStreams } from '@mlops/events';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@mlops/db/testing';
import { buildLinearModel } from '@mlops/model-builders';
import { registrySpec } from '@mlops/registry';
import { bootService, type BootedService } from '@mlops/runtime';
import { createLogger } from '@mlops/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli.js';
import { ExitCode } from '../../framework/exit-codes.js';
import { captureIo } from '../../testing/capture-io.js';

const natsUrl = process.env['TEST_NATS_URL']?.trim() || 'nats://127.0.0.1:4222';

describe('mlops models against a real registry', () => {
  let database: TestDatabase;
  let registry: BootedService;
  let workDir: string;
  let env: Record<string, string>;

  const natsNamespace = `cli${randomBytes(5).toString('hex')}`;

  beforeAll(async () => {
    database = await createTestDatabase();
    workDir = await mkdtemp(join(tmpdir(), 'mlops-cli-it-'));
    registry = await bootService(registrySpec, {
      env: { DATABASE_URL: database.url, NATS_URL: natsUrl, MLOPS_DATA_DIR: join(workDir, 'data'), LOG_LEVEL: 'silent' },
      grpcAddress: '127.0.0.1:0',
      adminAddress: '127.0.0.1:0',
      natsNamespace,
      logger: createLogger({ service: 'mlops-registry-cli-test', level: 'silent' }),
    });
    env = { MLOPS_REGISTRY_ADDR: `127.0.0.1:${registry.grpcPort}` };
    const model = (bias: number) => buildLinearModel({ weights: [[0.5], [-0.25]], bias: [bias], activation: 'sigmoid' });
    await writeFile(join(workDir, 'v1.onnx'), model(0.1));
    await writeFile(join(workDir, 'v2.onnx'), model(0.2));
  });

  afterAll(async () => {
    await registry?.stop(0);
    await deleteNamespacedStreams(natsUrl, natsNamespace);
    await database?.drop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  const mlops = async (...argv: string[]) => {
    const { io, stdout, stderr } = captureIo({ env, cwd: workDir });
    const code = await runCli(argv, io);
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  };

  it('registers versions (creating the model), moves an alias through gates and lists the result', async () => {
    const first = await mlops('models', 'register', 'churn', 'v1.onnx', '--metric', 'auc=0.91', '--feature-ref', 'customer:age', '--feature-ref', 'customer:tenure', '--param', 'lr=0.1');
    expect(first).toMatchObject({ code: ExitCode.Ok, stdout: 'version 1\n' });
    expect(first.stderr).toContain('created model churn');
    expect(first.stderr).toMatch(/uploading v1\.onnx: done/);

    const second = await mlops('models', 'register', 'churn', 'v2.onnx', '--metric', 'auc=0.88', '--param', 'lr=0.05');
    expect(second).toMatchObject({ code: ExitCode.Ok, stdout: 'version 2\n' });
    expect(second.stderr).not.toContain('created model');

    expect(await mlops('models', 'alias', 'churn', 'production', '1', '--gate', 'auc >= 0.9')).toMatchObject({
      code: ExitCode.Ok,
      stdout: 'churn@production -> version 1 (was unset)\n',
    });

    // Version 2 is worse than production by more than the gate allows: refused, alias unchanged.
    const refused = await mlops('models', 'alias', 'churn', 'production', '2', '--gate', 'auc >= production.auc - 0.005');
    expect(refused.code).toBe(ExitCode.Failed);
    expect(refused.stderr).toMatch(/^error: .*auc/);
    expect(refused.stdout).toBe('');

    const listed = await mlops('models', 'list', '--json');
    expect(listed.code).toBe(ExitCode.Ok);
    const json = JSON.parse(listed.stdout) as { models: Array<{ name: string; latestVersion: string; aliases: Record<string, string> }> };
    expect(json.models).toEqual([expect.objectContaining({ name: 'churn', latestVersion: '2', aliases: { production: '1' } })]);

    const table = await mlops('models', 'list');
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+LATEST\s+ALIASES\s+STATUS\s+UPDATED$/);
    expect(table.stdout).toMatch(/churn\s+2\s+production=1\s+active/);

    const diff = await mlops('models', 'diff', 'churn', 'production', '2', '--json');
    const changes = (JSON.parse(diff.stdout) as { changes: Array<{ field: string; delta?: number }> }).changes;
    expect(changes.find((c) => c.field === 'metric auc')?.delta).toBeCloseTo(-0.03);
    expect(changes.map((c) => c.field)).toContain('param lr');

    const shown = await mlops('models', 'show', 'churn@production');
    expect(shown.stdout).toMatch(/^version:\s+1$/m);
    expect(shown.stdout).toMatch(/^features:\s+customer:age, customer:tenure$/m);
  });

  it('exits 3 for a model that does not exist', async () => {
    const result = await mlops('models', 'show', 'no-such-model');
    expect(result.code).toBe(ExitCode.NotFound);
    expect(result.stderr).toMatch(/^error: not found: /);
  });

  it('exits 2 naming the file when the .onnx file does not exist', async () => {
    const result = await mlops('models', 'register', 'churn', 'missing.onnx');
    expect(result).toMatchObject({ code: ExitCode.Usage, stderr: 'error: missing.onnx: no such file\n' });
  });
});

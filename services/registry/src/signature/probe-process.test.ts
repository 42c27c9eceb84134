import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@mlops/events/testing';
import { buildLogisticRegression } from '@mlops/model-builders';
import { createProbePool, type ProbePool } from './probe-process.js';

const onnxruntimeEntry = createRequire(import.meta.url).resolve('onnxruntime-node');

let model: string;
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'registry-probe-'));
  model = join(dir, 'model.onnx');
  await writeFile(model, buildLogisticRegression({ weights: [1, 2], bias: 0 }));
});
afterAll(async () => {
  await rm(join(model, '..'), { recursive: true, force: true });
});

/** This process's onnxruntime probe processes that are alive (a killed one becomes a zombie without a command line). */
async function probeProcesses(): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parent !== process.pid) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('InferenceSession')) pids.push(Number(name));
  }
  return pids;
}

/** A new pool and the spare process it starts ahead of its first artifact. */
async function poolWithSpare(timeoutMs = 60_000): Promise<{ pool: ProbePool; spare: number }> {
  const before = new Set(await probeProcesses());
  const pool = createProbePool(onnxruntimeEntry, timeoutMs);
  const spare = await waitFor(async () => (await probeProcesses()).find((pid) => !before.has(pid)), 'the spare probe process');
  return { pool, spare };
}

const inputNames = (result: Awaited<ReturnType<ProbePool['probe']>>) =>
  result.ok ? (result.value.ok ? result.value.inputs.map((i) => i.name) : result.value.error) : result.error;

describe.runIf(process.platform === 'linux')('probe processes', () => {
  it('probe artifacts one after another and side by side', async () => {
    const { pool } = await poolWithSpare();
    try {
      const results = [await pool.probe(model), await pool.probe(model), ...(await Promise.all([1, 2, 3].map(() => pool.probe(model))))];
      expect(results.map(inputNames)).toEqual(Array(5).fill(['features']));
    } finally {
      pool.close();
    }
  });

  it('replace a spare that died while idle instead of refusing the artifact', async () => {
    const { pool, spare } = await poolWithSpare();
    try {
      // Warm, as a spare is when an upload comes: onnxruntime loaded, its threads started.
      await waitFor(async () => (await readFile(`/proc/${spare}/maps`, 'utf8')).includes('libonnxruntime'), 'the spare to load onnxruntime');
      process.kill(spare, 'SIGKILL');
      // Dead before this process's event loop can notice, so the pool still takes it for a live
      // spare. While its last threads exit, its stdin can still accept the path: only the probe
      // itself can tell that the path never arrived.
      while (!/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${spare}/stat`, 'utf8')));
      expect(inputNames(await pool.probe(model))).toEqual(['features']);
    } finally {
      pool.close();
    }
  });

  it('stop on close; a closed pool still probes, in a process of its own', async () => {
    const { pool, spare } = await poolWithSpare();
    pool.close();
    await waitFor(async () => !(await probeProcesses()).includes(spare), 'the spare to exit');
    expect(inputNames(await pool.probe(model))).toEqual(['features']);
  });

  it('refuse an artifact that takes longer than the timeout to load, with the reason', async () => {
    const { pool } = await poolWithSpare(1);
    try {
      expect(inputNames(await pool.probe(model))).toBe('the artifact took longer than 1 ms to load');
    } finally {
      pool.close();
    }
  });

  /** A stand-in for onnxruntime whose session creation does `create` (the probe's own error paths). */
  const fakeOnnxruntime = async (name: string, create: string): Promise<string> => {
    const path = join(model, '..', `${name}.cjs`);
    await writeFile(path, `exports.InferenceSession = { create: async () => { ${create} } };`);
    return path;
  };

  it('run the artifact in a fresh process when its probe died without reading the path its stdin took', async () => {
    // The first process to load this stand-in (the pool's spare) dies the moment the path is in
    // its pipe, before the probe script can read it: the write succeeded, the path never arrived,
    // as with a process killed while its last threads still hold the pipe. Later ones are onnxruntime.
    const standIn = join(model, '..', 'dies-unread.cjs');
    await writeFile(
      standIn,
      `const fs = require('node:fs');
      if (fs.existsSync(__filename + '.used')) module.exports = require(${JSON.stringify(onnxruntimeEntry)});
      else {
        fs.writeFileSync(__filename + '.used', '');
        process.stdin.once('readable', () => process.kill(process.pid, 'SIGKILL'));
        process.stdin.on = function () { return this; };
      }`,
    );
    const pool = createProbePool(standIn, 60_000);
    try {
      expect(inputNames(await pool.probe(model))).toEqual(['features']);
    } finally {
      pool.close();
    }
  });

  it.each([
    ['killed by a signal the registry did not send', 'process.kill(process.pid, "SIGKILL")', 'the onnxruntime probe was killed (SIGKILL) while loading the artifact, usually for running out of memory'],
    ['crashed in native code', 'process.abort()', 'the artifact crashed onnxruntime (SIGABRT)'],
    ['exited without an answer', 'console.error("native failure\\nat frame"); process.exit(3)', 'the onnxruntime probe exited with code 3: native failure'],
  ])('say why when the probe is %s', async (name, create, reason) => {
    const pool = createProbePool(await fakeOnnxruntime(name.replaceAll(' ', '-'), create), 60_000);
    try {
      expect(inputNames(await pool.probe(model))).toBe(reason);
    } finally {
      pool.close();
    }
  });
});

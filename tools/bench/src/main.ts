// `npm run bench [--dry] [name…]`: runs the benchmarks (all, or those named), merges their results
// into docs/benchmarks.json and rewrites docs/benchmarks.md from it. `--dry` prints the figures and
// writes nothing (for trying a change while the machine is busy: only a quiet run goes in the docs).
//
// Each benchmark runs in a node process of its own (this file again, with `--one <name> <result
// file>`): in one shared process a benchmark would measure with the heap, timers and connections
// the ones before it left behind (a 200 MiB model buffer awaiting collection, say), and the same
// benchmark gave different ratios alone and in a full run. Baseline and target of one benchmark
// still share its process and its run.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICE_NODE_FLAGS } from '@mlops/runtime';
import { calibrate } from './calibration.js';
import { renderReport } from './report.js';
import type { Benchmark, BenchmarkResult } from './result.js';
import { BENCHMARKS } from './benchmarks/index.js';

const docs = fileURLToPath(new URL('../../../docs/', import.meta.url));
const jsonPath = `${docs}benchmarks.json`;
const mdPath = `${docs}benchmarks.md`;

const args = process.argv.slice(2);
const oneAt = args.indexOf('--one');
if (oneAt >= 0) {
  const [name, resultPath] = [args[oneAt + 1], args[oneAt + 2]];
  const bench = BENCHMARKS.find((b) => b.name === name);
  if (!bench || !resultPath) throw new Error(`--one takes a benchmark name and a result file, got ${name} ${resultPath}`);
  const startedAt = new Date().toISOString();
  const calibrationMs = calibrate();
  const result: BenchmarkResult = { ...(await bench.run()), calibrationMs, startedAt };
  writeFileSync(resultPath, JSON.stringify(result));
  // Whatever a benchmark leaves open (a pool's idle timer, say) must not keep its process alive.
  process.exit(0);
}

/**
 * Runs one benchmark in a fresh node process with this process's loader flags and the node flags
 * services run with in production (it hosts the service it measures, and its baselines); its result.
 */
async function runIsolated(bench: Benchmark): Promise<BenchmarkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-result-'));
  const resultPath = join(dir, 'result.json');
  try {
    const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, ...process.execArgv, fileURLToPath(import.meta.url), '--one', bench.name, resultPath], {
      stdio: 'inherit',
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode, signal) => resolve(signal ? 128 : exitCode));
    });
    if (code !== 0) throw new Error(`benchmark ${bench.name} failed (its process exited with ${code})`);
    return JSON.parse(readFileSync(resultPath, 'utf8')) as BenchmarkResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const dry = args.includes('--dry');
const wanted = args.filter((a) => a !== '--dry');
const unknown = wanted.filter((w) => !BENCHMARKS.some((b) => b.name === w));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  process.exit(2);
}
const selected = wanted.length ? BENCHMARKS.filter((b) => wanted.includes(b.name)) : BENCHMARKS;

const previous: BenchmarkResult[] = existsSync(jsonPath) ? JSON.parse(readFileSync(jsonPath, 'utf8')) : [];
const results = new Map(previous.map((r) => [r.name, r]));
let failedTargets = 0;
for (const bench of selected) {
  console.log(`▶ ${bench.name}`);
  const result = await runIsolated(bench);
  results.set(bench.name, result);
  if (result.calibrationMs !== undefined) console.log(`  (machine speed: the calibration workload took ${result.calibrationMs.toFixed(0)} ms)`);
  for (const f of result.figures) {
    const ratio = f.ratio !== undefined ? ` (${f.ratio.toFixed(2)}× ${f.baseline?.label})` : '';
    const target = f.target ? ` target ${f.target.text}: ${f.target.met ? 'met' : 'MISSED'}` : '';
    console.log(`  ${f.label}: ${f.value.toFixed(3)} ${f.unit}${ratio}${target}`);
    if (f.target && !f.target.met) failedTargets++;
  }
}
if (dry) {
  console.log(`\n--dry: nothing written${failedTargets ? ` — ${failedTargets} target(s) missed` : ''}`);
  process.exit(0);
}
const ordered = BENCHMARKS.map((b) => results.get(b.name)).filter((r): r is BenchmarkResult => r !== undefined);
writeFileSync(jsonPath, JSON.stringify(ordered, null, 2) + '\n');
writeFileSync(mdPath, renderReport(ordered, new Date()));
console.log(`\nwrote ${mdPath}${failedTargets ? ` — ${failedTargets} target(s) missed` : ''}`);

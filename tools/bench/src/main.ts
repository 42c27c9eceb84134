// `npm run bench [--dry] [name…]`: runs the benchmarks (all, or those named), merges their results
// into docs/benchmarks.json and rewrites docs/benchmarks.md from it. `--dry` prints the figures and
// writes nothing (for trying a change while the machine is busy: only a quiet run goes in the docs).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderReport } from './report.js';
import type { BenchmarkResult } from './result.js';
import { BENCHMARKS } from './benchmarks/index.js';

const docs = fileURLToPath(new URL('../../../docs/', import.meta.url));
const jsonPath = `${docs}benchmarks.json`;
const mdPath = `${docs}benchmarks.md`;

const args = process.argv.slice(2);
const dry = args.includes('--dry');
const wanted = args.filter((a) => a !== '--dry');
const unknown = wanted.filter((w) => !BENCHMARKS.some((b) => b.name === w));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  process.exit(2);
}
const selected = wanted.length ? BENCHMARKS.filter((b) => wanted.includes(b.name)) : BENCHMARKS;

const startedAt = new Date();
const previous: BenchmarkResult[] = existsSync(jsonPath) ? JSON.parse(readFileSync(jsonPath, 'utf8')) : [];
const results = new Map(previous.map((r) => [r.name, r]));
let failedTargets = 0;
for (const bench of selected) {
  console.log(`▶ ${bench.name}`);
  const result = await bench.run();
  results.set(bench.name, result);
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
writeFileSync(mdPath, renderReport(ordered, startedAt));
console.log(`\nwrote ${mdPath}${failedTargets ? ` — ${failedTargets} target(s) missed` : ''}`);

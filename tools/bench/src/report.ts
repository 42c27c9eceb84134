import { cpus, totalmem } from 'node:os';
import { SERVICE_NODE_FLAGS } from '@mlops/runtime';
import type { BenchmarkResult, Figure } from './result.js';

const fmt = (n: number): string =>
  Math.abs(n) >= 1000 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : Math.abs(n) >= 0.1 ? n.toFixed(3) : n.toPrecision(3);

const row = (f: Figure): string =>
  `| ${f.label} | ${fmt(f.value)} ${f.unit} | ${f.baseline ? `${f.baseline.label}: ${fmt(f.baseline.value)} ${f.unit}` : '—'} | ${
    f.ratio !== undefined ? `${f.ratio.toFixed(2)}×` : '—'
  } | ${f.target ? `${f.target.text} ${f.target.met ? '✅' : '❌'}` : '—'} |`;

/** Renders docs/benchmarks.md: every figure with its baseline, ratio, target, and the machine it ran on. */
export function renderReport(results: readonly BenchmarkResult[], writtenAt: Date): string {
  const cpu = cpus();
  const lines = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (tools/bench). Every target is a ratio against a baseline measured in the',
    'same run, under the same conditions (where the load comes from a process of its own, the baseline is',
    'called from that process too), so the figures travel between machines better than absolute numbers do.',
    'Each benchmark runs in a fresh node process, so none measures with what an earlier one left behind,',
    `with the node flags services run with (${SERVICE_NODE_FLAGS.join(' ')}; baselines in that process share them).`,
    'On a 2-core virtual machine they still move between quiet runs (a latency ratio by up to ±0.4×): compare',
    'several runs before concluding that a change helped. Absolute figures (rows/s, events/s) move more,',
    "with the machine's speed: each benchmark notes how long a fixed CPU-bound workload (tools/bench",
    'src/calibration.ts) took in its process just before it ran; twice that time means a machine twice',
    'as slow, not a slower change.',
    '',
    `- written: ${writtenAt.toISOString()} (a run of some benchmarks keeps the others' last results; each notes when it ran)`,
    `- machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${process.platform} ${process.arch}`,
    `- node ${process.version}`,
    '',
  ];
  for (const r of results) {
    lines.push(`## ${r.name}`, '', `Issue: ${r.issue}`, '', '| figure | value | baseline | ratio | target |', '| --- | --- | --- | --- | --- |');
    for (const f of r.figures) lines.push(row(f));
    const notes = [...(r.notes ?? []), ...(r.calibrationMs !== undefined ? [`${r.startedAt ? `Ran ${r.startedAt}; machine` : 'Machine'} speed when it started: the calibration workload took ${r.calibrationMs.toFixed(0)} ms.`] : [])];
    if (notes.length) lines.push('', ...notes.map((n) => `- ${n}`));
    lines.push('');
  }
  return lines.join('\n');
}

/** Summary statistics of latency samples (milliseconds). */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly mean: number;
}

/** Nearest-rank percentile of an ascending-sorted array; `p` in [0, 100]. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('percentile of no samples');
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((s, x) => s + x, 0) / sorted.length,
  };
}

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

/** Runs `fn` sequentially: `warmup` unmeasured calls, then `iterations` timed ones. */
export async function sequentialLatency(fn: () => Promise<unknown>, iterations: number, warmup = 200): Promise<LatencySummary> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = new Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const start = nowMs();
    await fn();
    samples[i] = nowMs() - start;
  }
  return summarize(samples);
}

/** Calls `fn` from `concurrency` loops until `total` calls completed; returns calls per second and latencies. */
export async function concurrentThroughput(
  fn: () => Promise<unknown>,
  concurrency: number,
  total: number,
): Promise<{ perSecond: number; latency: LatencySummary }> {
  let issued = 0;
  const samples: number[] = [];
  const start = nowMs();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < total) {
        issued++;
        const t = nowMs();
        await fn();
        samples.push(nowMs() - t);
      }
    }),
  );
  const elapsedMs = nowMs() - start;
  return { perSecond: (samples.length / elapsedMs) * 1000, latency: summarize(samples) };
}

/** Alternates rounds of `a` and `b` so both see the same machine conditions; returns per-round results. */
export async function interleave<A, B>(rounds: number, a: () => Promise<A>, b: () => Promise<B>): Promise<{ a: A[]; b: B[] }> {
  const as: A[] = [];
  const bs: B[] = [];
  for (let i = 0; i < rounds; i++) {
    as.push(await a());
    bs.push(await b());
  }
  return { a: as, b: bs };
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

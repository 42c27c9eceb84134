import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { tallyCounter, tallyHistogram } from './tallies.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];
const OBSERVED = [0.0005, 0.001, 0.002, 0.05, 0.05, 0.5, 3, 0];

/** The exposition lines of a registry, sorted: label order inside braces is prom-client's, compared as sets. */
const lines = async (registry: Registry): Promise<string[]> =>
  (await registry.metrics())
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/\{([^}]*)\}/, (_, inner: string) => `{${inner.split(',').sort().join(',')}}`))
    .sort();

describe('tally metrics', () => {
  it('expose what prom-client exposes for the same counts and observations', async () => {
    const reference = new Registry();
    const refCounter = new Counter({
      name: 'calls_total',
      help: 'Calls.',
      labelNames: ['method', 'code'],
      registers: [reference],
    });
    const refHistogram = new Histogram({
      name: 'call_seconds',
      help: 'Call time.',
      labelNames: ['method'],
      buckets: BUCKETS,
      registers: [reference],
    });
    const tallied = new Registry();
    const counter = tallyCounter(tallied, {
      name: 'calls_total',
      help: 'Calls.',
      labelNames: ['method', 'code'],
    });
    const histogram = tallyHistogram(tallied, {
      name: 'call_seconds',
      help: 'Call time.',
      labelNames: ['method'],
      buckets: BUCKETS,
    });

    const ok = counter.series({ method: 'Echo', code: 'OK' });
    const failed = counter.series({ method: 'Echo', code: 'INTERNAL' });
    ok.inc();
    ok.inc(2);
    failed.inc();
    refCounter.inc({ method: 'Echo', code: 'OK' }, 3);
    refCounter.inc({ method: 'Echo', code: 'INTERNAL' });
    const echo = histogram.series({ method: 'Echo' });
    const other = histogram.series({ method: 'Other' });
    for (const v of OBSERVED) {
      echo.observe(v);
      refHistogram.observe({ method: 'Echo' }, v);
    }
    other.observe(0.01);
    refHistogram.observe({ method: 'Other' }, 0.01);

    expect(await lines(tallied)).toEqual(await lines(reference));
    expect(await tallied.getSingleMetricAsString('call_seconds')).toContain(
      'call_seconds_bucket{method="Echo",le="0.001"} 3',
    );
    expect(await tallied.getSingleMetricAsString('call_seconds')).toContain(
      'call_seconds_bucket{method="Echo",le="+Inf"} 8',
    );
  });

  it('hands the same metric back on a shared registry, and every binding of a label set counts into one series', async () => {
    const registry = new Registry();
    const spec = { name: 'events_total', help: 'Events.', labelNames: ['stream'] as const };
    const first = tallyCounter(registry, spec);
    expect(tallyCounter(registry, spec)).toBe(first);
    first.series({ stream: 'a' }).inc();
    tallyCounter(registry, spec).series({ stream: 'a' }).inc(4);
    expect(await registry.getSingleMetricAsString('events_total')).toContain('events_total{stream="a"} 5');
  });

  it('refuses wrong labels, a counter going down, a non-finite observation and unordered buckets', () => {
    const registry = new Registry();
    const counter = tallyCounter(registry, { name: 'c_total', help: 'C.', labelNames: ['a'] });
    expect(() => counter.series({ b: 'x' } as never)).toThrow('c_total: labels ["b"] do not match ["a"]');
    const pair = tallyCounter(registry, { name: 'pair_total', help: 'P.', labelNames: ['a', 'b'] });
    expect(() => pair.series({ a: 'x' } as never)).toThrow('pair_total: labels ["a"] do not match ["a","b"]');
    expect(() => counter.series({ a: 'x' }).inc(-1)).toThrow('a counter only goes up; got -1');
    const histogram = tallyHistogram(registry, { name: 'h', help: 'H.', labelNames: [], buckets: [1, 2] });
    expect(() => histogram.series({}).observe(Number.NaN)).toThrow(
      'a histogram observes finite numbers; got NaN',
    );
    expect(() =>
      tallyHistogram(new Registry(), { name: 'h', help: 'H.', labelNames: [], buckets: [2, 1] }),
    ).toThrow('h: buckets must be finite and ascending, got [2,1]');
  });

  it('reset zeroes every series and keeps them', async () => {
    const registry = new Registry();
    const histogram = tallyHistogram(registry, { name: 'h', help: 'H.', labelNames: ['m'], buckets: [1] });
    histogram.series({ m: 'x' }).observe(0.5);
    registry.resetMetrics();
    const text = await registry.getSingleMetricAsString('h');
    expect(text).toContain('h_bucket{m="x",le="1"} 0');
    expect(text).toContain('h_count{m="x"} 0');
  });
});

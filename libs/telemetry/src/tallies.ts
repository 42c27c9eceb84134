import type { Metric, MetricValueWithName, Registry } from 'prom-client';

// Counters and histograms for paths that run once per RPC or per event. prom-client hashes a call's
// label object on every inc/observe (sort, join, map lookup), which costs a small RPC more than the
// counting itself. Here a series is bound to its labels once, counts in plain numbers, and
// Prometheus reads the totals when it scrapes: the same exposition, nothing computed per call but
// an addition. Series are never dropped (as with prom-client), so labels must stay bounded.

type Labels<L extends string> = Readonly<Record<L, string>>;

/** One counter series: its labels were bound when it was made. */
export interface CounterSeries {
  inc(by?: number): void;
}

/** One histogram series. */
export interface HistogramSeries {
  observe(value: number): void;
}

interface CounterTotal {
  readonly labels: Labels<string>;
  value: number;
}

interface HistogramTotal {
  readonly labels: Labels<string>;
  /** Per bucket (not cumulative); the last slot counts values above the highest bound. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/** What prom-client's Registry reads from `get()`: a metric's series, histograms' as their _bucket, _sum and _count lines. */
export interface TallySnapshot {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly aggregator: 'sum';
  readonly values: MetricValueWithName<string>[];
}

/**
 * The members prom-client's Registry reads of a metric (exposition, JSON, reset, cluster merge),
 * and the totals of its series by label set.
 */
abstract class TallyMetric<Total extends { readonly labels: Labels<string> }> {
  readonly aggregator = 'sum' as const;
  protected readonly totals = new Map<string, Total>();

  constructor(
    public name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  abstract readonly type: 'counter' | 'histogram';
  abstract get(): Promise<TallySnapshot>;
  abstract reset(): void;

  /** The totals of `labels`, made by `make` on first use; refuses labels the metric was not declared with. */
  protected totalOf(labels: Labels<string>, make: (labels: Labels<string>) => Total): Total {
    const given = Object.keys(labels);
    if (given.length !== this.labelNames.length || given.some((name) => !this.labelNames.includes(name)))
      throw new Error(
        `${this.name}: labels ${JSON.stringify(given)} do not match ${JSON.stringify(this.labelNames)}`,
      );
    const key = this.labelNames.map((name) => labels[name]).join('\u0000');
    let total = this.totals.get(key);
    if (total === undefined) this.totals.set(key, (total = make({ ...labels })));
    return total;
  }
}

// The Registry types its metrics as prom-client's own classes; it reads only what TallyMetric has.
const register = <M extends TallyMetric<CounterTotal> | TallyMetric<HistogramTotal>>(
  registry: Registry,
  metric: M,
): M => {
  registry.registerMetric(metric as unknown as Metric);
  return metric;
};

export class TallyCounter<L extends string> extends TallyMetric<CounterTotal> {
  readonly type = 'counter' as const;

  /** The series of `labels`, made on first use. Bind it once and keep it: that is the point. */
  series(labels: Labels<L>): CounterSeries {
    const t = this.totalOf(labels, (own) => ({ labels: own, value: 0 }));
    return {
      inc(by = 1) {
        if (!(by >= 0)) throw new Error(`a counter only goes up; got ${by}`);
        t.value += by;
      },
    };
  }

  async get(): Promise<TallySnapshot> {
    const values = [...this.totals.values()].map((t) => ({ labels: { ...t.labels }, value: t.value }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    for (const t of this.totals.values()) t.value = 0;
  }
}

export class TallyHistogram<L extends string> extends TallyMetric<HistogramTotal> {
  readonly type = 'histogram' as const;

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    /** Upper bounds, ascending (prom-client's `le`); +Inf is implied. */
    readonly buckets: readonly number[],
  ) {
    super(name, help, labelNames);
    if (buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]!)))
      throw new Error(`${name}: buckets must be finite and ascending, got ${JSON.stringify(buckets)}`);
  }

  series(labels: Labels<L>): HistogramSeries {
    const t = this.totalOf(labels, (own) => ({
      labels: own,
      counts: new Float64Array(this.buckets.length + 1),
      sum: 0,
      count: 0,
    }));
    const bounds = this.buckets;
    return {
      observe(value) {
        if (!Number.isFinite(value)) throw new Error(`a histogram observes finite numbers; got ${value}`);
        let i = 0;
        while (i < bounds.length && value > bounds[i]!) i++;
        t.counts[i]!++;
        t.sum += value;
        t.count++;
      },
    };
  }

  async get(): Promise<TallySnapshot> {
    const bucketName = `${this.name}_bucket`;
    const values: MetricValueWithName<string>[] = [];
    for (const t of this.totals.values()) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += t.counts[i]!;
        values.push({ labels: { ...t.labels, le }, value: cumulative, metricName: bucketName });
      });
      values.push(
        { labels: { ...t.labels, le: '+Inf' }, value: t.count, metricName: bucketName },
        { labels: { ...t.labels }, value: t.sum, metricName: `${this.name}_sum` },
        { labels: { ...t.labels }, value: t.count, metricName: `${this.name}_count` },
      );
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    for (const t of this.totals.values()) {
      t.counts.fill(0);
      t.sum = 0;
      t.count = 0;
    }
  }
}

/**
 * The counter `spec.name` of `registry`, created on first use. Several servers, clients or buses
 * may share a registry (the all-in-one launcher, tests), and prom-client refuses a name twice:
 * create it once per registry and hand the existing one back afterwards.
 */
export function tallyCounter<L extends string>(
  registry: Registry,
  spec: { name: string; help: string; labelNames: readonly L[] },
): TallyCounter<L> {
  const existing = registry.getSingleMetric(spec.name) as unknown;
  if (existing instanceof TallyCounter) return existing as TallyCounter<L>;
  return register(registry, new TallyCounter<L>(spec.name, spec.help, spec.labelNames));
}

/** The histogram `spec.name` of `registry`, created on first use (see tallyCounter). */
export function tallyHistogram<L extends string>(
  registry: Registry,
  spec: { name: string; help: string; labelNames: readonly L[]; buckets: readonly number[] },
): TallyHistogram<L> {
  const existing = registry.getSingleMetric(spec.name) as unknown;
  if (existing instanceof TallyHistogram) return existing as TallyHistogram<L>;
  return register(registry, new TallyHistogram<L>(spec.name, spec.help, spec.labelNames, spec.buckets));
}

/**
 * `bind` memoised by its argument: for a series chosen per call by a label value (nest it for two).
 * A Map lookup by the value itself, where binding anew would build and check the label set.
 */
export function seriesBy<K, S>(bind: (key: K) => S): (key: K) => S {
  const bound = new Map<K, S>();
  return (key) => {
    let series = bound.get(key);
    if (series === undefined) bound.set(key, (series = bind(key)));
    return series;
  };
}

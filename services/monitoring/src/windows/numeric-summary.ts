/**
 * Mergeable summary of one numeric column: moments (count, mean, M2 — Chan et al.'s parallel
 * update), min and max, counts per bin of a shared binning, and the exact value counts while
 * there are few distinct values (so discrete columns stay exact).
 */
import { binOf, type Binning } from './binning.js';

/** Up to this many distinct values a column keeps exact value counts. */
export const DISTINCT_CAP = 32;

export interface NumericSummaryJson {
  readonly n: number;
  readonly missing: number;
  readonly mean: number;
  readonly m2: number;
  /** null when empty (JSON has no Infinity). */
  readonly min: number | null;
  readonly max: number | null;
  readonly binning: string;
  /** [bin index, count] pairs. */
  readonly bins: Array<[number, number]>;
  /** [value, count] pairs, or null once the column had more than DISTINCT_CAP distinct values. */
  readonly distinct: Array<[number, number]> | null;
}

export class NumericSummary {
  readonly kind = 'numeric' as const;
  n = 0;
  missing = 0;
  mean = 0;
  m2 = 0;
  min = Infinity;
  max = -Infinity;
  readonly bins = new Map<number, number>();
  distinct: Map<number, number> | null = new Map();

  constructor(readonly binning: Binning) {}

  add(x: number): void {
    if (!Number.isFinite(x)) {
      this.missing++;
      return;
    }
    this.addFinite(x);
    const bin = binOf(this.binning, x);
    this.bins.set(bin, (this.bins.get(bin) ?? 0) + 1);
  }

  /**
   * Adds `values[0 .. count)` as `add` would one by one (the same moments, bins and distinct
   * values), counting bins in a dense array folded into the sparse map once: ingestion adds a
   * batch's tens of thousands of values per column this way, where a map update per value cost
   * more than the rest of the summary.
   */
  addMany(values: Float64Array, count = values.length): void {
    const counts = denseCounts(this.binning.edges.length + 1);
    for (let i = 0; i < count; i++) {
      const x = values[i]!;
      if (!Number.isFinite(x)) {
        this.missing++;
        continue;
      }
      this.addFinite(x);
      counts[binOf(this.binning, x)]!++;
    }
    for (let bin = 0; bin < counts.length; bin++) {
      const c = counts[bin]!;
      if (c === 0) continue;
      this.bins.set(bin, (this.bins.get(bin) ?? 0) + c);
      counts[bin] = 0;
    }
  }

  /** Everything `add` records of a finite value except its bin. */
  private addFinite(x: number): void {
    this.n++;
    const delta = x - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    if (this.distinct) {
      const c = this.distinct.get(x);
      if (c !== undefined) this.distinct.set(x, c + 1);
      else if (this.distinct.size < DISTINCT_CAP) this.distinct.set(x, 1);
      else this.distinct = null;
    }
  }

  addMissing(count = 1): void {
    this.missing += count;
  }

  /** Adds `other` into this summary. Both must share the binning (checked by the caller's key). */
  merge(other: NumericSummary): this {
    if (other.binning.id !== this.binning.id) {
      throw new Error(`cannot merge numeric summaries on different binnings (${this.binning.id}, ${other.binning.id})`);
    }
    this.missing += other.missing;
    if (other.n > 0) {
      const n = this.n + other.n;
      const delta = other.mean - this.mean;
      this.m2 += other.m2 + (delta * delta * this.n * other.n) / n;
      this.mean += (delta * other.n) / n;
      this.n = n;
      this.min = Math.min(this.min, other.min);
      this.max = Math.max(this.max, other.max);
      for (const [b, c] of other.bins) this.bins.set(b, (this.bins.get(b) ?? 0) + c);
    }
    if (this.distinct && other.distinct) {
      for (const [v, c] of other.distinct) this.distinct.set(v, (this.distinct.get(v) ?? 0) + c);
      if (this.distinct.size > DISTINCT_CAP) this.distinct = null;
    } else {
      this.distinct = null;
    }
    return this;
  }

  /** Population standard deviation (numpy's default ddof = 0). */
  get std(): number {
    return this.n > 0 ? Math.sqrt(this.m2 / this.n) : 0;
  }

  toJSON(): NumericSummaryJson {
    return {
      n: this.n,
      missing: this.missing,
      mean: this.mean,
      m2: this.m2,
      min: Number.isFinite(this.min) ? this.min : null,
      max: Number.isFinite(this.max) ? this.max : null,
      binning: this.binning.id,
      bins: [...this.bins],
      distinct: this.distinct ? [...this.distinct] : null,
    };
  }

  static fromJSON(json: NumericSummaryJson, binning: Binning): NumericSummary {
    const s = new NumericSummary(binning);
    s.n = json.n;
    s.missing = json.missing;
    s.mean = json.mean;
    s.m2 = json.m2;
    s.min = json.min ?? Infinity;
    s.max = json.max ?? -Infinity;
    for (const [b, c] of json.bins) s.bins.set(b, c);
    s.distinct = json.distinct ? new Map(json.distinct) : null;
    return s;
  }
}

/** Zeroed bin counts of at least `length`, reused across calls (addMany leaves them zeroed). */
let scratchCounts = new Uint32Array(0);
function denseCounts(length: number): Uint32Array {
  if (scratchCounts.length < length) scratchCounts = new Uint32Array(length);
  return scratchCounts.subarray(0, length);
}

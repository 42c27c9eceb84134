/**
 * The summary of one pane: every prediction served by one model version in one fixed time
 * slice. Panes are the unit of storage and of merging: any window (tumbling, sliding, an
 * arbitrary report range) is the merge of the panes it covers, and replicas that split a stream
 * produce panes that merge into the same result.
 */
import { UNIVERSAL_BINNING, type Binning } from './binning.js';
import { CategoricalSummary, type CategoricalSummaryJson } from './categorical-summary.js';
import { NumericSummary, type NumericSummaryJson } from './numeric-summary.js';

export type FeatureSummary = NumericSummary | CategoricalSummary;

export type FeatureSummaryJson =
  | ({ readonly kind: 'numeric' } & NumericSummaryJson)
  | ({ readonly kind: 'categorical' } & CategoricalSummaryJson);

export interface PaneSummaryJson {
  readonly predictions: number;
  readonly errors: number;
  readonly shadows: number;
  readonly shadowErrors: number;
  readonly latency: NumericSummaryJson;
  readonly features: Record<string, FeatureSummaryJson>;
}

/** Resolves a binning id stored with a summary back to its edges. */
export type BinningResolver = (id: string) => Binning;

export function featureSummaryToJson(s: FeatureSummary): FeatureSummaryJson {
  return s.kind === 'numeric' ? { kind: 'numeric', ...s.toJSON() } : { kind: 'categorical', ...s.toJSON() };
}

export function featureSummaryFromJson(json: FeatureSummaryJson, resolve: BinningResolver): FeatureSummary {
  return json.kind === 'numeric' ? NumericSummary.fromJSON(json, resolve(json.binning)) : CategoricalSummary.fromJSON(json);
}

/** Merges b into a when both are the same kind on the same binning; otherwise reports why not. */
export function mergeFeatureSummary(a: FeatureSummary, b: FeatureSummary): { ok: true } | { ok: false; reason: string } {
  if (a.kind === 'numeric' && b.kind === 'numeric') {
    if (a.binning.id !== b.binning.id) return { ok: false, reason: `binning ${a.binning.id} vs ${b.binning.id}` };
    a.merge(b);
    return { ok: true };
  }
  if (a.kind === 'categorical' && b.kind === 'categorical') {
    a.merge(b);
    return { ok: true };
  }
  return { ok: false, reason: `kind ${a.kind} vs ${b.kind}` };
}

export class PaneSummary {
  predictions = 0;
  errors = 0;
  shadows = 0;
  shadowErrors = 0;
  /** Latency in milliseconds on the universal (±1 %) grid: percentiles within 1 % plus bin interpolation. */
  latency = new NumericSummary(UNIVERSAL_BINNING);
  readonly features = new Map<string, FeatureSummary>();
  /** Features whose summaries could not be merged (kind or binning changed mid-range): counted, not hidden. */
  readonly unmergeable = new Set<string>();

  numeric(feature: string, binning: Binning): NumericSummary | undefined {
    const existing = this.features.get(feature);
    if (existing === undefined) {
      const created = new NumericSummary(binning);
      this.features.set(feature, created);
      return created;
    }
    return existing.kind === 'numeric' ? existing : undefined;
  }

  categorical(feature: string): CategoricalSummary | undefined {
    const existing = this.features.get(feature);
    if (existing === undefined) {
      const created = new CategoricalSummary();
      this.features.set(feature, created);
      return created;
    }
    return existing.kind === 'categorical' ? existing : undefined;
  }

  merge(other: PaneSummary): this {
    this.predictions += other.predictions;
    this.errors += other.errors;
    this.shadows += other.shadows;
    this.shadowErrors += other.shadowErrors;
    this.latency.merge(other.latency);
    for (const [name, summary] of other.features) {
      const mine = this.features.get(name);
      if (!mine) {
        this.features.set(name, cloneFeature(summary));
        continue;
      }
      if (!mergeFeatureSummary(mine, summary).ok) this.unmergeable.add(name);
    }
    for (const name of other.unmergeable) this.unmergeable.add(name);
    return this;
  }

  toJSON(): PaneSummaryJson {
    const features: Record<string, FeatureSummaryJson> = {};
    for (const [name, s] of this.features) features[name] = featureSummaryToJson(s);
    return {
      predictions: this.predictions,
      errors: this.errors,
      shadows: this.shadows,
      shadowErrors: this.shadowErrors,
      latency: this.latency.toJSON(),
      features,
    };
  }

  static fromJSON(json: PaneSummaryJson, resolve: BinningResolver): PaneSummary {
    const p = new PaneSummary();
    p.predictions = json.predictions;
    p.errors = json.errors;
    p.shadows = json.shadows;
    p.shadowErrors = json.shadowErrors;
    p.latency = NumericSummary.fromJSON(json.latency, UNIVERSAL_BINNING);
    for (const [name, f] of Object.entries(json.features)) p.features.set(name, featureSummaryFromJson(f, resolve));
    return p;
  }
}

function cloneFeature(s: FeatureSummary): FeatureSummary {
  if (s.kind === 'numeric') return new NumericSummary(s.binning).merge(s);
  return new CategoricalSummary().merge(s);
}

/** Merges panes into one summary (the window they cover). */
export function mergePanes(panes: Iterable<PaneSummary>): PaneSummary {
  const out = new PaneSummary();
  for (const p of panes) out.merge(p);
  return out;
}

// The demo's data: a reproducible churn-style set of telecom customers with named features.
// Every feature is continuous on purpose: the registry's reference profile is quantile-based,
// and a continuous column is what its drift comparison (PSI on deciles) measures cleanly.
import { createHash } from 'node:crypto';
import { gaussian, seededRandom, type Random } from '@mlops/model-builders';

/** The feature view the customers' features live in, and its entity. */
export const FEATURE_VIEW = 'customer_activity';
export const ENTITY = 'customer';
export const JOIN_KEY = 'customer_id';

/** Model-input order. */
export const FEATURES = [
  'tenure_months',
  'monthly_charges',
  'support_minutes_90d',
  'days_since_last_login',
  'data_usage_gb',
  'late_payment_days',
] as const;
export type FeatureName = (typeof FEATURES)[number];

/** "view:feature" references, as the registry's lineage, the router and monitoring name them. */
export const FEATURE_REFS: readonly string[] = FEATURES.map((f) => `${FEATURE_VIEW}:${f}`);

export interface Customer {
  readonly id: string;
  /** In FEATURES order. */
  readonly features: readonly number[];
  /** 1: the customer churned. */
  readonly churned: 0 | 1;
}

export interface ChurnDataset {
  readonly seed: number;
  readonly train: readonly Customer[];
  /** Held out for evaluation; also the "live" customers whose features are streamed and served. */
  readonly test: readonly Customer[];
  /** sha256 of the set as CSV, recorded in every version's lineage. */
  readonly digest: string;
  readonly uri: string;
}

const exponential = (random: Random, mean: number) => -Math.log(1 - random()) * mean;

/** One customer's features, in FEATURES order. */
function drawFeatures(random: Random): number[] {
  const tenure = 1 + random() * 71;
  const charges = 70 + 22 * gaussian(random);
  const support = exponential(random, 20);
  const login = exponential(random, 10);
  const usage = Math.exp(2.5 + 0.6 * gaussian(random));
  const late = exponential(random, 3);
  // float32: what the ONNX models see, so offline metrics are what serving reproduces.
  return [tenure, charges, support, login, usage, late].map(Math.fround);
}

/**
 * The hidden truth: mostly linear log-odds, plus one interaction a linear model cannot express
 * (new customers on expensive plans leave far more often), which is where the trees win.
 */
function churnLogOdds(x: readonly number[]): number {
  const [tenure, charges, support, login, usage, late] = x as [number, number, number, number, number, number];
  const newAndExpensive = tenure < 12 && charges > 80 ? 2.5 : 0;
  // Both light and heavy data users leave more than typical ones (a U-shape, also non-linear).
  const unusualUsage = 0.6 * ((Math.log(usage) - 2.5) / 0.6) ** 2;
  return -1.6 - 0.03 * tenure + 0.02 * (charges - 70) + 0.02 * support + 0.5 * Math.log1p(login) + unusualUsage + 0.1 * late + newAndExpensive;
}

export interface ChurnDatasetOptions {
  readonly seed?: number;
  readonly trainRows?: number;
  readonly testRows?: number;
}

export function generateChurnDataset(options: ChurnDatasetOptions = {}): ChurnDataset {
  const seed = options.seed ?? 42;
  const trainRows = options.trainRows ?? 4000;
  const testRows = options.testRows ?? 2000;
  const random = seededRandom(seed);
  const customers: Customer[] = Array.from({ length: trainRows + testRows }, (_, i) => {
    const features = drawFeatures(random);
    const churned = churnLogOdds(features) + gaussian(random) > 0 ? 1 : 0;
    return { id: `C${String(i + 1).padStart(5, '0')}`, features, churned };
  });
  const csv = [[JOIN_KEY, ...FEATURES, 'churned'].join(','), ...customers.map((c) => [c.id, ...c.features, c.churned].join(','))].join('\n');
  return {
    seed,
    train: customers.slice(0, trainRows),
    test: customers.slice(trainRows),
    digest: `sha256:${createHash('sha256').update(csv).digest('hex')}`,
    uri: `synthetic://churn?seed=${seed}&rows=${trainRows + testRows}`,
  };
}

export const matrixOf = (customers: readonly Customer[]) => customers.map((c) => [...c.features]);
export const labelsOf = (customers: readonly Customer[]) => customers.map((c) => c.churned);
export const churnRate = (customers: readonly Customer[]) => customers.reduce((n, c) => n + c.churned, 0) / customers.length;

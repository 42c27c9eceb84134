import { gaussian, seededRandom } from '../random.js';

export type BinaryDataset = { readonly X: number[][]; readonly y: number[] };

export type SyntheticDatasetOptions = {
  readonly rows: number;
  readonly features: number;
  /** Standard deviation of the noise added to the true log-odds; default 1. */
  readonly noise?: number;
};

/**
 * A reproducible binary classification set: standard normal features, a label that is 1 when a
 * hidden linear score plus an interaction of the first two features plus noise is positive.
 * Linear models separate it well, trees a bit better; both reach an AUC far above chance.
 */
export function syntheticBinaryDataset(seed: number, options: SyntheticDatasetOptions): BinaryDataset {
  if (options.features < 2) throw new RangeError('syntheticBinaryDataset: features must be ≥ 2');
  const random = seededRandom(seed);
  const trueWeights = Array.from({ length: options.features }, () => gaussian(random));
  const noise = options.noise ?? 1;
  const X: number[][] = [];
  const y: number[] = [];
  for (let row = 0; row < options.rows; row++) {
    // Math.fround: the data are exactly what a float32 model input will hold.
    const x = Array.from({ length: options.features }, () => Math.fround(gaussian(random)));
    const score = x.reduce((sum, value, index) => sum + value * trueWeights[index]!, 0) + x[0]! * x[1]!;
    X.push(x);
    y.push(score + noise * gaussian(random) > 0 ? 1 : 0);
  }
  return { X, y };
}

/**
 * The first `trainFraction` of the rows for training, the rest for evaluation. Rows of a
 * synthetic set are independent draws, so no shuffle is needed; split one set rather than
 * drawing two with different seeds, which would have different hidden weights.
 */
export function trainTestSplit(
  dataset: BinaryDataset,
  trainFraction: number,
): { train: BinaryDataset; test: BinaryDataset } {
  const cut = Math.round(dataset.X.length * trainFraction);
  if (cut <= 0 || cut >= dataset.X.length)
    throw new RangeError(`trainTestSplit: ${trainFraction} leaves one side empty`);
  return {
    train: { X: dataset.X.slice(0, cut), y: dataset.y.slice(0, cut) },
    test: { X: dataset.X.slice(cut), y: dataset.y.slice(cut) },
  };
}

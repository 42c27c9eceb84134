/** One measured figure, always next to the baseline it is judged against. */
export interface Figure {
  readonly label: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: { readonly label: string; readonly value: number };
  /** The target, as a predicate on the figure (and its ratio to the baseline), and its text. */
  readonly target?: { readonly text: string; readonly met: boolean };
  /** value / baseline.value, when a baseline exists. */
  readonly ratio?: number;
}

export interface BenchmarkResult {
  readonly name: string;
  readonly issue: string;
  readonly figures: readonly Figure[];
  readonly notes?: readonly string[];
  /** The calibration workload's time when the benchmark started (calibration.ts), in ms. */
  readonly calibrationMs?: number;
  /** When the benchmark started (ISO 8601): a report merges results of several runs. */
  readonly startedAt?: string;
}

export interface Benchmark {
  readonly name: string;
  readonly issue: string;
  run(): Promise<BenchmarkResult>;
}

export const ratioFigure = (
  label: string,
  value: number,
  unit: string,
  baseline: { label: string; value: number },
  target?: { text: string; test: (ratio: number) => boolean },
): Figure => {
  const ratio = value / baseline.value;
  return {
    label,
    value,
    unit,
    baseline,
    ratio,
    ...(target ? { target: { text: target.text, met: target.test(ratio) } } : {}),
  };
};

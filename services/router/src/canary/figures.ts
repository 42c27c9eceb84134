/** What the controller measured for the current step of a canary (window: since the step began). */
export interface CanaryFigures {
  readonly candidate: {
    readonly samples: number;
    readonly errors: number;
    /** Of successful predictions; undefined without any. */
    readonly p99LatencyMs: number | undefined;
    readonly labelled: number;
    readonly correct: number;
  };
  /** Candidate outputs compared with the stable version's on the same inputs. */
  readonly divergence: { readonly pairs: number; readonly mean: number | undefined };
  /** Rules of firing alerts that concern the candidate (or the whole model). */
  readonly alerts: { readonly warning: readonly string[]; readonly critical: readonly string[] };
}

/** The figures as the flat map recorded with each decision and published in CanaryDecision. */
export function flattenFigures(f: CanaryFigures, extra: Record<string, number> = {}): Record<string, number> {
  const out: Record<string, number> = {
    candidate_samples: f.candidate.samples,
    candidate_errors: f.candidate.errors,
    error_rate: f.candidate.samples > 0 ? f.candidate.errors / f.candidate.samples : 0,
    labelled: f.candidate.labelled,
    divergence_pairs: f.divergence.pairs,
    warning_alerts: f.alerts.warning.length,
    critical_alerts: f.alerts.critical.length,
    ...extra,
  };
  if (f.candidate.p99LatencyMs !== undefined) out['p99_latency_ms'] = f.candidate.p99LatencyMs;
  if (f.divergence.mean !== undefined) out['divergence'] = f.divergence.mean;
  if (f.candidate.labelled > 0) out['accuracy'] = f.candidate.correct / f.candidate.labelled;
  return out;
}

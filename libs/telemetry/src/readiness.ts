/** What `/readyz` answers: overall readiness and the check behind it, each with a reason when failing. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Record<string, { ok: boolean; detail?: string }>;
}

export type ReadinessCheck = () => Promise<ReadinessReport>;

/** A readiness function slower than this is reported not ready: a probe must answer promptly. */
export const READINESS_TIMEOUT_MS = 2_000;

const ALWAYS_READY: ReadinessReport = { ready: true, checks: {} };

const failed = (detail: string): ReadinessReport => ({ ready: false, checks: { readiness: { ok: false, detail } } });

/**
 * Runs the readiness function and never throws: a throw or a timeout become a not-ready report
 * naming why, so a broken dependency shows up as 503 with a reason instead of a hung or failed probe.
 */
export async function evaluateReadiness(
  check: ReadinessCheck | undefined,
  timeoutMs: number = READINESS_TIMEOUT_MS,
): Promise<ReadinessReport> {
  if (!check) return ALWAYS_READY;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ReadinessReport>((resolve) => {
    timer = setTimeout(() => resolve(failed(`readiness check did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    // `Promise.resolve().then` also turns a synchronous throw into a rejection.
    const report = Promise.resolve()
      .then(check)
      .catch((err: unknown) => failed(`readiness check failed: ${err instanceof Error ? err.message : String(err)}`));
    return await Promise.race([report, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A maintenance job run in rounds on a timer (retention, compaction): one round at a time, a
 * failed round reported and retried by the next, and a stop that waits for the running round.
 */
export interface PeriodicRounds<T> {
  /** One round now; waits for a running one first, so rounds never overlap. */
  runNow(): Promise<T>;
  /** Stops the timer and waits for a running round. */
  stop(): Promise<void>;
}

export interface PeriodicRoundsOptions<T> {
  readonly round: () => Promise<T>;
  readonly intervalMs: number;
  /** Delay of the first round; default `intervalMs`. */
  readonly firstAfterMs?: number;
  /** A round that failed (the next one retries); the error is the round's. */
  readonly onError: (err: unknown) => void;
}

export function startPeriodicRounds<T>(opts: PeriodicRoundsOptions<T>): PeriodicRounds<T> {
  let running: Promise<T> | undefined;
  let stopped = false;
  const runNow = async (): Promise<T> => {
    // A slow round (a backlog after downtime) finishes before the next starts.
    while (running) await running.catch(() => undefined);
    running = opts.round();
    try {
      return await running;
    } finally {
      running = undefined;
    }
  };
  const tick = () => {
    if (stopped || running) return;
    runNow().catch(opts.onError);
  };
  let timer: NodeJS.Timeout = setTimeout(() => {
    tick();
    timer = setInterval(tick, opts.intervalMs);
    timer.unref();
  }, opts.firstAfterMs ?? opts.intervalMs);
  timer.unref();
  return {
    runNow,
    async stop() {
      stopped = true;
      // Node's clearTimeout clears either kind of timer: the first round's or the interval.
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}

/**
 * A job run in rounds on a timer (retention, compaction, evaluation, canary ticks): one round at
 * a time, a failed round reported and retried by the next, and a stop that waits for the running
 * round.
 */
export interface PeriodicRounds<T, A = never> {
  /** One round now (with `arg`, when the job takes one); waits for a running one first, so rounds never overlap. */
  runNow(arg?: A): Promise<T>;
  /** Stops the timer and waits for a running round. */
  stop(): Promise<void>;
}

export interface PeriodicRoundsOptions<T, A = never> {
  /** One round; the timer calls it without an argument. */
  readonly round: (arg?: A) => Promise<T>;
  /** Time between rounds; 0 runs no timer (rounds only by `runNow`). */
  readonly intervalMs: number;
  /** Delay of the first round; default `intervalMs`. */
  readonly firstAfterMs?: number;
  /** A round the timer started failed (the next one retries); the error is the round's. */
  readonly onError: (err: unknown) => void;
}

export function startPeriodicRounds<T, A = never>(opts: PeriodicRoundsOptions<T, A>): PeriodicRounds<T, A> {
  let running: Promise<T> | undefined;
  let stopped = false;
  const runNow = async (arg?: A): Promise<T> => {
    // A slow round (a backlog after downtime) finishes before the next starts.
    while (running) await running.catch(() => undefined);
    running = opts.round(arg);
    try {
      return await running;
    } finally {
      running = undefined;
    }
  };
  // A tick while a round runs is skipped, so a slow round never piles ticks up.
  const tick = () => {
    if (stopped || running) return;
    runNow().catch(opts.onError);
  };
  let timer: NodeJS.Timeout | undefined;
  if (opts.intervalMs > 0) {
    timer = setTimeout(() => {
      tick();
      timer = setInterval(tick, opts.intervalMs);
      timer.unref();
    }, opts.firstAfterMs ?? opts.intervalMs);
    timer.unref();
  }
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

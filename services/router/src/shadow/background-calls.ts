/** How one background call ended; every outcome is counted, none ever reaches a caller. */
export type BackgroundOutcome = 'ok' | 'error' | 'timeout' | 'shed';

export interface BackgroundCallsOptions {
  /** Calls running at once; beyond it new calls are shed (not queued: a queue would grow without bound under load). */
  readonly concurrency: number;
  /** Each call's own deadline; its signal aborts then. */
  readonly deadlineMs: number;
  readonly onOutcome?: (outcome: BackgroundOutcome) => void;
}

export interface BackgroundCalls {
  /**
   * Runs `work` after the current turn of the event loop (so the primary answer, already
   * resolved, goes out first), unless `concurrency` calls are running. Never throws, never awaited
   * by the caller.
   */
  run(work: (signal: AbortSignal) => Promise<void>): void;
  readonly running: number;
  /** Waits for running calls (at most their deadline) and refuses new ones. */
  close(): Promise<void>;
}

/**
 * The shadow (and divergence mirror) executor: a semaphore with try-acquire semantics and a
 * deadline per call, so shadow traffic can never add latency to or fail a primary request.
 */
export function createBackgroundCalls(options: BackgroundCallsOptions): BackgroundCalls {
  let running = 0;
  let closed = false;
  const inFlight = new Set<Promise<void>>();

  return {
    run(work) {
      if (closed || running >= options.concurrency) {
        options.onOutcome?.('shed');
        return;
      }
      running++;
      const call = new Promise<void>((resolve) => setImmediate(resolve))
        .then(async () => {
          const signal = AbortSignal.timeout(options.deadlineMs);
          const deadline = new Promise<'timeout'>((resolve) => signal.addEventListener('abort', () => resolve('timeout'), { once: true }));
          // The race bounds the slot even if `work` ignores its signal.
          const outcome = await Promise.race([work(signal).then(() => 'ok' as const), deadline]);
          return outcome;
        })
        .catch((): BackgroundOutcome => 'error')
        .then((outcome) => {
          running--;
          options.onOutcome?.(outcome);
        });
      inFlight.add(call);
      void call.finally(() => inFlight.delete(call));
    },
    get running() {
      return running;
    },
    async close() {
      closed = true;
      await Promise.allSettled([...inFlight]);
    },
  };
}

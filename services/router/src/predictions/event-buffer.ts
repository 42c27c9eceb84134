import type { Logger } from 'pino';

export interface EventBufferOptions<T> {
  /** Stores one event; rejecting means "try again later" (the item goes back to the front). */
  readonly publish: (item: T) => Promise<void>;
  /** Items held at most; when full the OLDEST is dropped, since fresh events matter more to monitoring. */
  readonly capacity: number;
  /** Publishes in flight at once (a hanging publish must not stall the others forever). */
  readonly concurrency?: number;
  /** First delay after a failed batch, doubling up to `maxRetryDelayMs`. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** Called once per dropped item (the metric). */
  readonly onDrop?: (item: T) => void;
  readonly onSizeChange?: (size: number) => void;
  readonly logger?: Logger;
}

export interface EventBuffer<T> {
  /** Never blocks and never throws: the caller is answering a request. */
  enqueue(item: T): void;
  readonly size: number;
  readonly dropped: number;
  /** Resolves when the buffer is empty and nothing is in flight, or after `timeoutMs` (false). */
  flush(timeoutMs: number): Promise<boolean>;
  /** Tries to flush for `graceMs`, then stops the loop; what is left is dropped (and counted). */
  close(graceMs?: number): Promise<void>;
}

/** Resolves after `ms` or on abort; removes its abort listener either way (the loop waits thousands of times). */
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * A bounded queue drained by one background loop. It decouples answering a prediction from
 * storing its event: while NATS is down the queue fills up to `capacity`, and drains once it is
 * back. Items are published with an idempotency key by the caller's `publish`, so an item retried
 * after a publish that timed out but was stored is still stored once.
 */
export function createEventBuffer<T>(options: EventBufferOptions<T>): EventBuffer<T> {
  const capacity = Math.max(1, options.capacity);
  const concurrency = Math.max(1, options.concurrency ?? 32);
  const baseDelay = options.retryDelayMs ?? 100;
  const maxDelay = options.maxRetryDelayMs ?? 5_000;
  // A plain array used as a deque; shift() is fine at these sizes and keeps order obvious.
  const queue: T[] = [];
  let inFlight = 0;
  let dropped = 0;
  let wake: (() => void) | undefined;
  let wakeScheduled = false;
  // The loop starts publishing a macrotask after the first enqueue, not a microtask: enqueue is
  // called while a request is being answered, and its response must be written before this
  // work (encoding, a span, the JetStream publish) takes the thread. Enqueues of the same turn
  // then also go out in one batch.
  const scheduleWake = () => {
    if (wakeScheduled || !wake) return;
    wakeScheduled = true;
    setImmediate(() => {
      wakeScheduled = false;
      wake?.();
    });
  };
  const stopping = new AbortController();
  const idleWaiters = new Set<() => void>();

  const changed = () => {
    options.onSizeChange?.(queue.length);
    if (queue.length === 0 && inFlight === 0) for (const w of idleWaiters) w();
  };
  const drop = (item: T) => {
    dropped++;
    options.onDrop?.(item);
  };

  async function loop(): Promise<void> {
    let delay = baseDelay;
    while (!stopping.signal.aborted) {
      if (queue.length === 0) {
        await new Promise<void>((resolve) => {
          const done = () => {
            stopping.signal.removeEventListener('abort', done);
            wake = undefined;
            resolve();
          };
          wake = done;
          stopping.signal.addEventListener('abort', done, { once: true });
        });
        continue;
      }
      const batch = queue.splice(0, concurrency);
      inFlight = batch.length;
      const results = await Promise.allSettled(batch.map((item) => options.publish(item)));
      const failed = batch.filter((_, i) => results[i]!.status === 'rejected');
      inFlight = 0;
      if (failed.length > 0) {
        // Back to the front, in order; beyond capacity the oldest of the combined queue go.
        queue.unshift(...failed);
        while (queue.length > capacity) drop(queue.shift()!);
        const reason = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as unknown;
        options.logger?.warn({ err: reason, failed: failed.length, queued: queue.length, retryInMs: delay }, 'publishing prediction events failed; retrying');
        changed();
        await sleep(delay, stopping.signal);
        delay = Math.min(maxDelay, delay * 2);
      } else {
        delay = baseDelay;
        changed();
      }
    }
  }
  const running = loop();

  return {
    enqueue(item) {
      if (stopping.signal.aborted) {
        drop(item);
        return;
      }
      queue.push(item);
      if (queue.length > capacity) drop(queue.shift()!);
      options.onSizeChange?.(queue.length);
      scheduleWake();
    },
    get size() {
      return queue.length + inFlight;
    },
    get dropped() {
      return dropped;
    },
    flush(timeoutMs) {
      if (queue.length === 0 && inFlight === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          idleWaiters.delete(done);
          resolve(true);
        };
        const timer = setTimeout(() => {
          idleWaiters.delete(done);
          resolve(false);
        }, timeoutMs);
        idleWaiters.add(done);
      });
    },
    async close(graceMs = 2_000) {
      await this.flush(graceMs);
      stopping.abort();
      await running;
      for (const item of queue.splice(0)) drop(item);
      options.onSizeChange?.(0);
    },
  };
}

import type { ReceivedEvent } from './types.js';

export interface BatchingHandlerOptions<T> {
  /** Stores a batch in one go (one transaction). Rejecting fails, and so retries, every event of the batch. */
  readonly flush: (events: readonly ReceivedEvent<T>[]) => Promise<void>;
  /** Flush as soon as this many events wait (default 256). */
  readonly maxBatch?: number;
  /** Flush at the latest this long after the first event of a batch arrived (default 5 ms). */
  readonly maxDelayMs?: number;
}

/**
 * A consumer handler that stores events in batches: each call waits until the batch holding its
 * event is flushed, so an event is still acknowledged only after its work is stored. Use it with
 * `concurrency` > 1, which is what lets several events wait at once; with concurrency 1 every batch
 * holds one event.
 */
export function createBatchingHandler<T>(options: BatchingHandlerOptions<T>): (event: ReceivedEvent<T>) => Promise<void> {
  const maxBatch = options.maxBatch ?? 256;
  const maxDelayMs = options.maxDelayMs ?? 5;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new TypeError(`maxBatch: expected a whole number above 0, got ${maxBatch}`);
  if (!(maxDelayMs >= 0)) throw new TypeError(`maxDelayMs: expected 0 or more, got ${maxDelayMs}`);

  interface Pending {
    readonly event: ReceivedEvent<T>;
    resolve(): void;
    reject(err: unknown): void;
  }
  let pending: Pending[] = [];
  let timer: NodeJS.Timeout | undefined;

  const flushNow = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    options.flush(batch.map((p) => p.event)).then(
      () => batch.forEach((p) => p.resolve()),
      (err: unknown) => batch.forEach((p) => p.reject(err)),
    );
  };

  return (event) =>
    new Promise<void>((resolve, reject) => {
      pending.push({ event, resolve, reject });
      if (pending.length >= maxBatch) flushNow();
      else timer ??= setTimeout(flushNow, maxDelayMs);
    });
}

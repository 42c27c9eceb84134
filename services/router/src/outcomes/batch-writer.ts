import type { Logger } from 'pino';

export interface BatchWriterOptions<T> {
  /** Stores one batch (one multi-row INSERT); rejecting keeps the rows for the next attempt. */
  readonly write: (items: T[]) => Promise<void>;
  readonly maxBatch?: number;
  readonly flushIntervalMs?: number;
  /** Rows held at most while the database refuses them; beyond it the oldest are dropped. */
  readonly capacity?: number;
  readonly onDrop?: (count: number) => void;
  readonly logger?: Logger;
}

export interface BatchWriter<T> {
  add(item: T): void;
  /** Writes what is held now (tests, canary ticks, shutdown). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Collects rows and writes them in batches off the request path: one INSERT per interval instead
 * of one per prediction keeps the database out of Predict's latency.
 */
export function createBatchWriter<T>(options: BatchWriterOptions<T>): BatchWriter<T> {
  const maxBatch = options.maxBatch ?? 500;
  const capacity = options.capacity ?? 50_000;
  let pending: T[] = [];
  let writing: Promise<void> | undefined;
  let closed = false;

  const writeOnce = async (): Promise<void> => {
    while (pending.length > 0) {
      const batch = pending.slice(0, maxBatch);
      try {
        await options.write(batch);
        pending = pending.slice(batch.length);
      } catch (e) {
        options.logger?.warn({ err: e, pending: pending.length }, 'could not store outcomes; will retry');
        return;
      }
    }
  };
  const flush = (): Promise<void> => {
    // One writer at a time; a flush during a write waits for it and writes what came after.
    writing ??= writeOnce().finally(() => (writing = undefined));
    return writing;
  };
  const timer = setInterval(() => void flush(), options.flushIntervalMs ?? 100);
  timer.unref();

  return {
    add(item) {
      if (closed) {
        options.onDrop?.(1);
        return;
      }
      pending.push(item);
      if (pending.length > capacity) {
        const excess = pending.length - capacity;
        pending = pending.slice(excess);
        options.onDrop?.(excess);
      }
      if (pending.length >= maxBatch) void flush();
    },
    async flush() {
      await flush();
      // A write that was in flight when called may have left newer rows behind.
      if (pending.length > 0) await flush();
    },
    async close() {
      clearInterval(timer);
      await this.flush();
      closed = true;
      if (pending.length > 0) options.onDrop?.(pending.length);
      pending = [];
    },
  };
}

import type { Readable, Writable } from 'node:stream';

/**
 * Waits until `stream` can take more data. Also settles when the stream closes or errors (the
 * caller then sees the call is over), and rejects with `signal.reason` when the signal aborts,
 * so a writer never waits forever on a peer that went away.
 */
export function waitForDrain(stream: Writable, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    // Removes exactly the listeners added below, so a long stream does not pile them up.
    const settle = () => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      signal?.removeEventListener('abort', onAbort);
    };
    const done = () => {
      settle();
      resolve();
    };
    const onAbort = () => {
      settle();
      reject(signal?.reason);
    };
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The messages of a readable object stream. Stopping early does not destroy the stream (for a
 * duplex call that would also kill the response side); a stream torn down by cancellation throws
 * `signal.reason` instead of a premature-close error.
 */
export async function* readMessages<T>(stream: Readable, signal: AbortSignal): AsyncGenerator<T, void, undefined> {
  try {
    for await (const message of stream.iterator({ destroyOnReturn: false })) {
      yield message as T;
    }
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    throw err;
  }
}

/** An unbounded single-consumer queue, for pushing events into an async iterable. */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiter: (() => void) | undefined;
  private closed = false;

  push(item: T): void {
    if (this.closed) return;
    this.items.push(item);
    this.wake();
  }

  /** Ends the iteration once the queued items have been taken. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }
}

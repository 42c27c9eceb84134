import { GroupCommit } from './group-commit.js';
import type { ReceivedEvent } from './types.js';

export interface BatchingHandlerOptions<T> {
  /** Stores a batch in one go (one transaction). Rejecting fails, and so retries, every event of the batch. */
  readonly flush: (events: ReceivedEvent<T>[]) => Promise<void>;
  /** The most events one flush stores (default 2000). */
  readonly maxBatch?: number;
}

/**
 * A consumer handler that stores events by group commit: each call waits until the batch holding
 * its event is flushed, so an event is still acknowledged only after its work is stored. Use it
 * with `concurrency` > 1, which is what lets several events wait at once; with concurrency 1 every
 * batch holds one event.
 */
export function createBatchingHandler<T>(options: BatchingHandlerOptions<T>): (event: ReceivedEvent<T>) => Promise<void> {
  const commit = new GroupCommit<ReceivedEvent<T>>(options.flush, options.maxBatch);
  return (event) => commit.add(event);
}

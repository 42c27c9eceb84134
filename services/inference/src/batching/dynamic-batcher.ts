import type { Cancellation } from '@mlops/grpc';
import { performance } from 'node:perf_hooks';
import { err, ok, type Result } from '../util/result.js';
import type { DynamicBatchingPolicy } from './policy.js';

/** One request waiting in the queue. */
interface Pending<In, Out> {
  readonly input: In;
  readonly rows: number;
  readonly enqueuedAt: number;
  readonly cancellation: Cancellation | undefined;
  resolve(result: Batched<Out>): void;
  reject(reason: unknown): void;
}

/** A request's share of a run, with what it cost it to wait. */
export interface Batched<Out> {
  readonly output: Out;
  /** Microseconds between enqueue and the start of its run. */
  readonly queueUs: number;
  /** Rows in the run it was part of. */
  readonly batchRows: number;
}

/** Runs a batch: one output per input, in order. */
export type BatchRunner<In, Out> = (
  inputs: readonly In[],
  rows: readonly number[],
) => Promise<readonly Out[]>;

export type SubmitRefusal =
  | { readonly kind: 'queue_full'; readonly maxQueueSize: number }
  | { readonly kind: 'too_many_rows'; readonly rows: number; readonly maxBatchSize: number }
  | { readonly kind: 'closed' };

/**
 * Stacks concurrent requests into runs, as Triton's dynamic batcher does: a run starts when the
 * queue holds a full batch, when a prefix of it adds up to a preferred size, or when the oldest
 * request has waited `maxQueueDelayUs`, whichever comes first, and only while fewer than
 * `maxConcurrentBatches` runs are in flight. The queue is bounded.
 */
export class DynamicBatcher<In, Out> {
  private readonly queue: Pending<In, Out>[] = [];
  private running = 0;
  private wake:
    | { readonly kind: 'timeout'; readonly handle: NodeJS.Timeout }
    | { readonly kind: 'immediate'; readonly handle: NodeJS.Immediate }
    | undefined;
  private closed = false;
  private readonly preferred: ReadonlySet<number>;
  private idle: (() => void) | undefined;

  constructor(
    private readonly policy: DynamicBatchingPolicy,
    private readonly runner: BatchRunner<In, Out>,
  ) {
    this.preferred = new Set(policy.preferredBatchSizes);
  }

  /** Requests queued, not yet running. */
  get pending(): number {
    return this.queue.length;
  }

  /** Queues a request of `rows` rows; refuses at once when the queue is full. */
  /** `cancellation` (an AbortSignal will do) is checked when the request's run starts. */
  submit(input: In, rows: number, cancellation?: Cancellation): Result<Promise<Batched<Out>>, SubmitRefusal> {
    if (this.closed) return err({ kind: 'closed' });
    if (rows > this.policy.maxBatchSize)
      return err({ kind: 'too_many_rows', rows, maxBatchSize: this.policy.maxBatchSize });
    if (this.queue.length >= this.policy.maxQueueSize)
      return err({ kind: 'queue_full', maxQueueSize: this.policy.maxQueueSize });
    const promise = new Promise<Batched<Out>>((resolve, reject) => {
      this.queue.push({ input, rows, enqueuedAt: performance.now(), cancellation, resolve, reject });
    });
    this.dispatch();
    return ok(promise);
  }

  /** Stops taking requests; resolves once every queued and running request has finished. */
  drain(): Promise<void> {
    this.closed = true;
    if (this.queue.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idle = resolve;
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.running < this.policy.maxConcurrentBatches && this.queue.length > 0) {
      const count = this.batchToStart();
      if (count === 0) return;
      this.start(this.queue.splice(0, count));
    }
    if (this.queue.length === 0 && this.running === 0) this.idle?.();
  }

  /** How many queued requests to run now (0: wait; a wake-up is scheduled). */
  private batchToStart(): number {
    const max = this.policy.maxBatchSize;
    // The longest prefix that fits, and the longest one that is exactly a preferred size.
    let rows = 0;
    let fitting = 0;
    let preferred = 0;
    for (const pending of this.queue) {
      if (rows + pending.rows > max) break;
      rows += pending.rows;
      fitting++;
      if (this.preferred.has(rows)) preferred = fitting;
    }
    const full = fitting < this.queue.length || rows === max;
    if (full) return fitting;
    if (preferred > 0) return preferred;
    const waitedUs = (performance.now() - this.queue[0]!.enqueuedAt) * 1000;
    // A closed batcher has no one left to wait for.
    if (waitedUs >= this.policy.maxQueueDelayUs || this.closed) return fitting;
    this.scheduleWake(this.policy.maxQueueDelayUs - waitedUs);
    return 0;
  }

  private scheduleWake(remainingUs: number): void {
    if (this.wake !== undefined) return;
    const fire = () => {
      this.wake = undefined;
      this.dispatch();
    };
    // setTimeout cannot wait less than a millisecond; shorter remainders poll once per event-loop
    // turn (after I/O, so newly arrived requests join the batch), which keeps sub-millisecond delays honest.
    this.wake =
      remainingUs >= 1000
        ? { kind: 'timeout', handle: setTimeout(fire, Math.floor(remainingUs / 1000)) }
        : { kind: 'immediate', handle: setImmediate(fire) };
  }

  private cancelWake(): void {
    if (this.wake?.kind === 'timeout') clearTimeout(this.wake.handle);
    else if (this.wake?.kind === 'immediate') clearImmediate(this.wake.handle);
    this.wake = undefined;
  }

  private start(taken: Pending<In, Out>[]): void {
    this.cancelWake();
    const batch: Pending<In, Out>[] = [];
    for (const pending of taken) {
      // A caller that gave up (deadline, cancel) while queued is not worth a run.
      if (pending.cancellation?.aborted) pending.reject(pending.cancellation.reason);
      else batch.push(pending);
    }
    if (batch.length === 0) return;
    const startedAt = performance.now();
    const batchRows = batch.reduce((n, p) => n + p.rows, 0);
    this.running++;
    let run: Promise<readonly Out[]>;
    try {
      run = this.runner(
        batch.map((p) => p.input),
        batch.map((p) => p.rows),
      );
    } catch (error) {
      run = Promise.reject(error);
    }
    run
      .then(
        (outputs) => {
          batch.forEach((p, i) =>
            p.resolve({ output: outputs[i]!, queueUs: (startedAt - p.enqueuedAt) * 1000, batchRows }),
          );
        },
        (error: unknown) => {
          for (const p of batch) p.reject(error);
        },
      )
      .finally(() => {
        this.running--;
        this.dispatch();
      });
  }
}

import { describe, expect, it } from 'vitest';
import { DynamicBatcher } from './dynamic-batcher.js';
import type { DynamicBatchingPolicy } from './policy.js';

const policy = (overrides: Partial<DynamicBatchingPolicy> = {}): DynamicBatchingPolicy => ({
  maxBatchSize: 8,
  maxQueueDelayUs: 50_000,
  preferredBatchSizes: [],
  maxQueueSize: 100,
  maxConcurrentBatches: 1,
  ...overrides,
});

/** A runner that records each batch and answers each input doubled; `gate` holds runs until opened. */
function recordingRunner() {
  const batches: number[][] = [];
  let open: () => void = () => undefined;
  let gate = Promise.resolve();
  return {
    batches,
    hold() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release: () => open(),
    run: async (inputs: readonly number[]) => {
      batches.push([...inputs]);
      await gate;
      return inputs.map((x) => x * 2);
    },
  };
}

const submitAll = (batcher: DynamicBatcher<number, number>, inputs: number[], rows = 1) =>
  inputs.map((x) => {
    const submitted = batcher.submit(x, rows);
    if (!submitted.ok) throw new Error(submitted.error.kind);
    return submitted.value;
  });

describe('DynamicBatcher', () => {
  it('stacks requests that arrive together into one run and gives each its own output', async () => {
    const runner = recordingRunner();
    // The delay must outlast the three submits even on a loaded machine (2 ms did not, once).
    const batcher = new DynamicBatcher<number, number>(policy({ maxQueueDelayUs: 50_000 }), runner.run);
    const results = await Promise.all(submitAll(batcher, [1, 2, 3]));
    expect(results.map((r) => r.output)).toEqual([2, 4, 6]);
    expect(runner.batches).toEqual([[1, 2, 3]]);
    expect(results.every((r) => r.batchRows === 3)).toBe(true);
  });

  it('starts a run as soon as the batch is full, without waiting out the delay', async () => {
    const runner = recordingRunner();
    // A delay far beyond the test timeout: only a full batch can start the run.
    const batcher = new DynamicBatcher<number, number>(
      policy({ maxBatchSize: 4, maxQueueDelayUs: 600_000_000 }),
      runner.run,
    );
    const results = await Promise.all(submitAll(batcher, [1, 2, 3, 4]));
    expect(results.map((r) => r.output)).toEqual([2, 4, 6, 8]);
    expect(runner.batches).toEqual([[1, 2, 3, 4]]);
  });

  it('starts a run at a preferred size', async () => {
    const runner = recordingRunner();
    const batcher = new DynamicBatcher<number, number>(
      policy({ preferredBatchSizes: [2], maxQueueDelayUs: 600_000_000 }),
      runner.run,
    );
    const results = await Promise.all(submitAll(batcher, [1, 2]));
    expect(results.map((r) => r.output)).toEqual([2, 4]);
    expect(runner.batches).toEqual([[1, 2]]);
  });

  it('never puts more rows than maxBatchSize in one run, and refuses a request larger than that', async () => {
    const runner = recordingRunner();
    const batcher = new DynamicBatcher<number, number>(
      policy({ maxBatchSize: 4, maxQueueDelayUs: 0 }),
      runner.run,
    );
    runner.hold();
    const first = submitAll(batcher, [0]);
    const rest = submitAll(batcher, [1, 2, 3], 2);
    runner.release();
    await Promise.all([...first, ...rest]);
    expect(runner.batches).toEqual([[0], [1, 2], [3]]);
    expect(batcher.submit(9, 5)).toEqual({
      ok: false,
      error: { kind: 'too_many_rows', rows: 5, maxBatchSize: 4 },
    });
  });

  it('refuses requests beyond the queue bound instead of queueing them', async () => {
    const runner = recordingRunner();
    const batcher = new DynamicBatcher<number, number>(
      policy({ maxQueueSize: 2, maxQueueDelayUs: 0 }),
      runner.run,
    );
    runner.hold();
    const running = submitAll(batcher, [1]); // taken by the run at once
    const queued = submitAll(batcher, [2, 3]);
    expect(batcher.pending).toBe(2);
    expect(batcher.submit(4, 1)).toEqual({ ok: false, error: { kind: 'queue_full', maxQueueSize: 2 } });
    runner.release();
    expect((await Promise.all([...running, ...queued])).map((r) => r.output)).toEqual([2, 4, 6]);
  });

  it('fails every request of a run that fails, and keeps serving afterwards', async () => {
    let fail = true;
    const batcher = new DynamicBatcher<number, number>(policy({ maxQueueDelayUs: 1_000 }), async (inputs) => {
      if (fail) throw new Error('boom');
      return inputs.map((x) => x);
    });
    const failed = await Promise.allSettled(submitAll(batcher, [1, 2]));
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect((await Promise.all(submitAll(batcher, [3]))).map((r) => r.output)).toEqual([3]);
  });

  it('drops a request whose caller gave up while it was queued', async () => {
    const runner = recordingRunner();
    const batcher = new DynamicBatcher<number, number>(policy({ maxQueueDelayUs: 0 }), runner.run);
    runner.hold();
    const [first] = submitAll(batcher, [1]);
    const controller = new AbortController();
    const abandoned = batcher.submit(2, 1, controller.signal);
    if (!abandoned.ok) throw new Error('refused');
    const [kept] = submitAll(batcher, [3]);
    controller.abort(new Error('cancelled by the client'));
    runner.release();
    await expect(abandoned.value).rejects.toThrow('cancelled by the client');
    await Promise.all([first, kept]);
    expect(runner.batches).toEqual([[1], [3]]);
  });

  it('drain waits for queued and running requests and then refuses new ones', async () => {
    const runner = recordingRunner();
    const batcher = new DynamicBatcher<number, number>(policy({ maxQueueDelayUs: 600_000_000 }), runner.run);
    const pending = submitAll(batcher, [1, 2]);
    await batcher.drain();
    expect((await Promise.all(pending)).map((r) => r.output)).toEqual([2, 4]);
    expect(batcher.submit(3, 1)).toEqual({ ok: false, error: { kind: 'closed' } });
  });
});

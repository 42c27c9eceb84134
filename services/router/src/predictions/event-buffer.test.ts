import { describe, expect, it } from 'vitest';
import { createEventBuffer } from './event-buffer.js';

/** A store that can be switched off, standing in for "NATS is down" in this pure queue test. */
const switchableStore = () => {
  const stored: number[] = [];
  let up = true;
  return {
    stored,
    set up(value: boolean) {
      up = value;
    },
    publish: async (n: number) => {
      await new Promise((r) => setImmediate(r));
      if (!up) throw new Error('store is down');
      stored.push(n);
    },
  };
};

describe('createEventBuffer', () => {
  it('stores everything in order while the store is up', async () => {
    const store = switchableStore();
    const buffer = createEventBuffer({ publish: store.publish, capacity: 100, concurrency: 1 });
    for (let i = 0; i < 50; i++) buffer.enqueue(i);
    expect(await buffer.flush(5_000)).toBe(true);
    expect(store.stored).toEqual(Array.from({ length: 50 }, (_, i) => i));
    await buffer.close();
  });

  it('starts publishing only after the enqueuing turn and its microtasks (the answer goes out first), in one batch', async () => {
    const published: number[][] = [];
    let batch: number[] = [];
    const buffer = createEventBuffer<number>({
      publish: async (n) => {
        batch.push(n);
        await Promise.resolve();
      },
      capacity: 100,
    });
    // Let the loop reach its idle wait first.
    await new Promise((r) => setImmediate(r));
    buffer.enqueue(1);
    buffer.enqueue(2);
    // What a handler does after enqueueing: a few awaits until its response is written.
    for (let i = 0; i < 20; i++) await Promise.resolve();
    expect(batch).toEqual([]);
    expect(buffer.size).toBe(2);
    expect(await buffer.flush(5_000)).toBe(true);
    published.push(batch);
    batch = [];
    expect(published).toEqual([[1, 2]]);
    await buffer.close();
  });

  it('keeps events while the store is down and delivers them when it is back', async () => {
    const store = switchableStore();
    store.up = false;
    const buffer = createEventBuffer({ publish: store.publish, capacity: 100, retryDelayMs: 5, maxRetryDelayMs: 20 });
    for (let i = 0; i < 10; i++) buffer.enqueue(i);
    expect(await buffer.flush(100)).toBe(false);
    expect(buffer.size).toBe(10);
    store.up = true;
    expect(await buffer.flush(5_000)).toBe(true);
    expect([...store.stored].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(buffer.dropped).toBe(0);
    await buffer.close();
  });

  it('drops the oldest beyond capacity and counts every drop', async () => {
    const store = switchableStore();
    store.up = false;
    const dropped: number[] = [];
    const buffer = createEventBuffer({ publish: store.publish, capacity: 5, retryDelayMs: 5, onDrop: (n) => dropped.push(n) });
    for (let i = 0; i < 12; i++) buffer.enqueue(i);
    await new Promise((r) => setTimeout(r, 30));
    expect(buffer.dropped).toBe(7);
    expect(dropped.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    store.up = true;
    expect(await buffer.flush(5_000)).toBe(true);
    expect([...store.stored].sort((a, b) => a - b)).toEqual([7, 8, 9, 10, 11]);
    await buffer.close();
  });

  it('enqueue returns at once even when every publish hangs', async () => {
    const buffer = createEventBuffer<number>({ publish: () => new Promise(() => undefined), capacity: 3, concurrency: 2 });
    for (let i = 0; i < 10; i++) buffer.enqueue(i);
    // The loop only runs after this synchronous burst: 3 held, 7 dropped.
    expect(buffer.size).toBe(3);
    expect(buffer.dropped).toBe(7);
    // close() gives up after the grace period instead of hanging with the publishes.
    await expect(Promise.race([buffer.flush(20), new Promise((r) => setTimeout(() => r('hung'), 1_000))])).resolves.toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { Mutex } from './mutex.js';

describe('Mutex', () => {
  it('lets one holder in at a time, in the order they asked', async () => {
    const mutex = new Mutex();
    const events: string[] = [];
    const hold = async (name: string) => {
      const release = await mutex.acquire();
      events.push(`${name} in`);
      await Promise.resolve();
      await Promise.resolve();
      events.push(`${name} out`);
      release();
    };
    await Promise.all([hold('a'), hold('b'), hold('c')]);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
  });
});

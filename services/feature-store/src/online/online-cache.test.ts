import { describe, expect, it } from 'vitest';
import { OnlineCache } from './online-cache.js';

const bytes = (n: number) => new Uint8Array([n]);

describe('OnlineCache', () => {
  it('keeps the newest event time per entity, whatever the merge order', () => {
    const cache = new OnlineCache();
    expect(cache.merge('v', 'a', 20, bytes(2))).toBe(true);
    expect(cache.merge('v', 'a', 10, bytes(1))).toBe(false);
    expect(cache.merge('v', 'a', 20, bytes(3))).toBe(true);
    expect(cache.get('v', 'a')?.eventTimeMicros).toBe(20);
    expect([...cache.get('v', 'a')!.values]).toEqual([3]);
    expect(cache.size).toBe(1);
  });

  it('copies the values: the source buffer may be reused', () => {
    const cache = new OnlineCache();
    const source = new Uint8Array([1, 2, 3]);
    cache.merge('v', 'a', 1, source.subarray(1));
    source.fill(9);
    expect([...cache.get('v', 'a')!.values]).toEqual([2, 3]);
  });

  it('stays within its bound by pushing out the oldest row of the view written, which is then incomplete', () => {
    const cache = new OnlineCache(3);
    for (const key of ['a', 'b', 'c']) cache.merge('v', key, 1, bytes(1));
    expect(cache.markComplete('v')).toBe(true);
    // Updating a held row takes no room.
    cache.merge('v', 'a', 2, bytes(2));
    expect([cache.size, cache.evictions, cache.isComplete('v')]).toEqual([3, 0, true]);

    cache.merge('v', 'd', 1, bytes(1));
    expect([cache.size, cache.evictions, cache.full]).toEqual([3, 1, true]);
    expect(cache.get('v', 'a')).toBeUndefined();
    expect(cache.get('v', 'd')).toBeDefined();
    // A miss may now be a row that was pushed out: the view must be read through.
    expect(cache.isComplete('v')).toBe(false);
    expect(cache.markComplete('v')).toBe(false);
  });

  it('takes room from the largest view when the view written holds only the new row', () => {
    const cache = new OnlineCache(3);
    cache.merge('big', 'a', 1, bytes(1));
    cache.merge('big', 'b', 1, bytes(1));
    cache.merge('small', 'x', 1, bytes(1));
    cache.merge('other', 'y', 1, bytes(1));
    expect(cache.get('big', 'a')).toBeUndefined();
    expect([cache.get('small', 'x'), cache.get('other', 'y')].every(Boolean)).toBe(true);
    expect(cache.size).toBe(3);
  });

  it('gives back the room of a dropped view, and a view dropped and reloaded can be complete again', () => {
    const cache = new OnlineCache(2);
    cache.merge('v', 'a', 1, bytes(1));
    cache.merge('v', 'b', 1, bytes(1));
    cache.merge('v', 'c', 1, bytes(1));
    cache.drop('v');
    expect(cache.size).toBe(0);
    cache.merge('v', 'a', 1, bytes(1));
    expect(cache.markComplete('v')).toBe(true);
  });

  it('refuses a bound below one row', () => {
    expect(() => new OnlineCache(0)).toThrow('maxRows: expected a whole number of at least 1, got 0');
  });
});

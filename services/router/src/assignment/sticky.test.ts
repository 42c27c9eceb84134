import { describe, expect, it } from 'vitest';
import { murmur3 } from './murmur3.js';
import { assignVariant, inShadowSample } from './sticky.js';

const KEYS = Array.from({ length: 10_000 }, (_, i) => `customer-${i}`);

const split = (variants: { name: string; weight: number }[]) => {
  const counts = new Map<string, number>();
  for (const key of KEYS) {
    const name = assignVariant(key, variants)?.name ?? '(none)';
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
};

describe('murmur3', () => {
  it('matches the reference vectors of MurmurHash3_x86_32', () => {
    expect(murmur3('', 0)).toBe(0);
    expect(murmur3('', 1)).toBe(0x514e28b7);
    expect(murmur3('hello', 0)).toBe(0x248bfa47);
    expect(murmur3('Hello, world!', 1234)).toBe(0xfaf6cdb3);
    expect(murmur3('The quick brown fox jumps over the lazy dog', 0)).toBe(0x2e4ff723);
  });
});

describe('assignVariant', () => {
  it('gives the same key the same variant every time', () => {
    const variants = [
      { name: 'a', weight: 50 },
      { name: 'b', weight: 30 },
      { name: 'c', weight: 20 },
    ];
    for (const key of KEYS.slice(0, 500)) {
      expect(assignVariant(key, variants)?.name).toBe(assignVariant(key, [...variants].reverse())?.name);
    }
  });

  it('splits 10,000 keys within 1.5 percentage points of the weights', () => {
    // Tolerance: the binomial standard deviation at p=0.5, n=10,000 is 0.5 pp; 1.5 pp is 3 sigma.
    const counts = split([
      { name: 'a', weight: 70 },
      { name: 'b', weight: 20 },
      { name: 'c', weight: 10 },
    ]);
    expect(Math.abs((counts.get('a') ?? 0) / KEYS.length - 0.7)).toBeLessThan(0.015);
    expect(Math.abs((counts.get('b') ?? 0) / KEYS.length - 0.2)).toBeLessThan(0.015);
    expect(Math.abs((counts.get('c') ?? 0) / KEYS.length - 0.1)).toBeLessThan(0.015);
  });

  it('never picks a variant of weight 0 and answers undefined when nothing has weight', () => {
    const counts = split([
      { name: 'stable', weight: 100 },
      { name: 'canary', weight: 0 },
    ]);
    expect(counts.get('stable')).toBe(KEYS.length);
    expect(assignVariant('k', [{ name: 'x', weight: 0 }])).toBeUndefined();
    expect(assignVariant('k', [])).toBeUndefined();
  });

  it('moves only keys that must move when a weight grows: all towards the grown variant', () => {
    const before = [
      { name: 'stable', weight: 90 },
      { name: 'canary', weight: 10 },
    ];
    const after = [
      { name: 'stable', weight: 75 },
      { name: 'canary', weight: 25 },
    ];
    let moved = 0;
    for (const key of KEYS) {
      const from = assignVariant(key, before)!.name;
      const to = assignVariant(key, after)!.name;
      if (from !== to) {
        moved++;
        expect({ key, from, to }).toEqual({ key, from: 'stable', to: 'canary' });
      }
    }
    // The minimum possible movement is the 15 pp of traffic that changed hands.
    expect(Math.abs(moved / KEYS.length - 0.15)).toBeLessThan(0.015);
  });

  it('moves only the removed variant’s keys when a variant is taken out (weight 0)', () => {
    const before = [
      { name: 'a', weight: 40 },
      { name: 'b', weight: 40 },
      { name: 'c', weight: 20 },
    ];
    const after = before.map((v) => (v.name === 'c' ? { ...v, weight: 0 } : v));
    for (const key of KEYS) {
      const from = assignVariant(key, before)!.name;
      if (from !== 'c') expect(assignVariant(key, after)!.name).toBe(from);
    }
  });
});

describe('inShadowSample', () => {
  it('samples about the configured fraction, stably per key', () => {
    const sampled = KEYS.filter((k) => inShadowSample(k, 'shadow-1', 0.25)).length;
    expect(Math.abs(sampled / KEYS.length - 0.25)).toBeLessThan(0.015);
    expect(KEYS.filter((k) => inShadowSample(k, 'shadow-1', 0.25))).toEqual(KEYS.filter((k) => inShadowSample(k, 'shadow-1', 0.25)));
    expect(KEYS.every((k) => inShadowSample(k, 's', 1))).toBe(true);
    expect(KEYS.some((k) => inShadowSample(k, 's', 0))).toBe(false);
  });
});

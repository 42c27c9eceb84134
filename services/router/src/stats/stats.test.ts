import { describe, expect, it } from 'vitest';
import { percentile } from './percentile.js';
import { normalCdf, twoProportionZTest, wilsonInterval } from './proportions.js';

describe('wilsonInterval', () => {
  it('matches published values', () => {
    // 81 of 263 (Wilson 1927 style example; reference computed with statsmodels proportion_confint(method="wilson")).
    const i = wilsonInterval(81, 263);
    expect(i.low).toBeCloseTo(0.2553, 3);
    expect(i.high).toBeCloseTo(0.3662, 3);
  });
  it('stays inside [0, 1] at the extremes, unlike the Wald interval', () => {
    const all = wilsonInterval(10, 10);
    expect(all.high).toBe(1);
    expect(all.low).toBeCloseTo(0.7225, 3);
    const none = wilsonInterval(0, 10);
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.2775, 3);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });
});

describe('normalCdf', () => {
  it('is the standard normal distribution function', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 5);
  });
});

describe('twoProportionZTest', () => {
  it('finds a real difference significant and no difference not', () => {
    // 0.60 vs 0.50 with 1,000 trials each: z = 4.49 (pooled p = 0.55).
    const t = twoProportionZTest(600, 1000, 500, 1000);
    expect(t.z).toBeCloseTo(4.4947, 3);
    expect(t.pValue).toBeLessThan(1e-4);
    const same = twoProportionZTest(50, 100, 50, 100);
    expect(same.z).toBe(0);
    expect(same.pValue).toBeCloseTo(1, 6);
  });
  it('answers p = 1 when it cannot be computed', () => {
    expect(twoProportionZTest(0, 0, 5, 10).pValue).toBe(1);
    expect(twoProportionZTest(10, 10, 5, 5).pValue).toBe(1);
  });
});

describe('percentile', () => {
  it('interpolates like percentile_cont', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([10], 0.99)).toBe(10);
    expect(percentile(Array.from({ length: 101 }, (_, i) => i), 0.99)).toBe(99);
    expect(percentile([], 0.5)).toBeNaN();
  });
});

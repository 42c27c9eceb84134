import { describe, expect, it } from 'vitest';
import { accuracy, auc, logLoss } from './metrics.js';

describe('auc', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one', () => {
    expect(auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(auc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
  });

  it('counts pairs: 3 of 4 positive-negative pairs ordered right is 0.75', () => {
    expect(auc([0, 1, 0, 1], [0.1, 0.35, 0.4, 0.8])).toBe(0.75);
  });

  it('counts ties as half', () => {
    expect(auc([0, 1], [0.5, 0.5])).toBe(0.5);
    expect(auc([0, 1, 1], [0.3, 0.3, 0.9])).toBe(0.75);
  });

  it('refuses a set with only one class', () => {
    expect(() => auc([1, 1], [0.2, 0.4])).toThrow(/both positive and negative/);
  });
});

describe('logLoss', () => {
  it('is the mean negative log-likelihood', () => {
    expect(logLoss([1, 0], [0.8, 0.4])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 12);
  });

  it('clips certain mistakes instead of returning Infinity', () => {
    expect(Number.isFinite(logLoss([1], [0]))).toBe(true);
  });
});

describe('accuracy', () => {
  it('thresholds probabilities at 0.5 by default', () => {
    expect(accuracy([1, 0, 1, 0], [0.9, 0.2, 0.4, 0.6])).toBe(0.5);
    expect(accuracy([1, 0], [0.3, 0.1], 0.25)).toBe(1);
  });
});

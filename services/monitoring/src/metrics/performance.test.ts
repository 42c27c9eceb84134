import { describe, expect, it } from 'vitest';
import { classificationMetrics, degradation, regressionMetrics, rocAuc, type LabelledOutcome } from './performance.js';

type Cls = Extract<LabelledOutcome, { task: 'classification' }>;
const binary = (label: string, p1: number): Cls => ({
  task: 'classification',
  label,
  predicted: p1 >= 0.5 ? '1' : '0',
  probabilities: new Map([
    ['1', p1],
    ['0', 1 - p1],
  ]),
});

describe('classification metrics (values worked by hand)', () => {
  it('ROC AUC, the sklearn docs example and ties counted half', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBeCloseTo(0.75, 12);
    expect(rocAuc([0.5, 0.5, 0.2, 0.9], [true, false, false, true])).toBeCloseTo(0.875, 12);
    expect(rocAuc([0.5, 0.7], [true, true])).toBeNaN();
  });

  it('accuracy, macro precision/recall, log loss, auc', () => {
    // labels 1,0,1,0 ; P(1) = 0.9, 0.2, 0.4, 0.6 -> predicted 1,0,0,1
    const m = classificationMetrics([binary('1', 0.9), binary('0', 0.2), binary('1', 0.4), binary('0', 0.6)]);
    expect(m['accuracy']).toBeCloseTo(0.5, 12);
    // class 0: tp 1 of 2 predicted, 1 of 2 actual; class 1 the same.
    expect(m['precision']).toBeCloseTo(0.5, 12);
    expect(m['recall']).toBeCloseTo(0.5, 12);
    expect(m['log_loss']).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.4) + Math.log(0.4)) / 4, 12);
    // positives score 0.9, 0.4; negatives 0.2, 0.6: pairs won 1,1,1,0 -> 0.75
    expect(m['auc']).toBeCloseTo(0.75, 12);
  });
});

describe('regression metrics', () => {
  it('MAE and RMSE', () => {
    const m = regressionMetrics(
      [
        [3, 2.5],
        [-0.5, 0],
        [2, 2],
        [7, 8],
      ].map(([label, predicted]) => ({ task: 'regression' as const, label: label!, predicted: predicted! })),
    );
    expect(m['mae']).toBeCloseTo(0.5, 12);
    expect(m['rmse']).toBeCloseTo(Math.sqrt(0.375), 12);
  });
});

describe('degradation against training metrics', () => {
  it('is positive when worse, in the right direction per metric', () => {
    const d = degradation({ accuracy: 0.81, rmse: 1.2, f9: 1 }, { accuracy: 0.9, rmse: 1.0 });
    expect(d['accuracy']).toBeCloseTo(0.1, 12);
    expect(d['rmse']).toBeCloseTo(0.2, 12);
    expect(d['f9']).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { modelOfSubject } from './validate.js';

describe('modelOfSubject', () => {
  it('reads the third token of a three-token subject, and nothing else', () => {
    expect(modelOfSubject('mlops.predictions.churn')).toBe('churn');
    expect(modelOfSubject('mlops.labels.fraud-v2')).toBe('fraud-v2');
    expect(modelOfSubject('mlops.predictions.')).toBe('');
    for (const subject of ['mlops.predictions', 'mlops', '', 'mlops.predictions.churn.extra', 'a.b.c.d']) expect(modelOfSubject(subject)).toBeUndefined();
  });
});

import { create } from '@bufbuild/protobuf';
import { ModelVersionSchema } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { describe, expect, it } from 'vitest';
import { diffVersions } from './version-diff.js';

describe('diffVersions', () => {
  const v = (metrics: Record<string, number>, params: Record<string, string>, commit: string) =>
    create(ModelVersionSchema, { lineage: { metrics, hyperparameters: params, codeCommit: commit, featureRefs: ['c:age'] } });

  it('lists every field with what changed; metric deltas only where both sides have the metric', () => {
    const rows = diffVersions(v({ auc: 0.9, loss: 0.3 }, { lr: '0.1' }, 'abc'), v({ auc: 0.93, f1: 0.8 }, { lr: '0.1', depth: '4' }, 'def'));
    const byField = Object.fromEntries(rows.map((r) => [r.field, r]));
    expect(byField['code commit']).toMatchObject({ from: 'abc', to: 'def', changed: true });
    expect(byField['features']).toMatchObject({ changed: false });
    expect(byField['param lr']).toMatchObject({ changed: false });
    expect(byField['param depth']).toMatchObject({ from: '-', to: '4', changed: true });
    expect(byField['metric auc']?.delta).toBeCloseTo(0.03);
    expect(byField['metric loss']).toEqual({ field: 'metric loss', from: '0.3', to: '-', changed: true });
    expect(rows.map((r) => r.field).filter((f) => f.startsWith('metric'))).toEqual(['metric auc', 'metric f1', 'metric loss']);
  });
});

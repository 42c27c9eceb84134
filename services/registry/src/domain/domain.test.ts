import { create } from '@bufbuild/protobuf';
import { LineageSchema } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { describe, expect, it } from 'vitest';
import { parseReference } from '../registry/aliases.js';
import { stableJson } from '../registry/idempotency.js';
import { validateLineage } from './lineage.js';
import { validateAlias, validateModelName } from './names.js';

describe('names', () => {
  it.each(['churn', 'churn-eu', 'Fraud_v2', '7day'])('accepts the model name %j', (name) => {
    expect(validateModelName(name).ok).toBe(true);
  });
  it.each(['', '-x', 'a.b', 'a b', 'a*', 'a>', 'a@b', 'a/b', 'x'.repeat(129)])('refuses the model name %j (not a NATS subject token)', (name) => {
    expect(validateModelName(name)).toMatchObject({ ok: false, error: { kind: 'invalid_argument', field: 'name' } });
  });
  it.each(['production', 'staging', 'champion', 'shadow_2'])('accepts the alias %j', (alias) => {
    expect(validateAlias(alias).ok).toBe(true);
  });
  it.each(['latest', 'v3', 'V12', '2fast', 'a-b', 'a.b', ''])('refuses the alias %j', (alias) => {
    expect(validateAlias(alias).ok).toBe(false);
  });
});

describe('parseReference', () => {
  it('reads every form', () => {
    expect(parseReference('churn@staging')).toEqual({ ok: true, value: { kind: 'alias', model: 'churn', alias: 'staging' } });
    expect(parseReference('churn/12')).toEqual({ ok: true, value: { kind: 'number', model: 'churn', version: 12 } });
    expect(parseReference('churn')).toEqual({ ok: true, value: { kind: 'alias', model: 'churn', alias: 'production' } });
    expect(parseReference('churn@latest')).toEqual({ ok: true, value: { kind: 'latest', model: 'churn' } });
  });
  it.each(['', 'churn@', 'churn/', 'churn/0', 'churn/x', 'churn@a@b', 'a.b@prod'])('refuses %j', (ref) => {
    expect(parseReference(ref)).toMatchObject({ ok: false, error: { field: 'reference' } });
  });
});

describe('validateLineage', () => {
  const lineage = (init: Parameters<typeof create<typeof LineageSchema>>[1]) => create(LineageSchema, init);
  it('accepts complete lineage', () => {
    const ok = validateLineage(
      lineage({
        featureRefs: ['customer:tenure', 'customer:spend'],
        metrics: { auc: 0.9 },
        referenceProfile: { features: [{ feature: 'tenure', quantileProbs: [0.5], quantiles: [3], histogram: { edges: [0, 1, 2], counts: [5, 5] } }] },
      }),
    );
    expect(ok.ok).toBe(true);
  });
  it.each([
    [lineage({ featureRefs: ['tenure'] }), 'header.lineage.feature_refs[0]'],
    [lineage({ featureRefs: ['c:a', 'c:a'] }), 'header.lineage.feature_refs[1]'],
    [lineage({ metrics: { auc: Number.NaN } }), 'header.lineage.metrics.auc'],
    [lineage({ referenceProfile: { features: [{ feature: 'x', histogram: { edges: [0, 1], counts: [1, 2] } }] } }), 'header.lineage.reference_profile.features[0].histogram'],
    [lineage({ referenceProfile: { features: [{ feature: 'x', histogram: { edges: [1, 0, 2], counts: [1, 2] } }] } }), 'header.lineage.reference_profile.features[0].histogram.edges'],
    [lineage({ referenceProfile: { features: [{ feature: 'x', quantileProbs: [0.5], quantiles: [] }] } }), 'header.lineage.reference_profile.features[0].quantiles'],
    [lineage({ referenceProfile: { features: [{ feature: 'x' }, { feature: 'x' }] } }), 'header.lineage.reference_profile.features[1].feature'],
  ])('refuses unusable lineage, naming %#', (value, field) => {
    expect(validateLineage(value)).toMatchObject({ ok: false, error: { kind: 'invalid_argument', field } });
  });
});

describe('stableJson', () => {
  it('is the same for maps in any order', () => {
    expect(stableJson({ b: 1, a: { d: 2n, c: [1, 'x'] } })).toBe(stableJson({ a: { c: [1, 'x'], d: 2n }, b: 1 }));
    expect(stableJson({ a: 1 })).not.toBe(stableJson({ a: 2 }));
  });
});

import { create } from '@bufbuild/protobuf';
import { ApplyDefinitionsRequestSchema } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { describe, expect, it } from 'vitest';
import { sampleDefinitions } from '../testing/fixtures.js';
import { planApply } from './apply-plan.js';
import { emptyCatalog } from './definitions.js';
import { selectFeatures } from './feature-selection.js';
import { validateApplyRequest } from './validate-definitions.js';

function catalog() {
  const input = validateApplyRequest(create(ApplyDefinitionsRequestSchema, sampleDefinitions()));
  if (!input.ok) throw new Error('fixture invalid');
  const plan = planApply(emptyCatalog(), input.value);
  if (!plan.ok) throw new Error('fixture refused');
  return plan.value.next;
}

describe('selectFeatures', () => {
  it('resolves a feature service in model-input order, grouped by view', () => {
    const result = selectFeatures(catalog(), { featureRefs: [], featureService: 'churn_v1' });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(result.value.refs).toEqual(['customer_stats:spend_7d', 'customer_profile:is_vip', 'customer_stats:orders_7d']);
    expect(result.value.views.map((v) => [v.view.name, v.positions])).toEqual([
      ['customer_stats', [0, 2]],
      ['customer_profile', [1]],
    ]);
  });

  it('names the bad ref, the unknown service, and refuses both refs and a service', () => {
    const c = catalog();
    expect(selectFeatures(c, { featureRefs: ['customer_stats:nope'], featureService: '' })).toMatchObject({
      ok: false,
      error: { kind: 'invalid', error: { field: 'feature_refs[0]', expected: 'a feature of view customer_stats', received: 'nope' } },
    });
    expect(selectFeatures(c, { featureRefs: ['customer_stats:spend_7d', 'merchant_stats:fraud_rate'], featureService: '' })).toMatchObject({
      ok: false,
      error: { kind: 'invalid', error: { field: 'feature_refs[1]' } },
    });
    expect(selectFeatures(c, { featureRefs: [], featureService: 'nope' })).toEqual({ ok: false, error: { kind: 'unknown_service', name: 'nope' } });
    expect(selectFeatures(c, { featureRefs: ['customer_stats:spend_7d'], featureService: 'churn_v1' })).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(selectFeatures(c, { featureRefs: [], featureService: '' })).toMatchObject({ ok: false, error: { kind: 'invalid', error: { field: 'feature_refs' } } });
  });
});

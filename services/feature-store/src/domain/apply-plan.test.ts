import { create } from '@bufbuild/protobuf';
import { ApplyDefinitionsRequestSchema, ValueType } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { describe, expect, it } from 'vitest';
import { sampleDefinitions } from '../testing/fixtures.js';
import { planApply, type ApplyPlan } from './apply-plan.js';
import { emptyCatalog, type Catalog } from './definitions.js';
import { validateApplyRequest } from './validate-definitions.js';

type Req = Parameters<typeof create<typeof ApplyDefinitionsRequestSchema>>[1];

function plan(current: Catalog, req: Req) {
  const input = validateApplyRequest(create(ApplyDefinitionsRequestSchema, req));
  if (!input.ok) throw new Error(`invalid: ${JSON.stringify(input.error)}`);
  return planApply(current, input.value);
}

function applied(current: Catalog, req: Req): ApplyPlan {
  const result = plan(current, req);
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.error)}`);
  return result.value;
}

const base = () => applied(emptyCatalog(), sampleDefinitions()).next;

const statsView = (features: { name: string; type: ValueType }[], extra: Partial<{ entity: string; ttl: { seconds: bigint; nanos: number } }> = {}) => ({
  name: 'customer_stats',
  entity: 'customer',
  features,
  ttl: { seconds: 3600n, nanos: 0 },
  owner: 'growth@example.com',
  description: 'spending over the last week',
  tags: { team: 'growth' },
  ...extra,
});

const STATS_FEATURES = [
  { name: 'spend_7d', type: ValueType.DOUBLE },
  { name: 'orders_7d', type: ValueType.INT64 },
  { name: 'segment', type: ValueType.STRING },
];

describe('planApply', () => {
  it('creates everything once, then re-applying the same definitions changes nothing', () => {
    const first = applied(emptyCatalog(), sampleDefinitions());
    expect(first.changes).toEqual([
      'created entity customer',
      'created entity merchant',
      'created feature view customer_stats (3 features)',
      'created feature view customer_profile (2 features)',
      'created feature view merchant_stats (1 features)',
      'created feature service churn_v1 (3 features)',
    ]);
    const again = applied(first.next, sampleDefinitions());
    expect(again.changes).toEqual([]);
    expect(again.writes).toEqual({ entities: [], views: [], services: [], deleteEntities: [], deleteViews: [], deleteServices: [] });
  });

  it('adds a feature and changes the TTL without touching the feature service', () => {
    const result = applied(base(), {
      featureViews: [statsView([...STATS_FEATURES, { name: 'refunds_7d', type: ValueType.INT64 }], { ttl: { seconds: 7200n, nanos: 0 } })],
    });
    expect(result.changes).toEqual(['added feature refunds_7d to feature view customer_stats', 'changed ttl of feature view customer_stats from 1h to 2h']);
    expect(result.writes.views.map((v) => v.name)).toEqual(['customer_stats']);
  });

  it('refuses to remove a feature a feature service uses, naming the service and the feature', () => {
    const result = plan(base(), { featureViews: [statsView(STATS_FEATURES.filter((f) => f.name !== 'orders_7d'))] });
    expect(result).toEqual({
      ok: false,
      error: { kind: 'breaks_feature_service', service: 'churn_v1', reason: 'feature orders_7d would be removed from feature view customer_stats' },
    });
  });

  it('refuses it too when the request re-applies the service unchanged (the models still consume it)', () => {
    const result = plan(base(), {
      featureViews: [statsView(STATS_FEATURES.filter((f) => f.name !== 'orders_7d'))],
      featureServices: [{ name: 'churn_v1', featureRefs: ['customer_stats:spend_7d', 'customer_profile:is_vip', 'customer_stats:orders_7d'] }],
    });
    expect(result).toMatchObject({ ok: false, error: { kind: 'breaks_feature_service', service: 'churn_v1' } });
  });

  it('allows removing a used feature when the same apply drops it from the service', () => {
    const result = applied(base(), {
      featureViews: [statsView(STATS_FEATURES.filter((f) => f.name !== 'orders_7d'))],
      featureServices: [{ name: 'churn_v1', featureRefs: ['customer_stats:spend_7d', 'customer_profile:is_vip'] }],
    });
    expect(result.changes).toContain('removed feature orders_7d from feature view customer_stats');
    expect(result.changes).toContain('changed feature refs of feature service churn_v1 to [customer_stats:spend_7d, customer_profile:is_vip]');
  });

  it('refuses a type change of a used feature, even when the service is re-applied as it was', () => {
    const changed = STATS_FEATURES.map((f) => (f.name === 'spend_7d' ? { ...f, type: ValueType.INT64 } : f));
    const result = plan(base(), {
      featureViews: [statsView(changed)],
      featureServices: [{ name: 'churn_v1', featureRefs: ['customer_stats:spend_7d', 'customer_profile:is_vip', 'customer_stats:orders_7d'] }],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toEqual({ kind: 'breaks_feature_service', service: 'churn_v1', reason: 'customer_stats:spend_7d would change type from double to int64' });
  });

  it('allows a type change of a feature no service uses', () => {
    const changed = STATS_FEATURES.map((f) => (f.name === 'segment' ? { ...f, type: ValueType.INT64 } : f));
    expect(applied(base(), { featureViews: [statsView(changed)] }).changes).toEqual(['changed type of customer_stats:segment from string to int64']);
  });

  it('refuses to change the entity of a used view', () => {
    const result = plan(base(), { featureViews: [statsView(STATS_FEATURES, { entity: 'merchant' })] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ kind: 'breaks_feature_service', service: 'churn_v1' });
  });

  it('refuses to delete a used view and an entity a view uses; deletes what nothing uses', () => {
    expect(plan(base(), { deleteFeatureViews: ['customer_profile'] })).toEqual({
      ok: false,
      error: { kind: 'breaks_feature_service', service: 'churn_v1', reason: 'feature view customer_profile would be deleted' },
    });
    expect(plan(base(), { deleteEntities: ['merchant'] })).toEqual({
      ok: false,
      error: { kind: 'in_use', object: 'entity merchant', usedBy: 'feature view merchant_stats' },
    });
    const deleted = applied(base(), { deleteFeatureViews: ['merchant_stats'], deleteEntities: ['merchant'], deleteFeatureServices: ['nope'] });
    expect(deleted.changes).toEqual(['deleted feature view merchant_stats and its stored rows', 'deleted entity merchant']);
    expect(deleted.next.views.has('merchant_stats')).toBe(false);
  });

  it('reports a bad reference of the request by its field path', () => {
    expect(plan(base(), { featureServices: [{ name: 'fraud', featureRefs: ['merchant_stats:fraud_rate', 'merchant_stats:nope'] }] })).toEqual({
      ok: false,
      error: {
        kind: 'invalid',
        error: { field: 'feature_services[0].feature_refs[1]', expected: 'a feature that exists', received: 'merchant_stats:nope (feature view merchant_stats has no feature nope)' },
      },
    });
    expect(plan(emptyCatalog(), { featureViews: [statsView(STATS_FEATURES)] })).toMatchObject({
      ok: false,
      error: { kind: 'invalid', error: { field: 'feature_views[0].entity' } },
    });
  });

  it('refuses a service mixing views of different entities (a row has one key)', () => {
    const result = plan(base(), { featureServices: [{ name: 'mixed', featureRefs: ['customer_stats:spend_7d', 'merchant_stats:fraud_rate'] }] });
    expect(result).toMatchObject({ ok: false, error: { kind: 'invalid', error: { field: 'feature_services[0].feature_refs' } } });
  });
});

describe('validateApplyRequest', () => {
  it('names the first malformed field', () => {
    const bad = (req: Req) => validateApplyRequest(create(ApplyDefinitionsRequestSchema, req));
    expect(bad({ entities: [{ name: 'Customer', joinKey: 'id' }] })).toMatchObject({ ok: false, error: { field: 'entities[0].name', received: 'Customer' } });
    expect(bad({ featureViews: [{ name: 'v', entity: 'e', features: [{ name: 'f' }] }] })).toMatchObject({
      ok: false,
      error: { field: 'feature_views[0].features[0].type' },
    });
    expect(bad({ featureViews: [{ name: 'v.x', entity: 'e', features: [] }] })).toMatchObject({ ok: false, error: { field: 'feature_views[0].name' } });
    expect(bad({ featureServices: [{ name: 's', featureRefs: ['no_colon'] }] })).toMatchObject({
      ok: false,
      error: { field: 'feature_services[0].feature_refs[0]', expected: 'a "view:feature" reference' },
    });
    expect(bad({ entities: [{ name: 'e', joinKey: 'id' }], deleteEntities: ['e'] })).toMatchObject({ ok: false, error: { field: 'delete_entities[0]' } });
    expect(bad({ featureViews: [{ name: 'v', entity: 'e', features: [{ name: 'f', type: ValueType.BOOL }], ttl: { seconds: -1n, nanos: 0 } }] })).toMatchObject({
      ok: false,
      error: { field: 'feature_views[0].ttl' },
    });
  });
});

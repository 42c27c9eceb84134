import { ValueType } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { describe, expect, it } from 'vitest';
import { definitionsFromYaml } from './definitions-file.js';

describe('definitionsFromYaml', () => {
  it('reads entities, views (short type names, ttl durations) and services', () => {
    const result = definitionsFromYaml(`
entities:
  - { name: customer, join_key: customer_id }
feature_views:
  - name: customer_stats
    entity: customer
    ttl: 24h
    features:
      - { name: age, type: int64 }
      - { name: spend, type: double }
feature_services:
  - { name: churn_v1, features: [customer_stats:age, customer_stats:spend] }
`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.entities[0]).toMatchObject({ name: 'customer', joinKey: 'customer_id' });
    const view = result.value.featureViews[0];
    expect(view?.ttl?.seconds).toBe(86400n);
    expect(view?.features.map((f) => f.type)).toEqual([ValueType.INT64, ValueType.DOUBLE]);
    expect(result.value.featureServices[0]?.featureRefs).toEqual(['customer_stats:age', 'customer_stats:spend']);
  });

  it('names an unknown field and a bad type instead of ignoring them', () => {
    const unknownField = definitionsFromYaml('entities:\n  - { name: customer, joinkey: id }\n');
    expect(unknownField.ok).toBe(false);
    if (!unknownField.ok) expect(unknownField.error).toMatch(/joinkey.*Entity takes: name, join_key, description/);
    const badType = definitionsFromYaml('feature_views:\n  - { name: v, entity: e, features: [{ name: a, type: decimal }] }\n');
    expect(badType.ok).toBe(false);
    if (!badType.ok) expect(badType.error).toContain('VALUE_TYPE_DECIMAL');
  });

  it('reports YAML syntax errors', () => {
    const result = definitionsFromYaml('entities: [\n');
    expect(result.ok).toBe(false);
  });
});

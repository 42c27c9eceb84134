import { create } from '@bufbuild/protobuf';
import { FeatureRowSchema, FeatureRowsSchema, type FeatureRow, type FeatureRows, type Value } from '@mlops/proto/mlops/events/v1/events_pb';
import { ApplyDefinitionsRequestSchema, ValueType, type ApplyDefinitionsRequest } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { microsToTimestamp } from '../domain/time.js';
import { boolValue, doubleValue, int64Value, stringValue } from '../domain/values.js';

/** A small catalog used across tests: customers, their stats (TTL 1 h), their profile, merchants. */
export function sampleDefinitions(): ApplyDefinitionsRequest {
  return create(ApplyDefinitionsRequestSchema, {
    entities: [
      { name: 'customer', joinKey: 'customer_id', description: 'a paying customer' },
      { name: 'merchant', joinKey: 'merchant_id' },
    ],
    featureViews: [
      {
        name: 'customer_stats',
        entity: 'customer',
        features: [
          { name: 'spend_7d', type: ValueType.DOUBLE },
          { name: 'orders_7d', type: ValueType.INT64 },
          { name: 'segment', type: ValueType.STRING },
        ],
        ttl: { seconds: 3600n, nanos: 0 },
        owner: 'growth@example.com',
        description: 'spending over the last week',
        tags: { team: 'growth' },
      },
      {
        name: 'customer_profile',
        entity: 'customer',
        features: [
          { name: 'is_vip', type: ValueType.BOOL },
          { name: 'country', type: ValueType.STRING },
        ],
      },
      { name: 'merchant_stats', entity: 'merchant', features: [{ name: 'fraud_rate', type: ValueType.DOUBLE }] },
    ],
    featureServices: [{ name: 'churn_v1', featureRefs: ['customer_stats:spend_7d', 'customer_profile:is_vip', 'customer_stats:orders_7d'] }],
  });
}

export const SECOND = 1_000_000;

export function row(entityKey: string, eventTimeMicros: number | undefined, values: Record<string, Value>): FeatureRow {
  return create(FeatureRowSchema, {
    entityKey,
    ...(eventTimeMicros === undefined ? {} : { eventTime: microsToTimestamp(eventTimeMicros) }),
    values,
  });
}

export function rows(view: string, ...items: FeatureRow[]): FeatureRows {
  return create(FeatureRowsSchema, { view, rows: items, producer: 'test' });
}

export const stats = (spend: number, orders: bigint, segment: string): Record<string, Value> => ({
  spend_7d: doubleValue(spend),
  orders_7d: int64Value(orders),
  segment: stringValue(segment),
});

export const profile = (vip: boolean, country: string): Record<string, Value> => ({ is_vip: boolValue(vip), country: stringValue(country) });

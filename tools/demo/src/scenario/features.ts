// Feature definitions, and customers' features streamed over NATS the way a producer would.
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { FeatureRowsSchema, type Value } from '@mlops/proto/mlops/events/v1/events_pb';
import { FeatureStatus, ValueType } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { ENTITY, FEATURE_REFS, FEATURE_VIEW, FEATURES, JOIN_KEY, type Customer } from './churn-data.js';
import type { PlatformClients } from './platform-clients.js';
import { waitFor } from './waiting.js';

export const FEATURE_SERVICE = 'churn_model_inputs';
const PRODUCER = 'mlops-demo';
/** Rows per FeatureRows message. */
const ROWS_PER_MESSAGE = 250;

export const featureSubject = (view: string) => `mlops.features.${view}`;
const double = (value: number): Value => ({ kind: { case: 'doubleValue', value } }) as Value;

export async function applyFeatureDefinitions(platform: PlatformClients): Promise<readonly string[]> {
  const res = await platform.featureStore.applyDefinitions({
    entities: [{ name: ENTITY, joinKey: JOIN_KEY, description: 'A subscriber of the telecom' }],
    featureViews: [
      {
        name: FEATURE_VIEW,
        entity: ENTITY,
        owner: 'growth-analytics',
        description: 'Billing and usage aggregates per customer, streamed by the billing pipeline',
        features: FEATURES.map((name) => ({ name, type: ValueType.DOUBLE })),
      },
    ],
    featureServices: [{ name: FEATURE_SERVICE, featureRefs: [...FEATURE_REFS], description: 'Inputs of the churn model, in model order' }],
  });
  return res.changes;
}

/** `features` overrides a customer's stored values (a drift, a fresh update); default: their own. */
export type FeatureValues = (customer: Customer) => readonly number[];

/** Publishes every customer's current features on mlops.features.<view>; returns the messages sent. */
export async function streamFeatures(platform: PlatformClients, customers: readonly Customer[], values: FeatureValues = (c) => c.features): Promise<number> {
  const eventTime = timestampFromDate(new Date());
  let messages = 0;
  for (let i = 0; i < customers.length; i += ROWS_PER_MESSAGE) {
    const rows = customers.slice(i, i + ROWS_PER_MESSAGE).map((customer) => {
      const v = values(customer);
      return { entityKey: customer.id, eventTime, values: Object.fromEntries(FEATURES.map((name, j) => [name, double(v[j]!)])) };
    });
    await platform.bus.publish(featureSubject(FEATURE_VIEW), FeatureRowsSchema, create(FeatureRowsSchema, { view: FEATURE_VIEW, producer: PRODUCER, rows }));
    messages++;
  }
  return messages;
}

/** The online values of one customer, in FEATURES order (undefined where not present). */
export async function onlineValues(platform: PlatformClients, customerId: string): Promise<(number | undefined)[]> {
  const res = await platform.featureStore.getOnlineFeatures({ entityKeys: [customerId], featureService: FEATURE_SERVICE });
  const row = res.rows[0];
  return FEATURE_REFS.map((_, j) => {
    const v = row?.values[j];
    return v?.status === FeatureStatus.PRESENT && v.value?.kind.case === 'doubleValue' ? v.value.kind.value : undefined;
  });
}

/**
 * Waits until the feature store serves what was streamed for these customers: each one's value of
 * `feature` equals what `values` gave it (float64 on the wire, so the comparison is exact).
 */
export async function waitUntilServed(platform: PlatformClients, customers: readonly Customer[], values: FeatureValues, timeoutMs: number): Promise<void> {
  const keys = customers.map((c) => c.id);
  const expected = new Map(customers.map((c) => [c.id, values(c)]));
  await waitFor(
    async () => {
      const res = await platform.featureStore.getOnlineFeatures({ entityKeys: keys, featureService: FEATURE_SERVICE });
      const current = res.rows.every((row) => {
        const want = expected.get(row.entityKey)!;
        return row.values.every((v, j) => v.status === FeatureStatus.PRESENT && v.value?.kind.case === 'doubleValue' && v.value.kind.value === want[j]);
      });
      return current && res.rows.length === keys.length ? true : undefined;
    },
    `the feature store to serve the features of ${keys.length} customers`,
    timeoutMs,
  );
}

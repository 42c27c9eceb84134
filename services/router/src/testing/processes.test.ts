// The process-per-service platform the router benchmark runs on: each service in its own node
// process, booted by serve.ts. One prediction with a shadow crosses every process and NATS.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { buildLogisticRegression, predictLogisticRegression } from '@mlops/model-builders';
import { PredictionEventSchema, type PredictionEvent, type Value } from '@mlops/proto/mlops/events/v1/events_pb';
import { ValueType } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { SERVICE_NODE_FLAGS } from '@mlops/runtime';
import { describe, expect, it } from 'vitest';
import { startPlatform, waitFor } from './platform.js';
import { spawnServiceProcess } from './processes.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// Booting four node processes with tsx takes a while on a busy machine: a budget, not a figure.
const BOOT_BUDGET_MS = 180_000;

describe('the platform in one process per service', () => {
  it('serves a prediction across the processes, publishes its events, and stops every process', { timeout: BOOT_BUDGET_MS }, async () => {
    const platform = await startPlatform({}, { processes: true });
    const pids = Object.values(platform.processIds);
    try {
      expect(Object.keys(platform.processIds).sort()).toEqual(['feature-store', 'inference', 'registry', 'router']);
      expect(new Set([...pids, process.pid]).size).toBe(5);
      // Each runs with the node flags of a deployed service.
      for (const pid of pids) expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toEqual(expect.arrayContaining([...SERVICE_NODE_FLAGS]));
      await platform.featureStore.applyDefinitions({
        entities: [{ name: 'customer', joinKey: 'customer_id' }],
        featureViews: [{ name: 'customer', entity: 'customer', features: ['age', 'tenure'].map((name) => ({ name, type: ValueType.DOUBLE })) }],
      });
      const num = (value: number): Value => ({ kind: { case: 'doubleValue', value } }) as Value;
      await platform.featureStore.push({
        rows: { view: 'customer', producer: 'test', rows: [{ entityKey: 'c1', eventTime: timestampFromDate(new Date()), values: { age: num(40), tenure: num(3) } }] },
      });
      const spec = { weights: [0.02, -0.1], bias: 0.1 };
      await platform.registry.createModel({ name: 'procs' });
      const version = await platform.uploadVersion('procs', buildLogisticRegression(spec), { featureRefs: ['customer:age', 'customer:tenure'] });
      await platform.router.setDeployment({
        deployment: { model: 'procs', variants: [{ name: 'main', version, weight: 1 }], shadows: [{ name: 'mirror', version, sampleRate: 1 }] },
      });

      const events: PredictionEvent[] = [];
      const consumer = await platform.bus.consume({
        name: `procs-watch-${randomBytes(4).toString('hex')}`,
        stream: 'PREDICTIONS',
        subjects: ['mlops.predictions.procs'],
        schema: PredictionEventSchema,
        handler: async ({ message }) => void events.push(message),
      });
      try {
        const answer = await platform.router.predict({ model: 'procs', entityKey: 'c1' });
        expect(answer.outputs[0]!.values[0]).toBeCloseTo(predictLogisticRegression(spec, [[40, 3]])[0]!, 5);
        await waitFor(() => events.length >= 2, 'the prediction and its shadow comparison');
        const prediction = events.find((e) => e.kind.case === 'prediction');
        const shadow = events.find((e) => e.kind.case === 'shadow');
        expect(prediction?.kind.case === 'prediction' && prediction.kind.value.predictionId).toBe(answer.predictionId);
        expect(prediction?.kind.case === 'prediction' && Object.keys(prediction.kind.value.inputs).sort()).toEqual(['customer:age', 'customer:tenure']);
        expect(shadow?.kind.case === 'shadow' && shadow.kind.value.shadowOutputs[0]!.values).toEqual(answer.outputs[0]!.values);
      } finally {
        await consumer.stop();
      }
    } finally {
      await platform.close();
    }
    expect(pids.filter(alive)).toEqual([]);
  });

  it('reports a service that cannot start, with its reason', { timeout: BOOT_BUDGET_MS }, async () => {
    await expect(spawnServiceProcess('router', { env: { DATABASE_URL: 'not a url' }, natsNamespace: 'unused' })).rejects.toThrow(/router failed to start: .*DATABASE_URL/s);
  });
});

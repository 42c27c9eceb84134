import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { createClient } from '@mlops/grpc';
import { buildLogisticRegression, seededRandom } from '@mlops/model-builders';
import { GRPCInferenceService } from '@mlops/proto/inference/grpc_predict_v2_pb';
import type { Value } from '@mlops/proto/mlops/events/v1/events_pb';
import { ValueType } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { startPlatform } from '@mlops/router/testing';
import { ratioFigure, type Benchmark } from '../result.js';
import { interleave, median, sequentialLatency } from '../stats.js';

const FEATURE_NAMES = ['age', 'tenure', 'spend', 'visits', 'tickets', 'discount', 'balance', 'score'];
const ENTITIES = 200;
const ROUNDS = 3;
const CALLS = 600;

const num = (value: number): Value => ({ kind: { case: 'doubleValue', value } }) as Value;
const entityValues = (i: number): number[] => FEATURE_NAMES.map((_, j) => ((i * 7 + j * 13) % 50) / 10 - 2.5);

/**
 * Predict end to end (router → feature-store lookup → inference) against calling inference
 * directly with the same model and the same feature values; and what a shadow mirroring every
 * request adds to the primary's latency.
 */
export const router: Benchmark = {
  name: 'router',
  issue: 'router Predict overhead and shadow cost (services/router)',
  async run() {
    const platform = await startPlatform();
    const inference = createClient(GRPCInferenceService, platform.inferenceAddress, { defaultDeadlineMs: 60_000 });
    try {
      const random = seededRandom(21);
      const onnx = buildLogisticRegression({ weights: FEATURE_NAMES.map(() => random() * 2 - 1), bias: 0.2 });
      const refs = FEATURE_NAMES.map((f) => `customer:${f}`);

      await platform.featureStore.applyDefinitions({
        entities: [{ name: 'customer', joinKey: 'customer_id' }],
        featureViews: [{ name: 'customer', entity: 'customer', features: FEATURE_NAMES.map((name) => ({ name, type: ValueType.DOUBLE })) }],
      });
      const now = timestampFromDate(new Date());
      await platform.featureStore.push({
        rows: {
          view: 'customer',
          producer: 'bench',
          rows: Array.from({ length: ENTITIES }, (_, i) => ({
            entityKey: `c${i}`,
            eventTime: now,
            values: Object.fromEntries(FEATURE_NAMES.map((f, j) => [f, num(entityValues(i)[j]!)])),
          })),
        },
      });

      // Two models with the same bytes: one served alone, one mirrored to a shadow at 100 %.
      for (const model of ['plain', 'shadowed']) await platform.registry.createModel({ name: model });
      const plain = await platform.uploadVersion('plain', onnx, { featureRefs: refs });
      const primary = await platform.uploadVersion('shadowed', onnx, { featureRefs: refs });
      const shadow = await platform.uploadVersion('shadowed', onnx, { featureRefs: refs });
      await platform.router.setDeployment({ deployment: { model: 'plain', variants: [{ name: 'main', version: plain, weight: 1 }] } });
      await platform.router.setDeployment({
        deployment: {
          model: 'shadowed',
          variants: [{ name: 'main', version: primary, weight: 1 }],
          shadows: [{ name: 'mirror', version: shadow, sampleRate: 1 }],
        },
      });

      let i = 0;
      const predict = (model: string) => () => platform.router.predict({ model, entityKey: `c${i++ % ENTITIES}` });
      // What the router sends inference for the same entity: one row of typed FP32 contents.
      const direct = () => {
        const values = entityValues(i++ % ENTITIES);
        return inference.modelInfer({
          modelName: 'plain',
          modelVersion: String(plain),
          inputs: [{ name: 'features', datatype: 'FP32', shape: [1n, BigInt(FEATURE_NAMES.length)], contents: { fp32Contents: values } }],
        });
      };

      const endToEnd = await interleave(ROUNDS, () => sequentialLatency(predict('plain'), CALLS, 100), () => sequentialLatency(direct, CALLS, 100));
      const shadowed = await interleave(
        ROUNDS,
        () => sequentialLatency(predict('shadowed'), CALLS, 100),
        () => sequentialLatency(predict('plain'), CALLS, 100),
      );
      const p50 = median(endToEnd.a.map((s) => s.p50));
      const p99 = median(endToEnd.a.map((s) => s.p99));
      const directP50 = median(endToEnd.b.map((s) => s.p50));
      const directP99 = median(endToEnd.b.map((s) => s.p99));
      const withShadowP50 = median(shadowed.a.map((s) => s.p50));
      const withoutShadowP50 = median(shadowed.b.map((s) => s.p50));
      return {
        name: this.name,
        issue: this.issue,
        figures: [
          ratioFigure(
            'Predict p50, end to end, sequential',
            p50,
            'ms',
            { label: 'ModelInfer of the same model and values, direct', value: directP50 },
            { text: '≤ 2.2×', test: (r) => r <= 2.2 },
          ),
          ratioFigure('Predict p99, end to end, sequential', p99, 'ms', { label: 'ModelInfer direct', value: directP99 }),
          ratioFigure(
            'Predict p50 with a shadow at 100 %',
            withShadowP50,
            'ms',
            { label: 'Predict p50 without a shadow', value: withoutShadowP50 },
            { text: '≤ 1.1×', test: (r) => r <= 1.1 },
          ),
        ],
        notes: [
          `Registry, feature-store, inference and router booted in this process (PostgreSQL, NATS); logistic regression over ${FEATURE_NAMES.length} online features of ${ENTITIES} entities.`,
          `Median of ${ROUNDS} interleaved rounds of ${CALLS} sequential calls; the direct call sends the same row as typed FP32 contents, as the router does.`,
          'The shadow runs after the primary answer is sent, so its cost shows as load on the shared process, not as waiting.',
        ],
      };
    } finally {
      inference.close();
      await platform.close();
    }
  },
};

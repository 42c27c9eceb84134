import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { createClient } from '@mlops/grpc';
import { buildLogisticRegression, seededRandom } from '@mlops/model-builders';
import { GRPCInferenceService, ModelInferRequestSchema, ModelInferResponseSchema } from '@mlops/proto/inference/grpc_predict_v2_pb';
import { FeatureStoreService, GetOnlineFeaturesRequestSchema, GetOnlineFeaturesResponseSchema } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { PredictRequestSchema, PredictResponseSchema } from '@mlops/proto/mlops/router/v1/router_pb';
import type { Value } from '@mlops/proto/mlops/events/v1/events_pb';
import { ValueType } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { readFileSync } from 'node:fs';
import { DEFAULT_ROUTER_OPTIONS } from '@mlops/router';
import { startPlatform } from '@mlops/router/testing';
import { startBareChain, type BareChain } from '../bare-chain/index.js';
import { cpuProfileFlags } from '../cpu-profile.js';
import { bareClient } from './bare-echo.js';
import { ratioFigure, type Benchmark } from '../result.js';
import { median, sequentialLatency, type LatencySummary } from '../stats.js';

const FEATURE_NAMES = ['age', 'tenure', 'spend', 'visits', 'tickets', 'discount', 'balance', 'score'];
const ENTITIES = 200;
const ROUNDS = 3;
const CALLS = 400;
const WARMUP = 100;

const num = (value: number): Value => ({ kind: { case: 'doubleValue', value } }) as Value;
const entityValues = (i: number): number[] => FEATURE_NAMES.map((_, j) => ((i * 7 + j * 13) % 50) / 10 - 2.5);

type Service = 'router' | 'feature-store' | 'inference';
const SERVICES: readonly Service[] = ['router', 'feature-store', 'inference'];

/** CPU time (user + system) a process has used, in ms, from /proc (Linux; 10 ms ticks, so summed over many calls). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

interface Measured {
  readonly latency: LatencySummary;
  /** CPU ms per call in each service's process while the calls ran. */
  readonly cpu: Record<Service, number>;
}

/** sequentialLatency, plus each service process's CPU time per call over the measured calls. */
async function measure(fn: () => Promise<unknown>, pids: Partial<Record<Service, number>>): Promise<Measured> {
  const read = () => Object.fromEntries(SERVICES.map((s) => [s, pids[s] === undefined ? NaN : cpuMs(pids[s])])) as Record<Service, number>;
  for (let i = 0; i < WARMUP; i++) await fn();
  const before = read();
  const latency = await sequentialLatency(fn, CALLS, 0);
  const after = read();
  return { latency, cpu: Object.fromEntries(SERVICES.map((s) => [s, (after[s] - before[s]) / CALLS])) as Record<Service, number> };
}

/**
 * Predict end to end (router → feature-store lookup → inference) against calling inference
 * directly with the same model and the same feature values; and what a shadow mirroring every
 * request adds to the primary's latency.
 */
export const router: Benchmark = {
  name: 'router',
  issue: 'router Predict overhead and shadow cost (services/router)',
  async run() {
    // ROUTER_BENCH_CPU_PROF=<dir> writes a CPU profile of the router process.
    const profile = cpuProfileFlags('ROUTER_BENCH_CPU_PROF');
    // The router as configured in production (startPlatform's defaults suit tests: a 200 ms canary tick, 50 ms outcome flushes).
    const routerEnv = {
      MLOPS_ROUTER_CANARY_TICK_MS: String(DEFAULT_ROUTER_OPTIONS.canaryTickMs),
      MLOPS_ROUTER_OUTCOME_FLUSH_MS: String(DEFAULT_ROUTER_OPTIONS.outcomeFlushMs),
    };
    const platform = await startPlatform(routerEnv, { processes: true, execArgv: { router: profile } });
    const inference = createClient(GRPCInferenceService, platform.inferenceAddress, { defaultDeadlineMs: 60_000 });
    let chain: BareChain | undefined;
    const featureStore = createClient(FeatureStoreService, platform.featureStoreAddress, { defaultDeadlineMs: 60_000 });
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

      // Predict with every feature sent inline: no feature-store hop, the floor a router-side feature cache could reach.
      const inline = () => {
        const values = entityValues(i++ % ENTITIES);
        return platform.router.predict({ model: 'plain', features: Object.fromEntries(refs.map((ref, j) => [ref, num(values[j]!)])) });
      };

      // The feature hop alone: what the router asks the feature store for one entity.
      const features = () => featureStore.getOnlineFeatures({ entityKeys: [`c${i++ % ENTITIES}`], featureRefs: refs });

      // The floor of this topology: the same three processes and calls, with the same bytes, in bare grpc-js.
      const sizes = {
        entry: {
          request: toBinary(PredictRequestSchema, create(PredictRequestSchema, { model: 'plain', entityKey: 'c0' })).byteLength,
          reply: toBinary(PredictResponseSchema, await predict('plain')()).byteLength,
        },
        feature: {
          request: toBinary(GetOnlineFeaturesRequestSchema, create(GetOnlineFeaturesRequestSchema, { entityKeys: ['c0'], featureRefs: refs })).byteLength,
          reply: toBinary(GetOnlineFeaturesResponseSchema, await features()).byteLength,
        },
        inference: {
          request: toBinary(
            ModelInferRequestSchema,
            create(ModelInferRequestSchema, {
              modelName: 'plain',
              modelVersion: String(plain),
              inputs: [{ name: 'features', datatype: 'FP32', shape: [1n, BigInt(FEATURE_NAMES.length)], contents: { fp32Contents: entityValues(0) } }],
            }),
          ).byteLength,
          reply: toBinary(ModelInferResponseSchema, await direct()).byteLength,
        },
      };
      chain = await startBareChain(sizes);
      const chainEntry = bareClient(chain.entryAddress);
      const chainLast = bareClient(chain.lastAddress);
      const entryRequest = Buffer.alloc(sizes.entry.request, 1);
      const lastRequest = Buffer.alloc(sizes.inference.request, 1);
      const bareChainCall = () => chainEntry.call(entryRequest);
      const bareDirectCall = () => chainLast.call(lastRequest);

      // Every round measures each, one after the other, so each sees the same machine conditions.
      const pids = platform.processIds;
      const rounds: Record<'predict' | 'direct' | 'features' | 'shadowed' | 'inline' | 'bareChain' | 'bareDirect', Measured[]> = {
        predict: [],
        direct: [],
        features: [],
        shadowed: [],
        inline: [],
        bareChain: [],
        bareDirect: [],
      };
      try {
        for (let round = 0; round < ROUNDS; round++) {
          rounds.predict.push(await measure(predict('plain'), pids));
          rounds.direct.push(await measure(direct, pids));
          rounds.features.push(await measure(features, pids));
          rounds.shadowed.push(await measure(predict('shadowed'), pids));
          rounds.inline.push(await measure(inline, pids));
          rounds.bareChain.push(await measure(bareChainCall, {}));
          rounds.bareDirect.push(await measure(bareDirectCall, {}));
        }
      } finally {
        chainEntry.close();
        chainLast.close();
      }
      const p50Of = (xs: Measured[]) => median(xs.map((s) => s.latency.p50));
      const cpuOf = (xs: Measured[], service: Service) => median(xs.map((s) => s.cpu[service]));
      const p50 = p50Of(rounds.predict);
      const p99 = median(rounds.predict.map((s) => s.latency.p99));
      const directP50 = p50Of(rounds.direct);
      const directP99 = median(rounds.direct.map((s) => s.latency.p99));
      const featuresP50 = p50Of(rounds.features);
      const withShadowP50 = p50Of(rounds.shadowed);
      const withoutShadowP50 = p50;
      // What is left of Predict once its two upstream calls (each timed as a direct call) are taken out.
      const routerShareP50 = p50 - directP50 - featuresP50;
      const directInferenceCpu = cpuOf(rounds.direct, 'inference');
      const bareChainP50 = p50Of(rounds.bareChain);
      const bareDirectP50 = p50Of(rounds.bareDirect);
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
          ratioFigure('the floor of this topology: bare grpc-js chain p50 (pass-through router → feature echo, then inference echo; same bytes, same processes)', bareChainP50, 'ms', {
            label: 'the bare inference echo called directly',
            value: bareDirectP50,
          }),
          ratioFigure('Predict p50 against the bare chain', p50, 'ms', { label: 'bare grpc-js chain p50', value: bareChainP50 }),
          ratioFigure('Predict p50, every feature inline (no feature-store hop)', p50Of(rounds.inline), 'ms', { label: 'ModelInfer direct', value: directP50 }),
          ratioFigure('feature hop: GetOnlineFeatures p50, 1 entity × 8 refs, direct', featuresP50, 'ms', { label: 'ModelInfer direct', value: directP50 }),
          ratioFigure('router hop and CPU: Predict p50 − GetOnlineFeatures p50 − ModelInfer p50', routerShareP50, 'ms', { label: 'ModelInfer direct', value: directP50 }),
          ratioFigure('router CPU per Predict', cpuOf(rounds.predict, 'router'), 'ms', { label: 'inference CPU per direct ModelInfer', value: directInferenceCpu }),
          ratioFigure('feature-store CPU per Predict', cpuOf(rounds.predict, 'feature-store'), 'ms', { label: 'inference CPU per direct ModelInfer', value: directInferenceCpu }),
          ratioFigure('inference CPU per Predict', cpuOf(rounds.predict, 'inference'), 'ms', { label: 'inference CPU per direct ModelInfer', value: directInferenceCpu }),
          ratioFigure('router CPU per Predict with a shadow at 100 %', cpuOf(rounds.shadowed, 'router'), 'ms', { label: 'router CPU per Predict without a shadow', value: cpuOf(rounds.predict, 'router') }),
          ratioFigure(
            'Predict p50 with a shadow at 100 %',
            withShadowP50,
            'ms',
            { label: 'Predict p50 without a shadow', value: withoutShadowP50 },
            { text: '≤ 1.1×', test: (r) => r <= 1.1 },
          ),
        ],
        notes: [
          `Registry, feature-store, inference and router each run as their own node process (serve.ts boots the service's spec as its main.ts does, in a NATS namespace of its own), with PostgreSQL and NATS JetStream; the load generator is this process. Logistic regression over ${FEATURE_NAMES.length} online features of ${ENTITIES} entities.`,
          `Median of ${ROUNDS} rounds; each round runs ${CALLS} sequential calls (after ${WARMUP} unmeasured) of Predict, direct ModelInfer, direct GetOnlineFeatures, Predict with a shadow and Predict with every feature inline, in that order. The direct call sends the same row as typed FP32 contents, as the router does.`,
          'Time split: the feature and inference hops are timed as direct calls from the load generator; the rest of Predict is the router: one more gRPC hop plus its own CPU. CPU per call is each process\'s user + system time (/proc) over the measured calls, divided by their number; it includes work a call leaves behind (event publishing, outcome writes), and on a loaded machine the CPU per call of every process grows.',
          `The router runs with its production settings (canary tick ${DEFAULT_ROUTER_OPTIONS.canaryTickMs} ms, outcome flush ${DEFAULT_ROUTER_OPTIONS.outcomeFlushMs} ms) and publishes every prediction event to JetStream.`,
          'The shadow runs in the router after the primary answer is sent, its inference call overlapping the next primary request; its cost shows as load on the router and inference processes, not as waiting.',
          `The bare chain (bare-chain/): three more node processes of plain grpc-js with raw bytes, a pass-through "router" that calls a "feature" echo and then an "inference" echo per call, each request and reply the size of the real message (Predict ${sizes.entry.request}/${sizes.entry.reply} B, GetOnlineFeatures ${sizes.feature.request}/${sizes.feature.reply} B, ModelInfer ${sizes.inference.request}/${sizes.inference.reply} B); its ratio to the bare "inference" echo called directly is what the topology costs before any service does any work, measured in the same rounds.`,
        ],
      };
    } finally {
      inference.close();
      featureStore.close();
      await chain?.close();
      await platform.close();
    }
  },
};

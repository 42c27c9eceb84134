import { context, type Context } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { failedPrecondition, invalidArgument, isRpcError, statusName, type Client, type RpcError } from '@mlops/grpc';
import type { GRPCInferenceService } from '@mlops/proto/inference/grpc_predict_v2_pb';
import { PredictionEventSchema, type PredictionEvent, type Tensor, type Value } from '@mlops/proto/mlops/events/v1/events_pb';
import { FeatureStatus, type FeatureStoreService } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { currentTraceId } from '@mlops/telemetry';
import type { Logger } from 'pino';
import { assignVariant, inShadowSample } from '../assignment/sticky.js';
import { CANARY_VARIANT, type ActiveCanary } from '../deployments/deployment-cache.js';
import { IMPLICIT_VARIANT, type LiveVariant, type MissingFeaturePolicy, type ShadowVariant } from '../deployments/deployment.js';
import { describeMissing, resolveFeatureRow, resolveOverrides, type StoredFeature } from '../features/feature-values.js';
import { buildInputTensors } from '../features/input-tensors.js';
import { decodeOutputs, predictedLabel, primaryScore, sliceRow } from '../features/output-tensors.js';
import type { RouterMetrics } from '../metrics.js';
import type { OutcomeRecorders } from '../outcomes/recorders.js';
import type { EventBuffer } from '../predictions/event-buffer.js';
import type { BackgroundCalls } from '../shadow/background-calls.js';
import type { ModelCatalog, ModelVersionInfo } from './model-catalog.js';
import { upstreamError } from './upstream-errors.js';

/** One entity to predict for. */
export interface PredictItem {
  readonly entityKey: string;
  /** What sticky assignment hashes (the entity key when the caller gave none). */
  readonly requestKey: string;
  readonly overrides: Readonly<Record<string, Value>>;
}

export interface PredictionResult {
  readonly predictionId: string;
  readonly model: string;
  readonly version: bigint;
  readonly variant: string;
  readonly outputs: Tensor[];
  readonly traceId: string;
}

/** A prediction event waiting in the buffer for NATS. */
export interface PendingEvent {
  readonly subject: string;
  /**
   * Builds the message when it is published: building it (a map of inputs, tensors, timestamps)
   * is work the caller's answer need not wait for. Its inputs are immutable, so every call (a
   * retried publish) builds the same message.
   */
  readonly build: () => PredictionEvent;
  readonly msgId: string;
  /**
   * The request's trace context: the buffer publishes later, from its own loop, and without this
   * the publish (and monitoring's work on the event) would start a trace of its own.
   */
  readonly traceContext: Context;
}

/** The serving view of a model: its deployment, or the implicit one (production alias, all traffic). */
export interface ServingPlan {
  readonly variants: readonly LiveVariant[];
  readonly shadows: readonly ShadowVariant[];
  readonly missingFeatures: MissingFeaturePolicy;
  readonly canary: ActiveCanary | undefined;
}

export interface PredictorDeps {
  readonly plan: (model: string) => Promise<ServingPlan>;
  readonly catalog: ModelCatalog;
  readonly featureStore: Client<typeof FeatureStoreService>;
  readonly inference: Client<typeof GRPCInferenceService>;
  readonly recorders: OutcomeRecorders;
  readonly events: EventBuffer<PendingEvent>;
  /** Separate limits: shadows must not starve the canary's divergence measurements, nor the reverse. */
  readonly background: { readonly shadow: BackgroundCalls; readonly divergence: BackgroundCalls };
  readonly metrics: RouterMetrics;
  readonly logger?: Logger;
  readonly featureDeadlineMs: number;
  readonly inferenceDeadlineMs: number;
}

export interface Predictor {
  /** Serves items of one model; rows assigned the same variant share one feature lookup and one inference call. */
  predict(model: string, items: readonly PredictItem[], options: { forceVariant?: string; signal?: AbortSignal }): Promise<PredictionResult[]>;
}

/** Stored features per entity key, shared by the primary call and its shadows. */
type FeatureCache = Map<string, Map<string, StoredFeature>>;

interface PreparedRows {
  readonly info: ModelVersionInfo;
  readonly rows: Value[][];
}

const elapsedMs = (start: number) => performance.now() - start;

const STATUS_REASON: Partial<Record<FeatureStatus, StoredFeature>> = {
  [FeatureStatus.NOT_FOUND]: { kind: 'missing', reason: 'not_found' },
  [FeatureStatus.EXPIRED]: { kind: 'missing', reason: 'expired' },
};

export const predictionsSubject = (model: string) => `mlops.predictions.${model}`;

export function createPredictor(deps: PredictorDeps): Predictor {
  const log = deps.logger;

  /** Fetches the stored values the rows need that the cache does not hold yet. */
  async function fetchFeatures(info: ModelVersionInfo, items: readonly PredictItem[], overrides: readonly Map<string, Value>[], cache: FeatureCache, signal?: AbortSignal): Promise<void> {
    if (!info.lookup) return;
    const refs = new Set<string>();
    const keys = new Set<string>();
    items.forEach((item, i) => {
      const held = cache.get(item.entityKey);
      for (const ref of info.features) {
        if (overrides[i]!.has(ref) || held?.has(ref)) continue;
        refs.add(ref);
        keys.add(item.entityKey);
      }
    });
    if (refs.size === 0) return;
    let response;
    try {
      response = await deps.featureStore.getOnlineFeatures({ entityKeys: [...keys], featureRefs: [...refs] }, { deadlineMs: deps.featureDeadlineMs, ...(signal ? { signal } : {}) });
    } catch (e) {
      throw upstreamError('feature store', e, `looking up ${refs.size} feature(s) of model ${JSON.stringify(info.model)}`);
    }
    for (const row of response.rows) {
      const held = cache.get(row.entityKey) ?? new Map<string, StoredFeature>();
      response.featureRefs.forEach((ref, j) => {
        const v = row.values[j];
        const stored: StoredFeature =
          v && v.status === FeatureStatus.PRESENT && v.value ? { kind: 'present', value: v.value } : (STATUS_REASON[v?.status ?? FeatureStatus.NOT_FOUND] ?? { kind: 'missing', reason: 'not_found' });
        held.set(ref, stored);
      });
      cache.set(row.entityKey, held);
    }
  }

  /** Feature rows for one version: inline values, then stored, then defaults; a missing one fails the call. */
  async function prepare(model: string, version: bigint, items: readonly PredictItem[], policy: MissingFeaturePolicy, cache: FeatureCache, signal?: AbortSignal): Promise<PreparedRows> {
    const info = await deps.catalog.version(model, version);
    const overrides = items.map((item, i) => {
      const resolved = resolveOverrides(info.features, item.overrides);
      if (!resolved.ok) throw invalidArgument(items.length > 1 ? `requests[${i}].features[${JSON.stringify(resolved.error.key)}]` : `features[${JSON.stringify(resolved.error.key)}]`, resolved.error.expected);
      return resolved.value;
    });
    await fetchFeatures(info, items, overrides, cache, signal);
    const rows = items.map((item, i) => {
      const row = resolveFeatureRow(info.features, cache.get(item.entityKey) ?? new Map(), overrides[i]!, policy);
      if (!row.ok) {
        throw failedPrecondition(
          `model ${JSON.stringify(model)} version ${version}: missing features for entity ${JSON.stringify(item.entityKey)}: ${describeMissing(row.error)}` +
            (policy.kind === 'reject' ? ' (policy: reject; declare defaults or send them inline)' : ' (no default declared)'),
        );
      }
      return row.value;
    });
    return { info, rows };
  }

  /** One ModelInfer call for prepared rows; returns per-row outputs. */
  async function infer(model: string, prepared: PreparedRows, id: string, signal?: AbortSignal): Promise<Tensor[][]> {
    const inputs = buildInputTensors(prepared.info.layout, prepared.info.features, prepared.rows);
    if (!inputs.ok) throw failedPrecondition(`model ${JSON.stringify(model)} version ${prepared.info.version}: ${inputs.error}`);
    let response;
    try {
      response = await deps.inference.modelInfer(
        { modelName: model, modelVersion: prepared.info.version.toString(), id, inputs: inputs.value },
        { deadlineMs: deps.inferenceDeadlineMs, ...(signal ? { signal } : {}) },
      );
    } catch (e) {
      throw upstreamError('inference', e, `running model ${JSON.stringify(model)} version ${prepared.info.version}`);
    }
    const decoded = decodeOutputs(response);
    if (!decoded.ok) throw upstreamError('inference', new Error(decoded.error), `running model ${JSON.stringify(model)} version ${prepared.info.version}`);
    return prepared.rows.map((_, r) => sliceRow(decoded.value, r));
  }

  const fedInputs = (info: ModelVersionInfo, row: readonly Value[]): Record<string, Value> => Object.fromEntries(info.features.map((ref, j) => [ref, row[j]!]));

  function publishPrediction(model: string, build: () => PredictionEvent, msgId: string) {
    deps.events.enqueue({ subject: predictionsSubject(model), build, msgId, traceContext: context.active() });
  }

  /** Mirrors a group to each sampled shadow after the answer is sent; publishes every comparison. */
  function mirrorToShadows(model: string, plan: ServingPlan, variant: LiveVariant, items: readonly PredictItem[], ids: readonly string[], outputs: readonly Tensor[][], latencyMs: number, cache: FeatureCache, traceId: string, servedAt: Date) {
    for (const shadow of plan.shadows) {
      const picked = items.map((item, i) => i).filter((i) => inShadowSample(items[i]!.requestKey, shadow.name, shadow.sampleRate));
      if (picked.length === 0) continue;
      deps.background.shadow.run(async (signal) => {
        const start = performance.now();
        let shadowOutputs: Tensor[][] | undefined;
        let errorCode = '';
        try {
          const prepared = await prepare(model, shadow.version, picked.map((i) => items[i]!), plan.missingFeatures, cache, signal);
          shadowOutputs = await infer(model, prepared, `${ids[picked[0]!]}.shadow`, signal);
        } catch (e) {
          // Past the shadow's own deadline the upstream call was cancelled by it: report the deadline.
          errorCode = signal.aborted ? 'DEADLINE_EXCEEDED' : isRpcError(e) ? statusName(e.code) : 'INTERNAL';
        }
        const shadowLatency = elapsedMs(start);
        picked.forEach((i, k) => {
          publishPrediction(
            model,
            () => create(PredictionEventSchema, {
              kind: {
                case: 'shadow',
                value: {
                  predictionId: ids[i]!,
                  model,
                  primaryVariant: variant.name,
                  primaryVersion: variant.version,
                  shadowVariant: shadow.name,
                  shadowVersion: shadow.version,
                  primaryOutputs: outputs[i]!,
                  shadowOutputs: shadowOutputs?.[k] ?? [],
                  primaryLatencyMs: latencyMs,
                  shadowLatencyMs: shadowLatency,
                  shadowErrorCode: errorCode,
                  traceId,
                  servedAt: timestampFromDate(servedAt),
                },
              },
            }),
            `${ids[i]}.shadow.${shadow.name}`,
          );
        });
        // Counted as an error by the executor, never surfaced to the primary caller.
        if (errorCode) throw new Error(`shadow ${shadow.name} failed: ${errorCode}`);
      });
    }
  }

  /** During a canary, candidate answers are compared with the stable version's on the same rows. */
  function mirrorToStable(model: string, canary: ActiveCanary, rows: readonly Value[][], items: readonly PredictItem[], ids: readonly string[], outputs: readonly Tensor[][], cache: FeatureCache) {
    deps.background.divergence.run(async (signal) => {
      const candidateInfo = await deps.catalog.version(model, canary.candidateVersion);
      const stableInfo = await deps.catalog.version(model, canary.stableVersion);
      // Same feature list: feed exactly the candidate's rows; otherwise the stable version's own.
      const prepared: PreparedRows =
        stableInfo.features.join('\n') === candidateInfo.features.join('\n')
          ? { info: stableInfo, rows: [...rows] }
          : await prepare(model, canary.stableVersion, items, { kind: 'reject' }, cache, signal);
      const stable = await infer(model, prepared, `${ids[0]}.stable`, signal);
      const at = new Date();
      ids.forEach((id, i) => {
        const a = primaryScore(outputs[i]!);
        const b = primaryScore(stable[i] ?? []);
        if (a === undefined || b === undefined) return;
        deps.recorders.divergences.add({ predictionId: id, model, candidateVersion: canary.candidateVersion, stableVersion: canary.stableVersion, divergence: Math.abs(a - b), at });
      });
    });
  }

  /** Serves one variant's group: the hot path. */
  async function serveGroup(model: string, plan: ServingPlan, variant: LiveVariant, items: readonly PredictItem[], signal: AbortSignal | undefined): Promise<PredictionResult[]> {
    const start = performance.now();
    const servedAt = new Date();
    const traceId = currentTraceId() ?? '';
    const ids = items.map(() => randomUUID());
    const cache: FeatureCache = new Map();
    let prepared: PreparedRows | undefined;
    try {
      prepared = await prepare(model, variant.version, items, plan.missingFeatures, cache, signal);
      const outputs = await infer(model, prepared, ids[0]!, signal);
      const latencyMs = elapsedMs(start);
      deps.metrics.prediction(model, variant.name, 'ok', latencyMs / 1000);
      const info = prepared.info;
      const rows = prepared.rows;
      items.forEach((item, i) => {
        const out = outputs[i]!;
        deps.recorders.outcomes.add({
          predictionId: ids[i]!,
          model,
          variant: variant.name,
          version: variant.version,
          servedAt,
          latencyMs,
          errorCode: undefined,
          score: primaryScore(out),
          predictedLabel: predictedLabel(out),
        });
        publishPrediction(
          model,
          () => create(PredictionEventSchema, {
            kind: {
              case: 'prediction',
              value: {
                predictionId: ids[i]!,
                model,
                version: variant.version,
                variant: variant.name,
                entityKey: item.entityKey,
                requestKey: item.requestKey,
                inputs: fedInputs(info, rows[i]!),
                outputs: out,
                latencyMs,
                traceId,
                servedAt: timestampFromDate(servedAt),
              },
            },
          }),
          ids[i]!,
        );
      });
      mirrorToShadows(model, plan, variant, items, ids, outputs, latencyMs, cache, traceId, servedAt);
      const canary = plan.canary;
      if (canary && variant.name === CANARY_VARIANT && variant.version === canary.candidateVersion) mirrorToStable(model, canary, rows, items, ids, outputs, cache);
      return items.map((_, i) => ({ predictionId: ids[i]!, model, version: variant.version, variant: variant.name, outputs: outputs[i]!, traceId }));
    } catch (e) {
      const error = e as RpcError;
      const latencyMs = elapsedMs(start);
      // A caller's malformed request says nothing about the variant; everything else counts against it.
      if (!isRpcError(e) || statusName(e.code) !== 'INVALID_ARGUMENT') {
        deps.metrics.prediction(model, variant.name, 'error', latencyMs / 1000);
        const code = isRpcError(e) ? statusName(e.code) : 'INTERNAL';
        items.forEach((item, i) => {
          deps.recorders.outcomes.add({ predictionId: ids[i]!, model, variant: variant.name, version: variant.version, servedAt, latencyMs, errorCode: code, score: undefined, predictedLabel: undefined });
          publishPrediction(
            model,
            () => create(PredictionEventSchema, {
              kind: {
                case: 'prediction',
                value: {
                  predictionId: ids[i]!,
                  model,
                  version: variant.version,
                  variant: variant.name,
                  entityKey: item.entityKey,
                  requestKey: item.requestKey,
                  latencyMs,
                  traceId,
                  servedAt: timestampFromDate(servedAt),
                  errorCode: code,
                  errorMessage: error instanceof Error ? error.message : String(e),
                },
              },
            }),
            ids[i]!,
          );
        });
        log?.debug({ err: e, model, variant: variant.name }, 'prediction failed');
      }
      throw e;
    }
  }

  return {
    async predict(model, items, options) {
      const plan = await deps.plan(model);
      const groups = new Map<string, { variant: LiveVariant; indexes: number[] }>();
      let forced: LiveVariant | undefined;
      if (options.forceVariant) {
        forced = plan.variants.find((v) => v.name === options.forceVariant) ?? plan.shadows.map((s) => ({ name: s.name, version: s.version, weight: 0 })).find((v) => v.name === options.forceVariant);
        if (!forced) {
          const names = [...plan.variants.map((v) => v.name), ...plan.shadows.map((s) => s.name)];
          throw invalidArgument('force_variant', `one of the deployment's variants (${names.join(', ')})`, options.forceVariant);
        }
      }
      items.forEach((item, i) => {
        const variant = forced ?? assignVariant(item.requestKey, plan.variants);
        if (!variant) throw failedPrecondition(`model ${JSON.stringify(model)}: no variant has a weight above 0`);
        const group = groups.get(variant.name) ?? { variant, indexes: [] };
        group.indexes.push(i);
        groups.set(variant.name, group);
      });
      const results = new Array<PredictionResult>(items.length);
      await Promise.all(
        [...groups.values()].map(async ({ variant, indexes }) => {
          const served = await serveGroup(
            model,
            plan,
            variant,
            indexes.map((i) => items[i]!),
            options.signal,
          );
          indexes.forEach((i, k) => (results[i] = served[k]!));
        }),
      );
      return results;
    },
  };
}

/** The implicit plan of a model without a deployment: all traffic to its production alias. */
export const implicitPlan = (version: bigint): ServingPlan => ({
  variants: [{ name: IMPLICIT_VARIANT, version, weight: 1 }],
  shadows: [],
  missingFeatures: { kind: 'reject' },
  canary: undefined,
});

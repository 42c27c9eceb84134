import { z } from '@mlops/config';
import type { DynamicBatchingPolicy } from '../batching/policy.js';
import { err, ok, type Result } from '../util/result.js';

/** onnxruntime session options we let operators set per model. */
export interface SessionSettings {
  readonly intraOpNumThreads?: number;
  readonly interOpNumThreads?: number;
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  readonly executionMode?: 'sequential' | 'parallel';
  /**
   * Whether onnxruntime's pool threads spin-wait for work after a run. Off unless set: a spinning
   * thread holds a core the event loop needs for gRPC, and between requests there is nothing to
   * spin for (on the 2-core CI machine a logistic regression's run took 1.4–6× more process CPU
   * with spinning on, depending on the load).
   */
  readonly allowSpinning?: boolean;
}

export type BatchingSettings =
  { readonly kind: 'none' } | ({ readonly kind: 'dynamic' } & DynamicBatchingPolicy);

/** Everything that decides how one model is served. */
export interface ModelSettings {
  readonly session: SessionSettings;
  /** Dynamic batching applies only when the model's first dimension is a batch dimension. */
  readonly batching: BatchingSettings;
  /** Most requests of an unbatched model running or waiting at once; more are refused. */
  readonly maxPendingRequests: number;
  /** Largest input tensor accepted, in elements. */
  readonly maxElementsPerTensor: number;
}

export const DEFAULT_MODEL_SETTINGS: ModelSettings = {
  session: {},
  batching: { kind: 'none' },
  maxPendingRequests: 1024,
  maxElementsPerTensor: 1 << 24,
};

const count = z.number().int().positive();

const batchingSchema = z
  .object({
    maxBatchSize: count,
    maxQueueDelayUs: z.number().int().nonnegative().default(0),
    preferredBatchSizes: z.array(count).default([]),
    maxQueueSize: count.default(1024),
    maxConcurrentBatches: count.default(1),
  })
  .strict()
  .refine((b) => b.preferredBatchSizes.every((size) => size <= b.maxBatchSize), {
    message: 'preferredBatchSizes must not exceed maxBatchSize',
  });

const modelSchema = z
  .object({
    session: z
      .object({
        intraOpNumThreads: z.number().int().nonnegative().optional(),
        interOpNumThreads: z.number().int().nonnegative().optional(),
        graphOptimizationLevel: z.enum(['disabled', 'basic', 'extended', 'all']).optional(),
        executionMode: z.enum(['sequential', 'parallel']).optional(),
        allowSpinning: z.boolean().optional(),
      })
      .strict()
      .optional(),
    // false turns batching off for one model when "*" turns it on.
    batching: z.union([batchingSchema, z.literal(false)]).optional(),
    maxPendingRequests: count.optional(),
    maxElementsPerTensor: count.optional(),
  })
  .strict();

/** `MLOPS_INFERENCE_MODELS`: model name (or "*" for every model) → settings. */
export const modelSettingsMapSchema = z.record(z.string().min(1), modelSchema);

type ModelSettingsInput = z.infer<typeof modelSchema>;

const merge = (base: ModelSettings, over: ModelSettingsInput | undefined): ModelSettings => {
  if (over === undefined) return base;
  return {
    session: { ...base.session, ...over.session },
    batching:
      over.batching === undefined
        ? base.batching
        : over.batching === false
          ? { kind: 'none' }
          : { kind: 'dynamic', ...over.batching },
    maxPendingRequests: over.maxPendingRequests ?? base.maxPendingRequests,
    maxElementsPerTensor: over.maxElementsPerTensor ?? base.maxElementsPerTensor,
  };
};

/** Looks up one model's settings: the defaults, then "*", then the model's own entry. */
export type ModelSettingsLookup = (model: string) => ModelSettings;

/**
 * Parses the JSON of `MLOPS_INFERENCE_MODELS`, e.g.
 * `{"*": {"session": {"intraOpNumThreads": 1}}, "churn": {"batching": {"maxBatchSize": 32, "maxQueueDelayUs": 500}}}`.
 */
export function parseModelSettings(json: string | undefined): Result<ModelSettingsLookup, string> {
  if (json === undefined || json.trim() === '') return ok(() => DEFAULT_MODEL_SETTINGS);
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    return err(`JSON (${(error as Error).message})`);
  }
  const parsed = modelSettingsMapSchema.safeParse(raw);
  if (!parsed.success) {
    return err(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  }
  const map = parsed.data;
  const base = merge(DEFAULT_MODEL_SETTINGS, map['*']);
  return ok((model) => merge(base, map[model]));
}

/** A fixed lookup from settings objects (tests, the launcher). */
export const settingsLookup =
  (
    defaults: Partial<ModelSettings> = {},
    perModel: Record<string, Partial<ModelSettings>> = {},
  ): ModelSettingsLookup =>
  (model) => ({ ...DEFAULT_MODEL_SETTINGS, ...defaults, ...perModel[model] });

export { inferenceSpec, INFERENCE_VERSION, type InferenceConfig } from './spec.js';
export { createInferenceService, type InferenceService, type InferenceServiceDeps } from './service.js';
export {
  inferenceApi,
  INFERENCE_PERMISSIONS,
  ONNX_PLATFORM,
  EXTENSIONS,
  type InferenceApiOptions,
} from './api/inference-service.js';
export { modelInfer } from './inference/model-infer.js';
export {
  ModelRepository,
  type IndexEntry,
  type LoadFailure,
  type ModelRepositoryOptions,
  type ModelState,
  type RepositoryError,
} from './models/model-repository.js';
export { LoadedModel, type LoadedModelState } from './models/loaded-model.js';
export type { ModelSource, SourceError } from './models/model-source.js';
export { InMemoryModelSource } from './models/in-memory-source.js';
export { sessionOptions } from './models/onnx-session.js';
export { registryModelSource } from './registry/registry-source.js';
export { followRegistryEvents, ALIAS_SET_SUBJECT } from './registry/registry-events.js';
export {
  DEFAULT_MODEL_SETTINGS,
  parseModelSettings,
  settingsLookup,
  type BatchingSettings,
  type ModelSettings,
  type ModelSettingsLookup,
  type SessionSettings,
} from './models/settings.js';
export type { DynamicBatchingPolicy } from './batching/policy.js';
export {
  DynamicBatcher,
  type Batched,
  type BatchRunner,
  type SubmitRefusal,
} from './batching/dynamic-batcher.js';
export {
  createInferenceMetrics,
  type InferenceMetrics,
  type ModelVersionMetrics,
} from './metrics/inference-metrics.js';
export { DATATYPES, type Datatype, type OrtType } from './tensors/datatypes.js';
export { encodeRawBytes, decodeRawBytes } from './tensors/bytes-codec.js';

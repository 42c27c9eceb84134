import type { MessageInitShape } from '@bufbuild/protobuf';
import { invalidArgument, type ServiceImpl } from '@mlops/grpc';
import type {
  GRPCInferenceService,
  ModelMetadataResponse_TensorMetadataSchema,
} from '@mlops/proto/inference/grpc_predict_v2_pb';
import { leaseModel, modelInfer, parseVersion } from '../inference/model-infer.js';
import { repositoryError } from '../inference/errors.js';
import type { ModelRepository } from '../models/model-repository.js';
import type { TensorSignature } from '../tensors/signature.js';
import { loadVersionParameter } from './repository-parameters.js';

/** Triton's name for models served by onnxruntime. */
export const ONNX_PLATFORM = 'onnxruntime_onnx';

/** Protocol extensions this server implements (named as Triton names them). */
export const EXTENSIONS = ['model_repository', 'parameters'] as const;

export interface InferenceApiOptions {
  readonly repository: ModelRepository;
  readonly serverName: string;
  readonly serverVersion: string;
  /** False once the service is shutting down (ServerReady answers it). */
  readonly isReady: () => boolean;
}

const tensorMetadata = (
  t: TensorSignature,
): MessageInitShape<typeof ModelMetadataResponse_TensorMetadataSchema> => ({
  name: t.name,
  datatype: t.datatype,
  shape: t.shape.map(BigInt),
});

const requireName = (field: string, name: string): string => {
  if (name === '') throw invalidArgument(field, 'the name of a model');
  return name;
};

/** inference.GRPCInferenceService over the model repository. */
export function inferenceApi(options: InferenceApiOptions): ServiceImpl<typeof GRPCInferenceService> {
  const { repository } = options;
  return {
    serverLive: async () => ({ live: true }),
    serverReady: async () => ({ ready: options.isReady() }),
    modelReady: async (request) => ({
      ready: repository.isReady(requireName('name', request.name), parseVersion('version', request.version)),
    }),
    serverMetadata: async () => ({
      name: options.serverName,
      version: options.serverVersion,
      extensions: [...EXTENSIONS],
    }),
    modelMetadata: async (request) => {
      const model = await leaseModel(repository, request.name, request.version);
      try {
        return {
          name: model.model,
          versions: repository.versions(model.model),
          platform: ONNX_PLATFORM,
          inputs: model.signature.inputs.map(tensorMetadata),
          outputs: model.signature.outputs.map(tensorMetadata),
        };
      } finally {
        model.release();
      }
    },
    modelInfer: (request, ctx) => modelInfer(repository, request, ctx.cancellation),
    repositoryIndex: async (request) => ({
      models: repository.index().filter((entry) => !request.ready || entry.state === 'READY'),
    }),
    repositoryModelLoad: async (request) => {
      const name = requireName('model_name', request.modelName);
      const loaded = await repository.load(name, loadVersionParameter(request.parameters));
      if (!loaded.ok) throw repositoryError(loaded.error);
      return {};
    },
    repositoryModelUnload: async (request) => {
      await repository.unload(requireName('model_name', request.modelName));
      return {};
    },
  };
}

/** Loading and unloading change what serves, so they need the deployer's permission. */
export const INFERENCE_PERMISSIONS = {
  repositoryModelLoad: 'deploy',
  repositoryModelUnload: 'deploy',
} as const;

import {
  internal,
  invalidArgument,
  notFound,
  resourceExhausted,
  unavailable,
  failedPrecondition,
  type RpcError,
} from '@mlops/grpc';
import type { ExecutionRefusal } from '../models/executor.js';
import type { RepositoryError } from '../models/model-repository.js';
import type { InvalidTensor } from '../tensors/decode-inputs.js';

/** The gRPC status of each failure the inference path can meet. */
export const repositoryError = (error: RepositoryError): RpcError => {
  switch (error.kind) {
    case 'not_found':
      return notFound(error.message);
    case 'unavailable':
      return unavailable(error.message);
    case 'load_failed':
      return failedPrecondition(error.message);
  }
};

export const invalidTensor = (error: InvalidTensor): RpcError =>
  'received' in error
    ? invalidArgument(error.field, error.expected, error.received)
    : invalidArgument(error.field, error.expected);

export const refusal = (model: string, version: string, refused: ExecutionRefusal): RpcError => {
  switch (refused.kind) {
    case 'queue_full':
      return resourceExhausted(
        `model ${model} version ${version}: the queue is full (${refused.maxQueueSize} requests pending); retry later`,
      );
    case 'too_many_rows':
      return invalidArgument(
        'inputs shape[0] (batch size)',
        `at most ${refused.maxBatchSize} (the model's max batch size)`,
        refused.rows,
      );
    case 'closed':
      return unavailable(`model ${model} version ${version} is being unloaded; retry`);
  }
};

export const runFailed = (model: string, version: string, error: unknown): RpcError =>
  internal(
    `model ${model} version ${version} failed to run: ${error instanceof Error ? error.message : String(error)}`,
  );

import type { MessageInitShape } from '@bufbuild/protobuf';
import { invalidArgument, type Cancellation } from '@mlops/grpc';
import type { ModelInferRequest, ModelInferResponseSchema } from '@mlops/proto/inference/grpc_predict_v2_pb';
import { trace } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';
import type { LoadedModel } from '../models/loaded-model.js';
import type { ModelRepository } from '../models/model-repository.js';
import { decodeInputs } from '../tensors/decode-inputs.js';
import { encodeOutputs } from '../tensors/encode-outputs.js';
import { invalidTensor, refusal, repositoryError, runFailed } from './errors.js';
import { outputForm } from './request-parameters.js';
import { requestedOutputs } from './requested-outputs.js';

type ModelInferResponseInit = MessageInitShape<typeof ModelInferResponseSchema>;

const VERSION = /^[1-9][0-9]*$/;

/** The protocol's version field: "" means the serving version; otherwise a registry version number. */
export function parseVersion(field: string, version: string): string | undefined {
  if (version === '') return undefined;
  if (!VERSION.test(version))
    throw invalidArgument(
      field,
      'a version number such as "3", or empty for the production version',
      version,
    );
  return version;
}

/** Leases the model a request names, loading it on first use. */
export async function leaseModel(
  repository: ModelRepository,
  name: string,
  versionField: string,
): Promise<LoadedModel> {
  if (name === '') throw invalidArgument('model_name', 'the name of a model');
  const version = parseVersion('model_version', versionField);
  const loaded = repository.tryAcquire(name, version);
  if (loaded) return loaded;
  const acquired = await repository.acquire(name, version);
  if (!acquired.ok) throw repositoryError(acquired.error);
  return acquired.value;
}

/**
 * ModelInfer: validation before onnxruntime, the run (direct or batched), and the response in the
 * request's contents form. The lease keeps the version alive until the answer is built, so a hot
 * swap never pulls a session from under a running request.
 *
 * `cancellation` says whether the caller gave up; it is read where that changes anything (a
 * request waiting in a batch queue, a failed run).
 */
export async function modelInfer(
  repository: ModelRepository,
  request: ModelInferRequest,
  cancellation?: Cancellation,
): Promise<ModelInferResponseInit> {
  const model = await leaseModel(repository, request.modelName, request.modelVersion);
  const started = performance.now();
  try {
    trace
      .getActiveSpan()
      ?.setAttributes({ 'inference.model.name': model.model, 'inference.model.version': model.version });
    const decoded = decodeInputs(request, model.signature, model.limits);
    if (!decoded.ok) throw invalidTensor(decoded.error);
    const outputs = requestedOutputs(request, model.signature);
    if (!outputs.ok) throw invalidTensor(outputs.error);
    const form = outputForm(request.parameters, decoded.value.form);
    if (!form.ok) throw invalidTensor(form.error);
    const submitted = model.executor.submit({
      inputs: decoded.value.tensors,
      rows: decoded.value.rows,
      outputs: outputs.value,
      cancellation,
    });
    if (!submitted.ok) throw refusal(model.model, model.version, submitted.error);
    let tensors;
    try {
      tensors = await submitted.value;
    } catch (error) {
      throw cancellation?.aborted ? cancellation.reason : runFailed(model.model, model.version, error);
    }
    const encoded = encodeOutputs(tensors, form.value);
    model.metrics.succeeded((performance.now() - started) * 1000);
    return {
      modelName: model.model,
      modelVersion: model.version,
      id: request.id,
      outputs: encoded.outputs,
      rawOutputContents: encoded.rawOutputContents,
    };
  } catch (error) {
    model.metrics.failed((performance.now() - started) * 1000);
    throw error;
  } finally {
    model.release();
  }
}

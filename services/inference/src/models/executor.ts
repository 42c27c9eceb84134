import type { Cancellation } from '@mlops/grpc';
import { performance } from 'node:perf_hooks';
import { DynamicBatcher, type SubmitRefusal } from '../batching/dynamic-batcher.js';
import type { DynamicBatchingPolicy } from '../batching/policy.js';
import { splitTensor, stackTensors } from '../batching/stack-tensors.js';
import type { ModelVersionMetrics } from '../metrics/inference-metrics.js';
import type { ModelSignature, TensorSignature } from '../tensors/signature.js';
import type { HostTensor } from '../tensors/tensor.js';
import { err, ok, type Result } from '../util/result.js';
import { fromResults, toFeeds, type InferenceSession } from './onnx-session.js';

/** One request's validated inputs and the outputs it wants. */
export interface ExecutionRequest {
  /** In the model's input order. */
  readonly inputs: readonly HostTensor[];
  /** The shared dimension-0 size for batchable models, else 0. */
  readonly rows: number;
  readonly outputs: readonly TensorSignature[];
  /** Whether the caller gave up, read by executors that queue (see modelInfer). */
  readonly cancellation?: Cancellation | undefined;
}

export type ExecutionRefusal = SubmitRefusal;

/** Runs requests on one session, directly or through a dynamic batcher. */
export interface Executor {
  readonly kind: 'direct' | 'batched';
  /** Refuses at once (queue full, too many rows) instead of queueing without bound. */
  submit(request: ExecutionRequest): Result<Promise<HostTensor[]>, ExecutionRefusal>;
  /** Resolves once nothing is queued or running (new requests are refused meanwhile). */
  drain(): Promise<void>;
}

interface Phases {
  readonly inputUs: number;
  readonly inferUs: number;
  readonly outputUs: number;
}

const us = (fromMs: number, toMs: number): number => (toMs - fromMs) * 1000;

/** Every request gets its own run, as many at once as `maxPending` allows. */
export function directExecutor(
  session: InferenceSession,
  metrics: ModelVersionMetrics,
  maxPending: number,
): Executor {
  let pending = 0;
  let closed = false;
  let idle: (() => void) | undefined;

  const run = async (request: ExecutionRequest): Promise<HostTensor[]> => {
    try {
      const t0 = performance.now();
      const feeds = toFeeds(request.inputs);
      const t1 = performance.now();
      const results = await session.run(
        feeds,
        request.outputs.map((o) => o.name),
      );
      const t2 = performance.now();
      const outputs = fromResults(results, request.outputs);
      const t3 = performance.now();
      metrics.ran(request.rows || 1);
      metrics.executed({ queueUs: 0, inputUs: us(t0, t1), inferUs: us(t1, t2), outputUs: us(t2, t3) });
      return outputs;
    } finally {
      pending--;
      if (pending === 0) idle?.();
    }
  };

  return {
    kind: 'direct',
    submit(request) {
      if (closed) return err({ kind: 'closed' });
      if (pending >= maxPending) return err({ kind: 'queue_full', maxQueueSize: maxPending });
      pending++;
      return ok(run(request));
    },
    drain() {
      closed = true;
      if (pending === 0) return Promise.resolve();
      return new Promise((resolve) => {
        idle = resolve;
      });
    },
  };
}

interface BatchOutput {
  readonly tensors: HostTensor[];
  readonly phases: Phases;
}

/**
 * Stacks concurrent requests along dimension 0 into one run and splits the outputs back
 * (the model's signature must be batchable). Each run fetches every output; each request gets
 * the ones it asked for, as views of the run's output memory.
 */
export function batchedExecutor(
  session: InferenceSession,
  signature: ModelSignature,
  metrics: ModelVersionMetrics,
  policy: DynamicBatchingPolicy,
): Executor {
  const allOutputs = signature.outputs.map((o) => o.name);
  const outputIndex = new Map(signature.outputs.map((o, i) => [o, i]));

  const batcher = new DynamicBatcher<ExecutionRequest, BatchOutput>(policy, async (requests, rows) => {
    const t0 = performance.now();
    const stacked = signature.inputs.map((_, k) => stackTensors(requests.map((r) => r.inputs[k]!)));
    const feeds = toFeeds(stacked);
    const t1 = performance.now();
    const results = await session.run(feeds, allOutputs);
    const t2 = performance.now();
    const perOutput = fromResults(results, signature.outputs).map((batched) => splitTensor(batched, rows));
    const tensors = requests.map((request, i) =>
      request.outputs.map((sig) => perOutput[outputIndex.get(sig)!]![i]!),
    );
    const t3 = performance.now();
    const phases: Phases = { inputUs: us(t0, t1), inferUs: us(t1, t2), outputUs: us(t2, t3) };
    metrics.ran(rows.reduce((n, r) => n + r, 0));
    return tensors.map((t) => ({ tensors: t, phases }));
  });

  return {
    kind: 'batched',
    submit(request) {
      const submitted = batcher.submit(request, request.rows, request.cancellation);
      if (!submitted.ok) return submitted;
      metrics.pendingChanged(1);
      return ok(
        submitted.value.then(
          (batched) => {
            metrics.pendingChanged(-1);
            metrics.executed({ queueUs: batched.queueUs, ...batched.output.phases });
            return batched.output.tensors;
          },
          (error: unknown) => {
            metrics.pendingChanged(-1);
            throw error;
          },
        ),
      );
    },
    drain: () => batcher.drain(),
  };
}

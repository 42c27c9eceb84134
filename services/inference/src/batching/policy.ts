/** How a model's requests are stacked into runs (Triton's dynamic_batching block, in our words). */
export interface DynamicBatchingPolicy {
  /** Most rows (dimension 0) in one run; a single request may not exceed it. */
  readonly maxBatchSize: number;
  /** How long the oldest queued request may wait for company, in microseconds. */
  readonly maxQueueDelayUs: number;
  /** Batch sizes to dispatch at once, without waiting out the delay, when the queue can form one exactly. */
  readonly preferredBatchSizes: readonly number[];
  /** Most requests waiting; one more is refused (RESOURCE_EXHAUSTED), never queued without bound. */
  readonly maxQueueSize: number;
  /** Runs of this model in flight at once (onnxruntime runs them on its own threads). */
  readonly maxConcurrentBatches: number;
}

export { STREAMS, STREAM_NAMES, streamForSubject, type StreamDefinition, type StreamName } from './streams.js';
export type {
  BatchConsumerSpec,
  BatchConsumingBus,
  BatchRejection,
  BusFailurePolicy,
  BusObservability,
  ConsumerHandle,
  ConsumerMode,
  ConsumerSpec,
  DeadLetterEntry,
  DurableStart,
  EventBus,
  PublishOptions,
  RawPublisher,
  ReceivedEvent,
} from './types.js';
export { InvalidEventError } from './errors.js';
export { deadLetterSubject, subjectMatches } from './subjects.js';
export { namespacedStreamName } from './namespace.js';
export { DEFAULT_BACKOFF_MS, DEFAULT_MAX_DELIVER } from './consumer-spec.js';
export type { ConsumeOutcome, DeadLetterReason } from './metrics.js';
export { connectNatsBus, type NatsBusOptions, type NatsEventBus } from './nats/bus.js';
export { createInProcessBus, type InProcessBusOptions, type InProcessEventBus } from './in-process/bus.js';
export { createBatchingHandler, type BatchingHandlerOptions } from './batching-handler.js';
export { GroupCommit } from './group-commit.js';
export { deleteNamespacedStreams } from './nats/delete-namespace.js';
export { isConsumerNotFound } from './nats/errors.js';
export { consumeBatches } from './consume-batches.js';
export { DEFAULT_MAX_BATCH } from './batch-spec.js';

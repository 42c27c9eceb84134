import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { StreamName } from './streams.js';

/** One delivered event, as a handler sees it. The handler runs inside the publisher's trace. */
export interface ReceivedEvent<T> {
  /** The subject without namespace, e.g. `mlops.registry.churn.alias_set`. */
  readonly subject: string;
  readonly message: T;
  /** 1 on the first delivery, 2 on the first retry, ... */
  readonly deliveryCount: number;
  /** The publisher's `Nats-Msg-Id`, when it gave one. */
  readonly msgId?: string;
  /** Every header of the message (first value per key), trace headers included. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * `'durable'`: the consumer's position lives on the server (or in the bus) under `name`; every
 * instance with that name shares the work and a restart resumes where it stopped.
 * `'broadcast'`: each instance receives every message published after it started (replica cache
 * coherence); nothing is kept when it stops.
 */
export type ConsumerMode = 'durable' | 'broadcast';

/** Where a new durable consumer starts: the whole retained stream, or only what comes next. */
export type DurableStart = 'all' | 'new';

export interface ConsumerSpec<D extends DescMessage> {
  /** Durable name: letters, digits, `_` and `-`. */
  readonly name: string;
  readonly stream: StreamName;
  /** Un-namespaced filters inside the stream; may use `*` and `>`. */
  readonly subjects: readonly string[];
  readonly schema: D;
  /** Resolving means "the work is stored, ack it"; throwing means retry (see `maxDeliver`). */
  readonly handler: (event: ReceivedEvent<MessageShape<D>>) => Promise<void>;
  /** Default `'durable'`. */
  readonly mode?: ConsumerMode;
  /** Deliveries before a failing message is dead-lettered; default 5. */
  readonly maxDeliver?: number;
  /** Delay before redelivery n+1 after failed delivery n: `backoffMs[n-1]`, the last entry repeating. Default [200, 1000, 5000]. */
  readonly backoffMs?: readonly number[];
  /** Durable mode only, for a consumer that does not exist yet; default `'all'`. */
  readonly startFrom?: DurableStart;
  /**
   * Durable mode only: how many handler calls of this instance may run at once (default 1).
   * Above 1, events are handled out of order, and a handler that groups concurrent calls into one
   * transaction (see `createBatchingHandler`) turns per-event round trips into per-batch ones.
   */
  readonly concurrency?: number;
}

export interface ConsumerHandle {
  readonly name: string;
  /** Stops fetching, waits for in-flight handlers; a durable consumer stays on the server. */
  stop(): Promise<void>;
}

export interface PublishOptions {
  /** Sent as `Nats-Msg-Id`: a retried publish with the same id is stored once (2 min window). */
  readonly msgId?: string;
}

/** A message rejected outside the consume loop, e.g. one bad row of a batch. */
export interface DeadLetterEntry {
  readonly originalSubject: string;
  readonly payload: Uint8Array;
  readonly reason: string;
  readonly consumer: string;
  /** Index of the rejected item of a batch payload; -1 or absent: the whole message. */
  readonly itemIndex?: number;
}

export interface EventBus {
  /** Resolves once the event is stored (JetStream ack); rejects otherwise. */
  publish<D extends DescMessage>(subject: string, schema: D, message: MessageShape<D>, opts?: PublishOptions): Promise<void>;
  consume<D extends DescMessage>(spec: ConsumerSpec<D>): Promise<ConsumerHandle>;
  deadLetter(entry: DeadLetterEntry): Promise<void>;
  /** Stops every consumer of this bus (waiting for in-flight handlers), then disconnects. */
  close(): Promise<void>;
}

/** Publishing pre-encoded bytes: for relays and for tests of undecodable payloads. */
export interface RawPublisher {
  publishBytes(subject: string, payload: Uint8Array, opts?: PublishOptions & { headers?: Record<string, string> }): Promise<void>;
}

/** How a bus treats a handler's failure. */
export interface BusFailurePolicy {
  /**
   * Whether a failure is an outage of something handlers depend on (their database restarting,
   * say) rather than a fault of the event. Such a failure is retried for as long as it lasts, at
   * the last step of the consumer's backoff, and never dead-letters the event: dead letters are
   * for events that cannot be processed, not for a dependency that was down longer than the
   * retries lasted. Absent: every failure counts against `maxDeliver`.
   */
  readonly isTransientFailure?: (err: unknown) => boolean;
}

export interface BusObservability {
  readonly logger?: Logger;
  /** When given, the `mlops_events_*` metrics are registered on it. */
  readonly metrics?: Registry;
}

/** One event of a batch the handler rejects: it is dead-lettered with `reason` instead of retried. */
export interface BatchRejection {
  /** Index into the batch the handler was given. */
  readonly index: number;
  readonly reason: string;
}

/**
 * A durable consumer that hands its handler whole batches, for work that is cheapest stored in
 * one transaction per batch. Resolving means "every event not rejected is stored"; throwing
 * retries the batch's events (each is dead-lettered after `maxDeliver` deliveries).
 */
export interface BatchConsumerSpec<D extends DescMessage, T = MessageShape<D>> extends Omit<ConsumerSpec<D>, 'handler' | 'mode' | 'concurrency'> {
  readonly handler: (events: ReadonlyArray<ReceivedEvent<T>>) => Promise<readonly BatchRejection[] | void>;
  /**
   * Turns a payload into what the handler gets; throwing dead-letters the event as undecodable.
   * Default: `fromBinary(schema, payload)`. A consumer that reads a few fields of many events
   * gives a decoder written for its schema here (see @mlops/wire).
   */
  readonly decode?: (payload: Uint8Array) => T;
  /** The most events one handler call gets (default 1000). */
  readonly maxBatch?: number;
  /**
   * Handler calls of this instance that may run at once (default 1). At 2, the next batch is
   * decoded and written while the previous one commits; batches may then finish out of order.
   */
  readonly concurrency?: number;
}

/** A bus with a native batch consumer (the JetStream bus: one acknowledgement per batch). */
export interface BatchConsumingBus {
  consumeBatches<D extends DescMessage, T>(spec: BatchConsumerSpec<D, T>): Promise<ConsumerHandle>;
}

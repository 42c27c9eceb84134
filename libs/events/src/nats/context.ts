import type { JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { DeadLetter } from '../dead-letter.js';
import type { EventMetrics } from '../metrics.js';
import type { Namespace } from '../namespace.js';
import type { BusFailurePolicy } from '../types.js';

/** What a NATS consumer needs from its bus. */
export interface NatsConsumerContext {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly ns: Namespace;
  readonly logger: Logger | undefined;
  readonly metrics: EventMetrics;
  readonly isTransientFailure: BusFailurePolicy['isTransientFailure'];
  publishDeadLetter(deadLetter: DeadLetter, msgId: string): Promise<void>;
}

/** Pause before re-opening a consumer whose message loop ended (server restart, deleted consumer). */
export const CONSUMER_RESTART_DELAY_MS = 1_000;

/**
 * Messages pulled ahead of the handler. Kept small because the ack-wait clock of a pulled message
 * runs while it waits in the client's buffer behind slower ones.
 */
export const PREFETCH_MESSAGES = 16;

import { createInbox, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from 'nats';

/** What the stream answered for one stored message. */
export interface StoreAck {
  readonly stream: string;
  readonly seq: number;
  /** The stream had stored this `Nats-Msg-Id` already, within its duplicate window. */
  readonly duplicate: boolean;
}

export interface StreamPublisher {
  /** Publishes to JetStream and resolves on the stream's ack: resolved means stored. */
  publish(subject: string, payload: Uint8Array, headers: MsgHdrs): Promise<StoreAck>;
  /** Rejects every publish still waiting for its ack and stops listening for acks. */
  close(): void;
}

interface Waiting {
  readonly subject: string;
  readonly deadline: number;
  resolve(ack: StoreAck): void;
  reject(err: Error): void;
}

/** How often waiting publishes are checked against their deadline (one timer for all of them). */
const SWEEP_MS = 250;

const utf8 = new TextDecoder();

/**
 * JetStream publishing as the Go client's PublishAsync does it: every message is a plain publish
 * whose reply subject is a token under one inbox this publisher subscribes to, and the stream's
 * ack arrives there. nats.js's `js.publish` makes a request per message instead (a timer, a
 * deferred, a mux entry, an Error object even on success): measured here, about three times the
 * client CPU per message, which the router pays for every prediction event.
 *
 * A publish made while disconnected waits in nats.js's outbound buffer and is acked after the
 * reconnect, or fails at its deadline; its caller retries with the same `Nats-Msg-Id`, so a
 * message stored before its ack was lost is stored once.
 */
export function createStreamPublisher(nc: NatsConnection, timeoutMs: number): StreamPublisher {
  const inbox = createInbox();
  const waiting = new Map<string, Waiting>();
  let nextToken = 0;
  let closedWith: Error | undefined;

  const settle = (token: string): Waiting | undefined => {
    const entry = waiting.get(token);
    if (entry !== undefined) waiting.delete(token);
    return entry;
  };

  const onAck = (msg: Msg): void => {
    const entry = settle(msg.subject.slice(inbox.length + 1));
    if (entry === undefined) return; // acked after its deadline: the caller has retried already
    // No stream listens on the subject: the server answers the reply subject with status 503.
    if (msg.headers?.code === 503) {
      entry.reject(new Error(`publishing to ${entry.subject}: no stream stores this subject (no responders)`));
      return;
    }
    let ack: { stream?: string; seq?: number; duplicate?: boolean; error?: { code?: number; description?: string } };
    try {
      ack = JSON.parse(utf8.decode(msg.data)) as typeof ack;
    } catch {
      entry.reject(new Error(`publishing to ${entry.subject}: the server's ack is not JSON`));
      return;
    }
    if (ack.error !== undefined) {
      entry.reject(new Error(`publishing to ${entry.subject}: ${ack.error.description ?? 'refused'} (${ack.error.code ?? 'no code'})`));
      return;
    }
    entry.resolve({ stream: ack.stream ?? '', seq: ack.seq ?? 0, duplicate: ack.duplicate === true });
  };

  // The ack inbox failing (a permissions error, say) fails every publish waiting on it at once.
  const onInboxError = (err: Error): void => {
    for (const entry of waiting.values()) entry.reject(new Error(`publishing to ${entry.subject}: the ack inbox failed: ${err.message}`));
    waiting.clear();
  };
  const subscription: Subscription = nc.subscribe(`${inbox}.*`, { callback: (err, msg) => (err ? onInboxError(err) : onAck(msg)) });

  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const [token, entry] of waiting) {
      if (entry.deadline > now) continue;
      waiting.delete(token);
      entry.reject(new Error(`publishing to ${entry.subject}: no ack from the stream within ${timeoutMs} ms`));
    }
  }, SWEEP_MS);
  sweeper.unref();

  return {
    publish(subject, payload, headers) {
      if (closedWith !== undefined) return Promise.reject(closedWith);
      const token = (nextToken++).toString(36);
      return new Promise<StoreAck>((resolve, reject) => {
        waiting.set(token, { subject, deadline: Date.now() + timeoutMs, resolve, reject });
        try {
          nc.publish(subject, payload, { headers, reply: `${inbox}.${token}` });
        } catch (err) {
          settle(token);
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    },

    close() {
      closedWith ??= new Error('the event bus is closed');
      clearInterval(sweeper);
      subscription.unsubscribe();
      for (const entry of waiting.values()) entry.reject(closedWith);
      waiting.clear();
    },
  };
}

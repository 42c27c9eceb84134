import { isConsumerNotFound } from '@mlops/events';
import type { JetStreamManager } from 'nats';

/**
 * Resolves once a durable consumer has acknowledged every message of its stream up to the
 * stream's last sequence (its ack floor reached it): for the platform's consumers, acked means
 * stored. Polling the consumer's state costs the NATS server a lookup; polling the stored rows
 * instead (`count(*)` of a growing table every few ms) kept a core of this 2-core machine busy
 * scanning, on the same PostgreSQL the service writes to, and measured the poll as much as the
 * service.
 */
export async function waitForConsumerAcked(
  jsm: JetStreamManager,
  opts: { stream: string; consumer: string; pollMs?: number; timeoutMs?: number },
): Promise<void> {
  const { stream, consumer, pollMs = 10, timeoutMs = 300_000 } = opts;
  const lastSeq = (await jsm.streams.info(stream)).state.last_seq;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // The consumer is created by the service as it starts: not there yet is not a failure.
    const info = await jsm.consumers.info(stream, consumer).catch((err: unknown) => {
      if (isConsumerNotFound(err)) return undefined;
      throw err;
    });
    if (info && info.ack_floor.stream_seq >= lastSeq) return;
    if (Date.now() > deadline) {
      throw new Error(`timed out: consumer ${consumer} on ${stream} acknowledged up to ${info?.ack_floor.stream_seq ?? 0} of ${lastSeq}`);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

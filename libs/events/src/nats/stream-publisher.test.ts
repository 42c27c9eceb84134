import { randomBytes } from 'node:crypto';
import { connect, headers, StorageType, type NatsConnection } from 'nats';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createStreamPublisher } from './stream-publisher.js';

const NATS_URL = process.env['TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';

async function connection(): Promise<NatsConnection> {
  const nc = await connect({ servers: NATS_URL });
  onTestFinished(() => nc.close());
  return nc;
}

/** A memory stream of its own on `<prefix>.>`, deleted after the test. */
async function stream(nc: NatsConnection): Promise<string> {
  const prefix = `t_pub_${randomBytes(5).toString('hex')}`;
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: prefix.toUpperCase(), subjects: [`${prefix}.>`], storage: StorageType.Memory });
  onTestFinished(async () => {
    await jsm.streams.delete(prefix.toUpperCase()).catch(() => undefined);
  });
  return prefix;
}

const withMsgId = (id: string) => {
  const h = headers();
  h.set('Nats-Msg-Id', id);
  return h;
};

describe('stream publisher', () => {
  it('resolves with the stream and sequence once stored, and reports a repeated Nats-Msg-Id as a duplicate', async () => {
    const nc = await connection();
    const prefix = await stream(nc);
    const publisher = createStreamPublisher(nc, 5_000);
    onTestFinished(() => publisher.close());
    const first = await publisher.publish(`${prefix}.a`, new Uint8Array([1]), withMsgId('m1'));
    const second = await publisher.publish(`${prefix}.a`, new Uint8Array([2]), withMsgId('m2'));
    const again = await publisher.publish(`${prefix}.a`, new Uint8Array([1]), withMsgId('m1'));
    expect(first).toEqual({ stream: prefix.toUpperCase(), seq: 1, duplicate: false });
    expect(second).toEqual({ stream: prefix.toUpperCase(), seq: 2, duplicate: false });
    expect(again).toEqual({ stream: prefix.toUpperCase(), seq: 1, duplicate: true });
    // Many at once: every one gets its own ack.
    const acks = await Promise.all(Array.from({ length: 200 }, (_, i) => publisher.publish(`${prefix}.b`, new Uint8Array([i & 255]), withMsgId(`n${i}`))));
    expect(new Set(acks.map((a) => a.seq)).size).toBe(200);
  });

  it('rejects a subject no stream stores, naming it', async () => {
    const nc = await connection();
    const publisher = createStreamPublisher(nc, 5_000);
    onTestFinished(() => publisher.close());
    const subject = `t_pub_nowhere_${randomBytes(5).toString('hex')}.x`;
    await expect(publisher.publish(subject, new Uint8Array([1]), headers())).rejects.toThrow(`publishing to ${subject}: no stream stores this subject`);
  });

  it('rejects at its deadline when nothing acks, and on close', async () => {
    const nc = await connection();
    const subject = `t_pub_silent_${randomBytes(5).toString('hex')}.x`;
    // A plain subscriber is a responder that never answers: no 503, no ack.
    nc.subscribe(subject, { callback: () => undefined });
    await nc.flush();
    const publisher = createStreamPublisher(nc, 300);
    await expect(publisher.publish(subject, new Uint8Array([1]), headers())).rejects.toThrow(`publishing to ${subject}: no ack from the stream within 300 ms`);

    const waiting = publisher.publish(subject, new Uint8Array([2]), headers());
    publisher.close();
    await expect(waiting).rejects.toThrow('the event bus is closed');
    await expect(publisher.publish(subject, new Uint8Array([3]), headers())).rejects.toThrow('the event bus is closed');
  });
});

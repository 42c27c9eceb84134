import { randomBytes } from 'node:crypto';
import { connect, nanos, StorageType } from 'nats';
import { describe, expect, it } from 'vitest';
import { namespacedStreamName } from '../namespace.js';
import { STREAM_NAMES } from '../streams.js';
import { registryEvent, runEventBusContract, waitFor } from '../testing/contract-suite.js';
import { RegistryEventSchema } from '@mlops/proto/mlops/events/v1/events_pb';
import { connectNatsBus } from './bus.js';

const NATS_URL = process.env['TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';

const uniqueNamespace = () => `t_${randomBytes(6).toString('hex')}`;

/** Removes a test namespace's streams (and with them its consumers). */
async function deleteStreams(namespace: string): Promise<void> {
  const nc = await connect({ servers: NATS_URL });
  try {
    const jsm = await nc.jetstreamManager();
    for (const stream of STREAM_NAMES) await jsm.streams.delete(namespacedStreamName(stream, namespace)).catch(() => undefined);
  } finally {
    await nc.close();
  }
}

runEventBusContract('NATS JetStream', async ({ metrics }) => {
  const namespace = uniqueNamespace();
  const bus = await connectNatsBus({ url: NATS_URL, name: 'events-contract-test', namespace, metrics });
  return {
    bus,
    async dispose() {
      await bus.close();
      await deleteStreams(namespace);
    },
  };
});

describe('connectNatsBus', () => {
  it('creates file-backed streams with a 2 min duplicate window, and repairs drift on the next connect', async () => {
    const namespace = uniqueNamespace();
    const first = await connectNatsBus({ url: NATS_URL, name: 'events-streams-test', namespace });
    const nc = await connect({ servers: NATS_URL });
    try {
      const jsm = await nc.jetstreamManager();
      const registry = await jsm.streams.info(namespacedStreamName('REGISTRY', namespace));
      expect(registry.config.subjects).toEqual([`${namespace}.mlops.registry.>`]);
      expect(registry.config.storage).toBe(StorageType.File);
      expect(registry.config.duplicate_window).toBeGreaterThanOrEqual(nanos(120_000));

      await jsm.streams.update(registry.config.name, { ...registry.config, duplicate_window: nanos(1_000) });
      const second = await connectNatsBus({ url: NATS_URL, name: 'events-streams-test', namespace });
      await second.close();
      const repaired = await jsm.streams.info(registry.config.name);
      expect(repaired.config.duplicate_window).toBeGreaterThanOrEqual(nanos(120_000));
    } finally {
      await first.close();
      await nc.close();
      await deleteStreams(namespace);
    }
  });

  it('resumes a durable consumer from another connection after the first one closed', async () => {
    const namespace = uniqueNamespace();
    const spec = (into: string[]) => ({
      name: 'resume-across-connections',
      stream: 'REGISTRY' as const,
      subjects: ['mlops.registry.cross.>'],
      schema: RegistryEventSchema,
      handler: async (event: { message: { alias: string } }) => void into.push(event.message.alias),
    });
    const publisher = await connectNatsBus({ url: NATS_URL, name: 'events-publisher', namespace });
    try {
      const before: string[] = [];
      const instanceA = await connectNatsBus({ url: NATS_URL, name: 'events-instance-a', namespace });
      await instanceA.consume(spec(before));
      await publisher.publish('mlops.registry.cross.alias_set', RegistryEventSchema, registryEvent('cross', 'b1'));
      await waitFor(() => before.length === 1, 'the event before the restart');
      await instanceA.close();

      await publisher.publish('mlops.registry.cross.alias_set', RegistryEventSchema, registryEvent('cross', 'b2'));
      await publisher.publish('mlops.registry.cross.alias_set', RegistryEventSchema, registryEvent('cross', 'b3'));
      const after: string[] = [];
      const instanceB = await connectNatsBus({ url: NATS_URL, name: 'events-instance-b', namespace });
      await instanceB.consume(spec(after));
      await waitFor(() => after.length === 2, 'the events published while no instance ran');
      await instanceB.close();
      expect(before).toEqual(['b1']);
      expect(after).toEqual(['b2', 'b3']);
    } finally {
      await publisher.close();
      await deleteStreams(namespace);
    }
  });
});

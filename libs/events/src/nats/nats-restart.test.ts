// A NATS restart must pause consumers, not end them. This needs a server of its own to restart,
// so it starts a private nats-server (file storage in a temp dir) when the binary is available.
import { create } from '@bufbuild/protobuf';
import { PredictionEventSchema, RegistryEventSchema } from '@mlops/proto/mlops/events/v1/events_pb';
import { consumeBatches } from '../consume-batches.js';
import { describe, expect, it } from 'vitest';
import { registryEvent, waitFor } from '../testing/contract-suite.js';
import { natsServerAvailable, startPrivateNatsServer } from '../testing/private-nats-server.js';
import { connectNatsBus } from './bus.js';

describe.skipIf(!natsServerAvailable)('NATS restart', () => {
  it('durable and broadcast consumers resume after the server restarts', async () => {
    const server = await startPrivateNatsServer();
    const bus = await connectNatsBus({ url: server.url, name: 'events-restart-test' });
    try {
      const durable: string[] = [];
      const broadcast: string[] = [];
      await bus.consume({
        name: 'survivor',
        stream: 'REGISTRY',
        subjects: ['mlops.registry.restart.>'],
        schema: RegistryEventSchema,
        handler: async (event) => void durable.push(event.message.alias),
      });
      await bus.consume({
        name: 'survivor-cache',
        mode: 'broadcast',
        stream: 'REGISTRY',
        subjects: ['mlops.registry.restart.>'],
        schema: RegistryEventSchema,
        handler: async (event) => void broadcast.push(event.message.alias),
      });
      const batched: string[] = [];
      await consumeBatches(bus, {
        name: 'survivor-batches',
        stream: 'PREDICTIONS',
        subjects: ['mlops.predictions.>'],
        schema: PredictionEventSchema,
        handler: async (events) => void events.forEach((e) => batched.push(e.message.kind.case === 'prediction' ? e.message.kind.value.predictionId : '')),
      });
      const predictionEvent = (id: string) => create(PredictionEventSchema, { kind: { case: 'prediction', value: { predictionId: id } } });
      await bus.publish('mlops.registry.restart.alias_set', RegistryEventSchema, registryEvent('restart', 'before'));
      await bus.publish('mlops.predictions.restart', PredictionEventSchema, predictionEvent('before'));
      await waitFor(() => durable.length === 1 && broadcast.length === 1 && batched.length === 1, 'the events before the restart');

      await server.stop();
      await server.start();

      // A publish during reconnection may time out: retry it with the same msg id, as callers should.
      await waitFor(async () => {
        try {
          await bus.publish('mlops.registry.restart.alias_set', RegistryEventSchema, registryEvent('restart', 'after'), { msgId: 'after-restart' });
          return true;
        } catch {
          return false;
        }
      }, 'a publish after the restart', 60_000);
      await waitFor(async () => {
        try {
          await bus.publish('mlops.predictions.restart', PredictionEventSchema, predictionEvent('after'), { msgId: 'prediction-after-restart' });
          return true;
        } catch {
          return false;
        }
      }, 'a prediction published after the restart', 60_000);
      await waitFor(() => durable.includes('after') && broadcast.includes('after') && batched.includes('after'), 'the events after the restart', 60_000);
      expect(batched).toEqual(['before', 'after']);
      expect(durable).toEqual(['before', 'after']);
      expect(broadcast).toEqual(['before', 'after']);
    } finally {
      await bus.close();
      await server.dispose();
    }
  });
});

// Prediction events while NATS is down: the response path only enqueues, the buffer holds the
// events, and they are stored once NATS is back. Needs a private nats-server to stop and start.
import { create } from '@bufbuild/protobuf';
import { connectNatsBus } from '@mlops/events';
import { natsServerAvailable, startPrivateNatsServer } from '@mlops/events/testing';
import { PredictionEventSchema } from '@mlops/proto/mlops/events/v1/events_pb';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../testing/platform.js';
import { createEventBuffer } from './event-buffer.js';

const prediction = (i: number) => create(PredictionEventSchema, { kind: { case: 'prediction', value: { predictionId: `p-${i}`, model: 'churn', version: 1n } } });

describe.skipIf(!natsServerAvailable)('prediction events while NATS is down', () => {
  it('are buffered without blocking and published once NATS is back', async () => {
    const server = await startPrivateNatsServer();
    const bus = await connectNatsBus({ url: server.url, name: 'router-outage-test' });
    const buffer = createEventBuffer<number>({
      capacity: 1_000,
      retryDelayMs: 50,
      maxRetryDelayMs: 200,
      publish: (i) => bus.publish('mlops.predictions.churn', PredictionEventSchema, prediction(i), { msgId: `p-${i}` }),
    });
    try {
      const received = new Set<string>();
      await bus.consume({
        name: 'outage-reader',
        stream: 'PREDICTIONS',
        subjects: ['mlops.predictions.churn'],
        schema: PredictionEventSchema,
        handler: async ({ message }) => {
          if (message.kind.case === 'prediction') received.add(message.kind.value.predictionId);
        },
      });
      for (let i = 0; i < 5; i++) buffer.enqueue(i);
      await waitFor(() => received.size === 5, 'events before the outage');

      await server.stop();
      for (let i = 5; i < 35; i++) buffer.enqueue(i); // returns at once: nothing here waits for NATS
      expect(buffer.size).toBeGreaterThan(0);
      expect(await buffer.flush(300)).toBe(false);

      await server.start();
      await waitFor(() => received.size === 35, 'every event after NATS came back', 60_000);
      expect(buffer.dropped).toBe(0);
      expect([...received].sort()).toEqual(Array.from({ length: 35 }, (_, i) => `p-${i}`).sort());
    } finally {
      await buffer.close(100);
      await bus.close();
      await server.dispose();
    }
  });
});

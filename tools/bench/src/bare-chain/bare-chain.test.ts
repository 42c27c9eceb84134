import { status } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { bareClient } from '../benchmarks/bare-echo.js';
import { startBareChain, startHop } from './index.js';

describe('startBareChain', () => {
  const started = startBareChain({ entry: { request: 40, reply: 150 }, feature: { request: 120, reply: 400 }, inference: { request: 200, reply: 60 } });
  afterAll(async () => (await started).close());

  it('answers through the pass-through hop with the reply size of the entry, and directly with the last echo’s', async () => {
    const chain = await started;
    const entry = bareClient(chain.entryAddress);
    const last = bareClient(chain.lastAddress);
    try {
      expect((await entry.call(Buffer.alloc(40))).byteLength).toBe(150);
      expect((await last.call(Buffer.alloc(200))).byteLength).toBe(60);
    } finally {
      entry.close();
      last.close();
    }
  });
});

describe('startHop', () => {
  it('answers only after its upstream does: with the upstream gone, the call fails', async () => {
    const upstream = await startHop(10);
    const hop = await startHop(20, [{ address: upstream.address, requestBytes: 5 }]);
    const client = bareClient(hop.address);
    try {
      expect((await client.call(Buffer.alloc(1))).byteLength).toBe(20);
      await upstream.close();
      await expect(client.call(Buffer.alloc(1))).rejects.toMatchObject({ code: status.INTERNAL });
    } finally {
      client.close();
      await hop.close();
      await upstream.close();
    }
  });
});

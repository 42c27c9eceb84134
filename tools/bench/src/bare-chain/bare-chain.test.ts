import { afterAll, describe, expect, it } from 'vitest';
import { bareClient } from '../benchmarks/bare-echo.js';
import { startBareChain } from './index.js';

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

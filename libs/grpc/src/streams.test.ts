import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { waitForDrain } from './streams.js';

it('waitForDrain leaves no listener behind once the stream drained', async () => {
  const stream = new Writable({ highWaterMark: 1, write: (_chunk, _enc, cb) => setImmediate(cb) });
  for (let i = 0; i < 20; i++) {
    if (!stream.write('x')) await waitForDrain(stream);
  }
  expect(stream.listenerCount('drain')).toBe(0);
  expect(stream.listenerCount('close')).toBe(0);
  expect(stream.listenerCount('error')).toBe(0);
});

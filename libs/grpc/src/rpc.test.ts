import { status } from '@grpc/grpc-js';
import { EchoService } from '@mlops/proto/mlops/testing/v1/echo_pb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from './client.js';
import { RpcError } from './errors.js';
import { startEchoServer, type RunningEchoServer } from './testing/echo-service.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RpcError);
  return err as RpcError;
}

describe('gRPC round trips against a real server', () => {
  let running: RunningEchoServer;
  let client: Client<typeof EchoService>;

  beforeAll(async () => {
    running = await startEchoServer({ maxMessageBytes: 1024 });
    client = createClient(EchoService, running.address);
  });
  afterAll(async () => {
    client.close();
    await running.close();
  });

  it('unary', async () => {
    const response = await client.echo({ payload: bytes('hello'), text: 'hi' });
    expect(text(response.payload)).toBe('hello');
    expect(response.text).toBe('hi');
    expect(response.count).toBe(1);
  });

  it('server streaming', async () => {
    const responses = await collect(client.echoServerStream({ payload: bytes('x'), repeat: 5 }));
    expect(responses.map((r) => r.count)).toEqual([1, 2, 3, 4, 5]);
  });

  it('server streaming with more data than the transport buffers (backpressure)', async () => {
    const responses = await collect(client.echoServerStream({ payload: new Uint8Array(1000).fill(7), repeat: 2000 }));
    expect(responses).toHaveLength(2000);
    expect(responses.at(-1)?.payload[999]).toBe(7);
  });

  it('client streaming, from an async generator and from an array', async () => {
    async function* parts() {
      for (const p of ['a', 'b', 'c']) yield { payload: bytes(p) };
    }
    const fromGenerator = await client.echoClientStream(parts());
    expect(text(fromGenerator.payload)).toBe('abc');
    expect(fromGenerator.count).toBe(3);
    const fromArray = await client.echoClientStream([{ payload: bytes('d') }, { payload: bytes('e') }]);
    expect(text(fromArray.payload)).toBe('de');
  });

  it('client streaming with many messages (backpressure)', async () => {
    // 2.7 MB in total, far more than an HTTP/2 window, each message under the 1 KiB limit.
    const many = Array.from({ length: 3000 }, () => ({ text: 'x'.repeat(900) }));
    const response = await client.echoClientStream(many);
    expect(response.count).toBe(3000);
  });

  it('bidi streaming answers each message', async () => {
    const responses = await collect(client.echoBidiStream([{ text: 'one' }, { text: 'two' }, { text: 'three' }]));
    expect(responses.map((r) => [r.text, r.count])).toEqual([
      ['one', 1],
      ['two', 2],
      ['three', 3],
    ]);
  });

  it('INVALID_ARGUMENT names the field and what was expected', async () => {
    const err = await rejection(client.echo({ text: 'validate', payload: new Uint8Array(11) }));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.message).toBe('payload: expected at most 10 bytes, got "11 bytes"');
  });

  it('a plain Error becomes INTERNAL "internal error", never UNKNOWN, and hides its details', async () => {
    const err = await rejection(client.echo({ text: 'crash' }));
    expect(err.code).toBe(status.INTERNAL);
    expect(err.message).toBe('internal error');
  });

  it('a failure the server recognises as a dependency outage answers UNAVAILABLE with its reason', async () => {
    const outageAware = await startEchoServer({
      // Says yes to every Error, RpcErrors included.
      unavailableReason: (err) => (err instanceof Error ? 'the store is down; retry with backoff' : undefined),
    });
    const outageClient = createClient(EchoService, outageAware.address);
    try {
      const err = await rejection(outageClient.echo({ text: 'crash' }));
      expect([status[err.code], err.message]).toEqual(['UNAVAILABLE', 'the store is down; retry with backoff']);
      // An RpcError keeps its own code whatever the classifier says.
      expect((await rejection(outageClient.echo({ failWithCode: status.NOT_FOUND }))).code).toBe(status.NOT_FOUND);
    } finally {
      outageClient.close();
      await outageAware.close();
    }
  });

  it('an RpcError code thrown mid-stream reaches a streaming client', async () => {
    const err = await rejection(collect(client.echoBidiStream([{ text: 'ok' }, { failWithCode: status.NOT_FOUND }])));
    expect(err.code).toBe(status.NOT_FOUND);
    const serverStreamErr = await rejection(collect(client.echoServerStream({ repeat: 3, failWithCode: status.FAILED_PRECONDITION })));
    expect(serverStreamErr.code).toBe(status.FAILED_PRECONDITION);
  });

  it('a message over maxMessageBytes fails with RESOURCE_EXHAUSTED, both directions', async () => {
    const tooBigRequest = await rejection(client.echo({ payload: new Uint8Array(2048) }));
    expect(tooBigRequest.code).toBe(status.RESOURCE_EXHAUSTED);
    // 600 bytes in, two copies (payload + text) out: the response crosses the server's send limit.
    const tooBigResponse = await rejection(client.echo({ payload: new Uint8Array(600), text: 'y'.repeat(600) }));
    expect(tooBigResponse.code).toBe(status.RESOURCE_EXHAUSTED);
  });

  it('a deadline that passes fails with DEADLINE_EXCEEDED', async () => {
    const err = await rejection(client.echo({ delayMs: 5_000 }, { deadlineMs: 100 }));
    expect(err.code).toBe(status.DEADLINE_EXCEEDED);
  });

  it('an AbortSignal cancels the call with CANCELLED', async () => {
    const controller = new AbortController();
    const call = client.echo({ delayMs: 5_000 }, { signal: controller.signal });
    controller.abort();
    const err = await rejection(call);
    expect(err.code).toBe(status.CANCELLED);
  });

  it('stopping to read a server stream early cancels it and the client stays usable', async () => {
    let seen = 0;
    for await (const _ of client.echoServerStream({ repeat: 1000 })) {
      if (++seen === 3) break;
    }
    expect(seen).toBe(3);
    expect((await client.echo({ text: 'still fine' })).text).toBe('still fine');
  });

  it('a failing request iterable rejects the client-streaming call with its own error', async () => {
    async function* broken() {
      yield { payload: bytes('a') };
      throw new Error('producer broke');
    }
    await expect(client.echoClientStream(broken())).rejects.toThrow('producer broke');
  });
});

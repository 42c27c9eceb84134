import { status } from '@grpc/grpc-js';
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from '@mlops/proto/grpc/health/v1/health_pb';
import { EchoService } from '@mlops/proto/mlops/testing/v1/echo_pb';
import { describe, expect, it } from 'vitest';
import { createClient } from './client.js';
import { RpcError, type RpcError as RpcErrorType } from './errors.js';
import { startEchoServer } from './testing/echo-service.js';
import type { HandlerContext } from './types.js';

/** A promise and its resolver, to wait for something the server does without sleeping. */
function signalled<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const abortReason = (ctx: HandlerContext): Promise<RpcErrorType> =>
  new Promise((resolve) => {
    if (ctx.signal.aborted) resolve(ctx.signal.reason as RpcErrorType);
    else ctx.signal.addEventListener('abort', () => resolve(ctx.signal.reason as RpcErrorType), { once: true });
  });

describe('graceful shutdown', () => {
  it('lets a call in flight finish OK, turns health NOT_SERVING, then refuses new calls', async () => {
    const started = signalled<void>();
    const running = await startEchoServer({ hooks: { onCall: () => started.resolve() } });
    const client = createClient(EchoService, running.address);
    const health = createClient(Health, running.address);
    try {
      const watch = health.watch({ service: '' })[Symbol.asyncIterator]();
      expect((await watch.next()).value?.status).toBe(ServingStatus.SERVING);

      const inFlight = client.echo({ text: 'slow', delayMs: 300 });
      await started.promise;
      const stopped = running.server.shutdown(10_000);

      // Watchers hear NOT_SERVING before the server goes, then their stream ends.
      expect((await watch.next()).value?.status).toBe(ServingStatus.NOT_SERVING);
      expect((await watch.next()).done).toBe(true);

      expect((await inFlight).text).toBe('slow');
      await stopped;

      const fresh = createClient(EchoService, running.address);
      try {
        const err = await fresh.echo({ text: 'too late' }, { deadlineMs: 2_000 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(RpcError);
        expect((err as RpcError).code).toBe(status.UNAVAILABLE);
      } finally {
        fresh.close();
      }
    } finally {
      client.close();
      health.close();
      await running.close();
    }
  });

  it('aborts calls still running when the grace period is over', async () => {
    const contexts = signalled<HandlerContext>();
    const running = await startEchoServer({ hooks: { onCall: (_m, ctx) => contexts.resolve(ctx) } });
    const client = createClient(EchoService, running.address);
    try {
      const inFlight = client.echo({ delayMs: 60_000 }).catch((e: unknown) => e);
      const ctx = await contexts.promise;
      await running.server.shutdown(50);
      expect((await abortReason(ctx)).code).toBe(status.UNAVAILABLE);
      expect((ctx.cancellation.reason as RpcErrorType).code).toBe(status.UNAVAILABLE);
      expect(await inFlight).toBeInstanceOf(RpcError);
    } finally {
      client.close();
    }
  });

  it('shutdown is idempotent', async () => {
    const running = await startEchoServer();
    await Promise.all([running.server.shutdown(100), running.server.shutdown(0)]);
    await running.server.shutdown();
  });
});

describe('deadlines and cancellation reach the handler', () => {
  it('ctx.deadline is set and ctx.signal aborts with DEADLINE_EXCEEDED when it passes', async () => {
    const contexts = signalled<HandlerContext>();
    const running = await startEchoServer({ hooks: { onCall: (_m, ctx) => contexts.resolve(ctx) } });
    const client = createClient(EchoService, running.address, { defaultDeadlineMs: 200 });
    try {
      const err = await client.echo({ delayMs: 60_000 }).catch((e: unknown) => e);
      expect((err as RpcError).code).toBe(status.DEADLINE_EXCEEDED);
      const ctx = await contexts.promise;
      expect(ctx.deadline).toBeInstanceOf(Date);
      expect((await abortReason(ctx)).code).toBe(status.DEADLINE_EXCEEDED);
    } finally {
      client.close();
      await running.close();
    }
  });

  it('ctx.signal aborts with CANCELLED when the client cancels', async () => {
    const contexts = signalled<HandlerContext>();
    const running = await startEchoServer({ hooks: { onCall: (_m, ctx) => contexts.resolve(ctx) } });
    const client = createClient(EchoService, running.address);
    const controller = new AbortController();
    try {
      const call = client.echo({ delayMs: 60_000 }, { signal: controller.signal }).catch((e: unknown) => e);
      const ctx = await contexts.promise;
      expect(ctx.deadline).toBeUndefined();
      expect(ctx.cancellation.aborted).toBe(false);
      controller.abort();
      expect(((await call) as RpcError).code).toBe(status.CANCELLED);
      expect((await abortReason(ctx)).code).toBe(status.CANCELLED);
      // The same state without a signal, for code that only asks.
      expect(ctx.cancellation.aborted).toBe(true);
      expect(ctx.cancellation.reason).toBe(ctx.signal.reason);
    } finally {
      client.close();
      await running.close();
    }
  });
});

// Test helper: an implementation of mlops.testing.v1.EchoService and a server running it on a free port.
import { setTimeout as sleep } from 'node:timers/promises';
import { EchoService, type EchoRequest } from '@mlops/proto/mlops/testing/v1/echo_pb';
import { RpcError, invalidArgument } from '../errors.js';
import { createGrpcServer, type GrpcServer, type GrpcServerOptions } from '../server.js';
import type { AddServiceOptions, HandlerContext, ServiceImpl } from '../types.js';

export interface EchoHooks {
  /** Called when a handler starts, inside the call's span context. */
  onCall?(method: string, ctx: HandlerContext): void;
}

/**
 * Test switches carried in the request: `delay_ms` sleeps (honouring cancellation),
 * `fail_with_code` fails with that code, text "validate" rejects payloads over 10 bytes,
 * text "crash" throws a plain Error.
 */
async function behave(request: EchoRequest, ctx: HandlerContext): Promise<void> {
  if (request.delayMs > 0) await sleep(request.delayMs, undefined, { signal: ctx.signal });
  if (request.failWithCode !== 0) throw new RpcError(request.failWithCode, `failing with code ${request.failWithCode} as asked`);
  if (request.text === 'validate' && request.payload.byteLength > 10) {
    throw invalidArgument('payload', 'at most 10 bytes', `${request.payload.byteLength} bytes`);
  }
  if (request.text === 'crash') throw new Error('boom: a detail the client must not see');
}

export function echoService(hooks: EchoHooks = {}): ServiceImpl<typeof EchoService> {
  return {
    async echo(request, ctx) {
      hooks.onCall?.('echo', ctx);
      await behave(request, ctx);
      return { payload: request.payload, text: request.text, count: 1 };
    },
    async *echoServerStream(request, ctx) {
      hooks.onCall?.('echoServerStream', ctx);
      await behave(request, ctx);
      for (let i = 0; i < request.repeat; i++) yield { payload: request.payload, text: request.text, count: i + 1 };
    },
    async echoClientStream(requests, ctx) {
      hooks.onCall?.('echoClientStream', ctx);
      const parts: Uint8Array[] = [];
      for await (const request of requests) {
        await behave(request, ctx);
        parts.push(request.payload);
      }
      return { payload: Buffer.concat(parts), count: parts.length };
    },
    async *echoBidiStream(requests, ctx) {
      hooks.onCall?.('echoBidiStream', ctx);
      let count = 0;
      for await (const request of requests) {
        await behave(request, ctx);
        yield { payload: request.payload, text: request.text, count: ++count };
      }
    },
  };
}

export interface RunningEchoServer {
  readonly server: GrpcServer;
  readonly address: string;
  close(): Promise<void>;
}

export async function startEchoServer(
  options: Partial<GrpcServerOptions> & { hooks?: EchoHooks; permissions?: AddServiceOptions<typeof EchoService>['permissions'] } = {},
): Promise<RunningEchoServer> {
  const { hooks, permissions, ...serverOptions } = options;
  const server = createGrpcServer({ service: 'echo-test', ...serverOptions });
  server.add(EchoService, echoService(hooks), { permissions });
  const port = await server.listen('127.0.0.1:0');
  return { server, address: `127.0.0.1:${port}`, close: () => server.shutdown(0) };
}

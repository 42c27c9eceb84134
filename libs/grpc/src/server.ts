import type { DescService } from '@bufbuild/protobuf';
import type { Http2Session } from 'node:http2';
import { Server, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { AUTH_OFF, type AuthConfig } from './auth.js';
import { unavailable, type UnavailableReason } from './errors.js';
import { DEFAULT_FLOW_CONTROL_WINDOW_BYTES } from './flow-control-window.js';
import { wrapHandler, type HandlerDeps, type MethodAccess } from './handlers.js';
import { HealthRegistry, HealthService, OVERALL, healthService, type HealthControl } from './health.js';
import { InFlightCalls } from './in-flight.js';
import { createRpcMetrics } from './metrics.js';
import { ReflectionIndex, ServerReflectionService, reflectionService } from './reflection.js';
import { ServerReflectionV1Alpha, v1alphaReflectionImpl } from './reflection-v1alpha.js';
import { toServiceDefinition } from './service-definition.js';
import type { AddServiceOptions, ServiceImpl } from './types.js';

export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

export interface GrpcServerOptions {
  /** The service's telemetry name (e.g. "mlops-registry"), used in logs. */
  readonly service: string;
  readonly logger?: Logger;
  readonly metrics?: Registry;
  /** Absent or `{ mode: 'off' }`: every call is anonymous and allowed. */
  readonly auth?: AuthConfig;
  /** Largest message accepted or sent; larger ones fail with RESOURCE_EXHAUSTED. Default 4 MiB. */
  readonly maxMessageBytes?: number;
  /** HTTP/2 receive window per stream and per connection. Default 8 MiB. */
  readonly flowControlWindowBytes?: number;
  /**
   * Recognises failures that mean a dependency is down (see `UnavailableReason`): those calls
   * answer UNAVAILABLE with the reason, and are logged as a warning, not as a server bug.
   */
  readonly unavailableReason?: UnavailableReason;
}

export interface GrpcServer {
  add<S extends DescService>(desc: S, impl: ServiceImpl<S>, options?: AddServiceOptions<S>): void;
  /** Binds `address` ("127.0.0.1:0" for any free port) and resolves to the bound port. */
  listen(address: string): Promise<number>;
  readonly health: HealthControl;
  /**
   * Graceful stop: health turns NOT_SERVING, new calls are refused, calls in flight may finish
   * within `graceMs` (default 10 s); then the rest are aborted and connections closed. Idempotent.
   */
  shutdown(graceMs?: number): Promise<void>;
}

export function createGrpcServer(options: GrpcServerOptions): GrpcServer {
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const logger = options.logger?.child({ component: 'grpc' });
  const server = new Server({
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': maxMessageBytes,
    // No channelz service is served, so its per-call bookkeeping (call counters, traces, timers
    // per socket) would only cost CPU on every call.
    'grpc.enable_channelz': 0,
  });
  const flowControlWindow = options.flowControlWindowBytes ?? DEFAULT_FLOW_CONTROL_WINDOW_BYTES;
  openReceiveWindow(server, flowControlWindow);
  const deps: HandlerDeps = {
    logger,
    metrics: createRpcMetrics(options.metrics, 'server'),
    auth: options.auth ?? AUTH_OFF,
    calls: new InFlightCalls(),
    unavailableReason: options.unavailableReason,
  };
  const health = new HealthRegistry();
  const reflection = new ReflectionIndex();
  let stopping: Promise<void> | undefined;

  // Implementations are checked against their descriptor by `add`'s signature; here they are a method table.
  const register = (desc: DescService, handlers: Record<string, unknown>, accessOf: (localName: string) => MethodAccess) => {
    const implementation: UntypedServiceImplementation = {};
    for (const method of desc.methods) {
      implementation[method.localName] = wrapHandler(method, handlers[method.localName], accessOf(method.localName), deps);
    }
    server.addService(toServiceDefinition(desc), implementation);
    reflection.add(desc);
  };

  register(HealthService, healthService(health) as Record<string, unknown>, () => ({ kind: 'public' }));
  register(ServerReflectionService, reflectionService(reflection) as Record<string, unknown>, () => ({ kind: 'public' }));
  register(ServerReflectionV1Alpha, v1alphaReflectionImpl(reflection), () => ({ kind: 'public' }));

  return {
    health,

    add(desc, impl, addOptions) {
      const permissions: Partial<Record<string, MethodAccess & { kind: 'protected' }>> = {};
      for (const [name, permission] of Object.entries(addOptions?.permissions ?? {})) {
        if (permission !== undefined) permissions[name] = { kind: 'protected', permission };
      }
      register(desc, impl as Record<string, unknown>, (localName) => permissions[localName] ?? { kind: 'protected', permission: 'read' });
      health.setStatus(desc.typeName, 'SERVING');
    },

    listen(address) {
      return new Promise<number>((resolve, reject) => {
        server.bindAsync(address, ServerCredentials.createInsecure(), (err, port) => {
          if (err) {
            reject(new Error(`${options.service}: cannot listen on ${address}: ${err.message}`, { cause: err }));
            return;
          }
          logger?.debug({ address, port }, 'gRPC server listening');
          resolve(port);
        });
      });
    },

    shutdown(graceMs = DEFAULT_SHUTDOWN_GRACE_MS) {
      stopping ??= new Promise<void>((resolve) => {
        health.shutdown();
        logger?.info({ inFlight: deps.calls.size, graceMs }, 'gRPC server draining');
        const force = setTimeout(() => {
          logger?.warn({ inFlight: deps.calls.size }, 'gRPC grace period over: aborting calls still running');
          deps.calls.abortAll(unavailable('the server is shutting down'));
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      return stopping;
    },
  };
}

/**
 * grpc-js (1.14) has a client option for the HTTP/2 window ('grpc-node.flow_control_window') but no
 * server one, so this reaches into two of its private fields: the options every listener's
 * http2 server is created with (the per-stream initial window goes into SETTINGS) and the
 * session event of each listener (the connection window). `flow-control.test.ts` fails if a
 * grpc-js upgrade moves either, rather than letting uploads silently slow down again.
 * Exported for baselines (tools/bench) that must receive with the same window as the platform.
 * Call it before `bindAsync`.
 */
export function openReceiveWindow(server: Server, windowBytes: number): void {
  const internals = server as unknown as {
    commonServerOptions?: { settings?: Record<string, unknown> };
    http2Servers?: Map<{ on(event: 'session', listener: (session: Http2Session) => void): void }, unknown>;
  };
  if (!internals.commonServerOptions || !(internals.http2Servers instanceof Map)) return;
  internals.commonServerOptions.settings = { ...internals.commonServerOptions.settings, initialWindowSize: windowBytes };
  const seen = new WeakSet<object>();
  const bindAsync = server.bindAsync.bind(server);
  server.bindAsync = (port, credentials, callback) =>
    bindAsync(port, credentials, (err, boundPort) => {
      for (const http2Server of internals.http2Servers?.keys() ?? []) {
        if (seen.has(http2Server)) continue;
        seen.add(http2Server);
        http2Server.on('session', (session) => {
          const widen = () => {
            try {
              session.setLocalWindowSize(windowBytes);
            } catch {
              // A session that closed before its settings were acknowledged needs no window.
            }
          };
          if (session.connecting) session.once('connect', widen);
          else widen();
        });
      }
      callback(err, boundPort);
    });
}

export { OVERALL as OVERALL_HEALTH_SERVICE };

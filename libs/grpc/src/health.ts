import { create } from '@bufbuild/protobuf';
import {
  Health,
  HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus as ServingStatus,
  type HealthCheckResponse,
} from '@mlops/proto/grpc/health/v1/health_pb';
import { notFound } from './errors.js';
import { AsyncQueue } from './streams.js';
import type { HandlerContext, ServiceImpl } from './types.js';

export type HealthStatus = 'SERVING' | 'NOT_SERVING';

/** The overall status of the server, as the health protocol names it. */
export const OVERALL = '';

/** What `server.health` lets a service do: report its own status (e.g. NOT_SERVING while a dependency is down). */
export interface HealthControl {
  setStatus(serviceName: string, status: HealthStatus): void;
}

const toServing = (status: HealthStatus): ServingStatus =>
  status === 'SERVING' ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;

/**
 * The statuses served by `grpc.health.v1.Health`, and the watchers to tell when one changes.
 * `shutdown()` turns everything NOT_SERVING (so load balancers stop sending) and then ends the
 * Watch streams, which would otherwise keep a draining server open forever.
 */
export class HealthRegistry implements HealthControl {
  private readonly statuses = new Map<string, ServingStatus>([[OVERALL, ServingStatus.SERVING]]);
  private readonly watchers = new Set<{ service: string; queue: AsyncQueue<ServingStatus> }>();
  private shuttingDown = false;

  setStatus(serviceName: string, status: HealthStatus): void {
    // After shutdown began nothing may turn SERVING again: the server is going away.
    if (this.shuttingDown) return;
    this.update(serviceName, toServing(status));
  }

  status(serviceName: string): ServingStatus | undefined {
    return this.statuses.get(serviceName);
  }

  shutdown(): void {
    if (this.shuttingDown) return;
    for (const name of this.statuses.keys()) this.update(name, ServingStatus.NOT_SERVING);
    this.shuttingDown = true;
    for (const watcher of this.watchers) watcher.queue.close();
  }

  private update(serviceName: string, status: ServingStatus): void {
    if (this.statuses.get(serviceName) === status) return;
    this.statuses.set(serviceName, status);
    for (const watcher of this.watchers) if (watcher.service === serviceName) watcher.queue.push(status);
  }

  /** The current status of `service` (SERVICE_UNKNOWN if absent), then every change, until `signal` aborts or shutdown. */
  async *watch(service: string, signal: AbortSignal): AsyncGenerator<ServingStatus, void, undefined> {
    const queue = new AsyncQueue<ServingStatus>();
    const watcher = { service, queue };
    const stop = () => queue.close();
    signal.addEventListener('abort', stop, { once: true });
    this.watchers.add(watcher);
    try {
      queue.push(this.statuses.get(service) ?? ServingStatus.SERVICE_UNKNOWN);
      if (this.shuttingDown) queue.close();
      let last: ServingStatus | undefined;
      for await (const status of queue) {
        if (status !== last) yield status;
        last = status;
      }
    } finally {
      this.watchers.delete(watcher);
      signal.removeEventListener('abort', stop);
    }
  }

  snapshot(): Record<string, HealthCheckResponse> {
    return Object.fromEntries([...this.statuses].map(([name, status]) => [name, create(HealthCheckResponseSchema, { status })]));
  }
}

/** `grpc.health.v1.Health`: Check, List and Watch over a HealthRegistry. */
export function healthService(registry: HealthRegistry): ServiceImpl<typeof Health> {
  return {
    async check(request) {
      const status = registry.status(request.service);
      if (status === undefined) throw notFound(`unknown service ${JSON.stringify(request.service)}`);
      return { status };
    },
    async list() {
      return { statuses: registry.snapshot() };
    },
    async *watch(request, ctx: HandlerContext) {
      for await (const status of registry.watch(request.service, ctx.signal)) yield { status };
    },
  };
}

export { Health as HealthService };

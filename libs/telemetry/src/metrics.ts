import { Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsRegistryOptions {
  /** The `service` label on every series, e.g. "mlops-router". */
  readonly service: string;
}

/**
 * A Prometheus registry of one's own (not prom-client's global one, so several services can run
 * in one process), with the process and Node.js runtime metrics (CPU, memory, event-loop lag,
 * GC, handles) and a `service` label on every series.
 */
export function createMetricsRegistry(options: MetricsRegistryOptions): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

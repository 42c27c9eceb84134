import { Counter, Histogram, type Registry } from 'prom-client';

// prom-client refuses to register a name twice on one registry, but several servers, clients or
// buses may share a registry (the all-in-one launcher, tests): create each collector once per
// registry and hand the existing one back afterwards.

export function sharedCounter<L extends string>(
  registry: Registry,
  spec: { name: string; help: string; labelNames: L[] },
): Counter<L> {
  const existing = registry.getSingleMetric(spec.name);
  if (existing instanceof Counter) return existing as Counter<L>;
  return new Counter({ ...spec, registers: [registry] });
}

export function sharedHistogram<L extends string>(
  registry: Registry,
  spec: { name: string; help: string; labelNames: L[]; buckets: number[] },
): Histogram<L> {
  const existing = registry.getSingleMetric(spec.name);
  if (existing instanceof Histogram) return existing as Histogram<L>;
  return new Histogram({ ...spec, registers: [registry] });
}

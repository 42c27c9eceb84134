import { Counter, Histogram, type Registry } from 'prom-client';
import type { StreamName } from './streams.js';

/** Why a message went to the dead letter stream; a fixed set, so it is safe as a metric label. */
export type DeadLetterReason = 'decode' | 'handler' | 'validation';

export type ConsumeOutcome = 'ack' | 'retry' | 'dead_letter';

/**
 * The bus's metrics. Labels are bounded on purpose: stream and consumer names are a handful per
 * service, while full subjects carry model and view names and would explode the series count.
 */
export interface EventMetrics {
  published(stream: StreamName): void;
  consumed(consumer: string, outcome: ConsumeOutcome): void;
  deadLettered(consumer: string, reason: DeadLetterReason): void;
  handlerSeconds(consumer: string, seconds: number): void;
}

const NOOP_METRICS: EventMetrics = {
  published: () => undefined,
  consumed: () => undefined,
  deadLettered: () => undefined,
  handlerSeconds: () => undefined,
};

export function createEventMetrics(registry: Registry | undefined): EventMetrics {
  if (registry === undefined) return NOOP_METRICS;
  const published = counter(registry, 'mlops_events_published_total', 'Events stored by JetStream (duplicates excluded).', ['stream']);
  const consumed = counter(registry, 'mlops_events_consumed_total', 'Deliveries handled, by outcome.', ['consumer', 'outcome']);
  const deadLettered = counter(registry, 'mlops_events_dead_lettered_total', 'Events sent to the dead letter stream.', ['consumer', 'reason']);
  const handler = histogram(registry, 'mlops_events_handler_seconds', 'Time spent in event handlers.', ['consumer']);
  return {
    published: (stream) => published.inc({ stream }),
    consumed: (consumer, outcome) => consumed.inc({ consumer, outcome }),
    deadLettered: (consumer, reason) => deadLettered.inc({ consumer, reason }),
    handlerSeconds: (consumer, seconds) => handler.observe({ consumer }, seconds),
  };
}

// Several buses may share one registry (the all-in-one launcher runs every service in one
// process); registering a name twice throws, so reuse what is already there.
function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

function histogram<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Histogram<L> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Histogram) return existing as Histogram<L>;
  return new Histogram({
    name,
    help,
    labelNames,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
}

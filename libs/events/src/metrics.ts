import { seriesBy, tallyCounter, tallyHistogram } from '@mlops/telemetry';
import type { Registry } from 'prom-client';
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
  const published = tallyCounter(registry, {
    name: 'mlops_events_published_total',
    help: 'Events stored by JetStream (duplicates excluded).',
    labelNames: ['stream'],
  });
  const consumed = tallyCounter(registry, {
    name: 'mlops_events_consumed_total',
    help: 'Deliveries handled, by outcome.',
    labelNames: ['consumer', 'outcome'],
  });
  const deadLettered = tallyCounter(registry, {
    name: 'mlops_events_dead_lettered_total',
    help: 'Events sent to the dead letter stream.',
    labelNames: ['consumer', 'reason'],
  });
  const handler = tallyHistogram(registry, {
    name: 'mlops_events_handler_seconds',
    help: 'Time spent in event handlers.',
    labelNames: ['consumer'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  // Called per event: each label set's series is bound on first use and looked up by its values.
  const publishedOf = seriesBy((stream: StreamName) => published.series({ stream }));
  const consumedOf = seriesBy((consumer: string) => seriesBy((outcome: ConsumeOutcome) => consumed.series({ consumer, outcome })));
  const deadLetteredOf = seriesBy((consumer: string) => seriesBy((reason: DeadLetterReason) => deadLettered.series({ consumer, reason })));
  const handlerOf = seriesBy((consumer: string) => handler.series({ consumer }));
  return {
    published: (stream) => publishedOf(stream).inc(),
    consumed: (consumer, outcome) => consumedOf(consumer)(outcome).inc(),
    deadLettered: (consumer, reason) => deadLetteredOf(consumer)(reason).inc(),
    handlerSeconds: (consumer, seconds) => handlerOf(consumer).observe(seconds),
  };
}

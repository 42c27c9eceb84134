import { filterWithin, subjectMatches } from './subjects.js';

/** One JetStream stream of the platform (DESIGN.md, "Events"). */
export interface StreamDefinition {
  readonly name: string;
  readonly subjects: readonly string[];
  /** How long messages are kept; the streams are logs to replay from, not archives. */
  readonly maxAgeMs: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const STREAMS = {
  FEATURES: { name: 'FEATURES', subjects: ['mlops.features.>'], maxAgeMs: 7 * DAY_MS },
  REGISTRY: { name: 'REGISTRY', subjects: ['mlops.registry.>'], maxAgeMs: 30 * DAY_MS },
  PREDICTIONS: { name: 'PREDICTIONS', subjects: ['mlops.predictions.>'], maxAgeMs: 7 * DAY_MS },
  LABELS: { name: 'LABELS', subjects: ['mlops.labels.>'], maxAgeMs: 30 * DAY_MS },
  ALERTS: { name: 'ALERTS', subjects: ['mlops.alerts.>'], maxAgeMs: 30 * DAY_MS },
  DEPLOYMENTS: { name: 'DEPLOYMENTS', subjects: ['mlops.deployments.>'], maxAgeMs: 30 * DAY_MS },
  DEADLETTER: { name: 'DEADLETTER', subjects: ['mlops.deadletter.>'], maxAgeMs: 30 * DAY_MS },
} as const satisfies Record<string, StreamDefinition>;

export type StreamName = keyof typeof STREAMS;

export const STREAM_NAMES = Object.keys(STREAMS) as StreamName[];

/** The stream that stores `subject` (un-namespaced), or undefined when none does. */
export function streamForSubject(subject: string): StreamName | undefined {
  return STREAM_NAMES.find((name) => STREAMS[name].subjects.some((pattern) => subjectMatches(pattern, subject)));
}

/** True when a consumer of `stream` may filter on `filter`. */
export function filterBelongsTo(stream: StreamName, filter: string): boolean {
  return STREAMS[stream].subjects.some((pattern) => filterWithin(filter, pattern));
}

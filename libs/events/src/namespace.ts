import { STREAMS, type StreamName } from './streams.js';

/**
 * Test isolation on a shared nats-server: every subject gets a `<ns>.` prefix and every stream
 * a `<NS>_` prefix, while callers keep using (and seeing) the platform's un-namespaced subjects.
 */
export interface Namespace {
  readonly subjectPrefix: string;
  toWire(subject: string): string;
  fromWire(subject: string): string;
  streamName(stream: StreamName): string;
}

export function createNamespace(namespace: string | undefined): Namespace {
  if (namespace === undefined || namespace === '') {
    return { subjectPrefix: '', toWire: (s) => s, fromWire: (s) => s, streamName: (stream) => STREAMS[stream].name };
  }
  if (!/^[A-Za-z0-9_-]+$/.test(namespace)) {
    throw new TypeError(`namespace: expected letters, digits, "_" or "-" (one subject token), got ${JSON.stringify(namespace)}`);
  }
  const subjectPrefix = `${namespace}.`;
  return {
    subjectPrefix,
    toWire: (s) => subjectPrefix + s,
    fromWire: (s) => (s.startsWith(subjectPrefix) ? s.slice(subjectPrefix.length) : s),
    streamName: (stream) => namespacedStreamName(stream, namespace),
  };
}

/** The server-side name of `stream` under `namespace` (uppercase, sanitized), e.g. `T_1A2B_REGISTRY`. */
export function namespacedStreamName(stream: StreamName, namespace?: string): string {
  const base = STREAMS[stream].name;
  if (namespace === undefined || namespace === '') return base;
  return `${namespace.toUpperCase().replace(/[^A-Z0-9_-]/g, '_')}_${base}`;
}

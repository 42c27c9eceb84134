import { DiscardPolicy, nanos, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from 'nats';
import type { Logger } from 'pino';
import type { Namespace } from '../namespace.js';
import { STREAM_NAMES, STREAMS, type StreamName } from '../streams.js';
import { isStreamNameInUse, isStreamNotFound } from './errors.js';

/** Wide enough that a publisher's retries after a timeout or reconnect are stored once. */
export const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;

export function desiredStreamConfig(stream: StreamName, ns: Namespace): StreamConfig {
  const definition = STREAMS[stream];
  return {
    name: ns.streamName(stream),
    subjects: definition.subjects.map((subject) => ns.toWire(subject)),
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    max_age: nanos(definition.maxAgeMs),
    num_replicas: 1,
  } as StreamConfig; // the remaining StreamConfig fields take the server's defaults
}

/** Creates every platform stream, or updates one whose config drifted; safe to run from every service at once. */
export async function ensureStreams(jsm: JetStreamManager, ns: Namespace, logger: Logger | undefined): Promise<void> {
  for (const stream of STREAM_NAMES) await ensureStream(jsm, desiredStreamConfig(stream, ns), logger);
}

async function ensureStream(jsm: JetStreamManager, desired: StreamConfig, logger: Logger | undefined): Promise<void> {
  let current: StreamConfig;
  try {
    current = (await jsm.streams.info(desired.name)).config;
  } catch (err) {
    if (!isStreamNotFound(err)) throw err;
    try {
      await jsm.streams.add(desired);
      logger?.info({ stream: desired.name }, 'stream created');
      return;
    } catch (addErr) {
      // Another service created it between our info and add: fall through to the drift check.
      if (!isStreamNameInUse(addErr)) throw addErr;
      current = (await jsm.streams.info(desired.name)).config;
    }
  }
  if (current.storage !== desired.storage) {
    logger?.warn({ stream: desired.name, storage: current.storage }, 'stream storage differs from file storage; JetStream cannot change it in place');
  }
  if (sameConfig(current, desired)) return;
  await jsm.streams.update(desired.name, {
    ...current,
    subjects: desired.subjects,
    duplicate_window: desired.duplicate_window,
    max_age: desired.max_age,
  });
  logger?.info({ stream: desired.name }, 'stream config updated');
}

function sameConfig(current: StreamConfig, desired: StreamConfig): boolean {
  const subjects = (c: StreamConfig) => [...(c.subjects ?? [])].sort().join(' ');
  return (
    subjects(current) === subjects(desired) &&
    current.duplicate_window === desired.duplicate_window &&
    current.max_age === desired.max_age
  );
}

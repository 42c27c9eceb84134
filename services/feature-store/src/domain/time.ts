import type { Duration } from '@bufbuild/protobuf/wkt';
import type { Timestamp } from '@bufbuild/protobuf/wkt';

/**
 * Times inside the feature store are integer microseconds since the Unix epoch, held in a
 * `number`: PostgreSQL's own precision, exact in a double until the year 2255, and cheap to
 * compare, serialise and send as a query parameter (a Date loses the microseconds and a
 * timestamptz costs a slow parse per row in node-postgres).
 */
export type Micros = number;

const MICROS_PER_SECOND = 1_000_000;

export function timestampToMicros(ts: Timestamp): Micros {
  return Number(ts.seconds) * MICROS_PER_SECOND + Math.floor(ts.nanos / 1000);
}

export function microsToTimestamp(us: Micros): Timestamp {
  const seconds = Math.floor(us / MICROS_PER_SECOND);
  const micros = us - seconds * MICROS_PER_SECOND;
  return { $typeName: 'google.protobuf.Timestamp', seconds: BigInt(seconds), nanos: micros * 1000 };
}

export function durationToMicros(d: Duration): Micros {
  return Number(d.seconds) * MICROS_PER_SECOND + Math.trunc(d.nanos / 1000);
}

export function microsToDuration(us: Micros): Duration {
  const seconds = Math.trunc(us / MICROS_PER_SECOND);
  return { $typeName: 'google.protobuf.Duration', seconds: BigInt(seconds), nanos: (us - seconds * MICROS_PER_SECOND) * 1000 };
}

export const nowMicros = (): Micros => Date.now() * 1000;

export const microsToIso = (us: Micros): string => {
  const iso = new Date(Math.floor(us / 1000)).toISOString();
  const subMilli = ((us % 1000) + 1000) % 1000;
  return subMilli === 0 ? iso : `${iso.slice(0, -1)}${String(subMilli).padStart(3, '0')}Z`;
};

/** "1h30m", "45s", "0s": for the change list of an apply. */
export function formatMicros(us: Micros): string {
  if (us === 0) return '0s';
  let rest = Math.round(us / MICROS_PER_SECOND);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.length > 0 ? parts.join('') : `${us}µs`;
}

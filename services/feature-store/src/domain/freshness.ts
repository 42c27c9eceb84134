import type { Micros } from './time.js';

/**
 * Feast's TTL rule: a row answers for `asOf` only while `asOf - eventTime <= ttl`
 * (ttl 0: forever). Online, `asOf` is now; historically, it is the entity row's timestamp.
 */
export const isExpired = (eventTimeMicros: Micros, ttlMicros: Micros, asOfMicros: Micros): boolean =>
  ttlMicros > 0 && asOfMicros - eventTimeMicros > ttlMicros;

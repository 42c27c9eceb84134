import type { Logger } from 'pino';
import { causeChain, isSerializationFailure, sqlState } from './sqlstate.js';

// What the database answers, or the socket reports, while PostgreSQL restarts, fails over or is
// out of connections: the request was fine, the database was not there to take it.
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: the server is stopping (or an admin terminated the backend)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, shutting down, in recovery
  '53300', // too_many_connections
]);
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// pg and pg-pool report a lost or unobtainable connection with these messages and no code.
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
];

/**
 * Whether `err` (or what caused it) says the database could not be reached or dropped the
 * connection: a PostgreSQL restart, failover or connection exhaustion, not a fault of the request.
 * Such a failure is worth retrying once the database is back (a consumer keeps the event, an RPC
 * answers UNAVAILABLE), where any other failure of the same call would be retried in vain.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const state = sqlState(err);
  if (state !== undefined) return state.startsWith('08') || UNAVAILABLE_SQLSTATES.has(state);
  for (const { code, message, errors } of causeChain(err)) {
    if (typeof code === 'string' && UNAVAILABLE_SOCKET_CODES.has(code)) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((m) => message.startsWith(m))) return true;
    // Node reports a failed connection to a host with several addresses as an AggregateError.
    if (Array.isArray(errors) && errors.length > 0 && errors.every((e) => isDatabaseUnavailable(e))) return true;
  }
  return false;
}

/**
 * A failure that will pass if the same work is tried again later: the database unavailable, or
 * a transaction that lost a serialization race or a deadlock.
 */
export function isTransientDatabaseFailure(err: unknown): boolean {
  return isSerializationFailure(err) || isDatabaseUnavailable(err);
}

/**
 * Logs a failed round of background work on the database (the next round retries it): a warning,
 * marked `databaseUnavailable`, while PostgreSQL is down or restarting, which is waited out; an
 * error for anything else, which is a fault to look at.
 */
export function logRoundFailure(logger: Logger | undefined, message: string): (err: unknown) => void {
  return (err) => {
    if (isDatabaseUnavailable(err)) logger?.warn({ err, databaseUnavailable: true }, message);
    else logger?.error({ err }, message);
  };
}

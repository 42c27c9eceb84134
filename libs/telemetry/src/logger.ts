import { hostname } from 'node:os';
import { pino } from 'pino';
import { currentSpanIds } from './propagation.js';

export type Logger = pino.Logger;

export interface LoggerOptions {
  readonly service: string;
  /** pino level name: trace, debug, info (default), warn, error, fatal, silent. */
  readonly level?: string | undefined;
  /** Where lines go; stdout by default. Tests pass a stream and parse the lines. */
  readonly destination?: pino.DestinationStream | undefined;
}

/**
 * A JSON logger whose every line names the service and, inside a span, carries `trace_id` and
 * `span_id`, so a log line leads to its trace in Jaeger and back.
 * Log errors under `err` (or `error`): the stack, message and cause are serialized.
 */
export function createLogger(options: LoggerOptions): Logger {
  const config: pino.LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: options.service, pid: process.pid, hostname: hostname() },
    // Level names instead of pino's numbers: log stores and people filter on "error", not 50.
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    mixin() {
      const ids = currentSpanIds();
      return ids ? { trace_id: ids.traceId, span_id: ids.spanId } : {};
    },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

export { initTracing, type Tracing, type TracingOptions } from './tracing.js';
export { chooseSpanDestinations, type SpanDestination, type SpanExportOptions } from './span-processors.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { createMetricsRegistry, type MetricsRegistryOptions } from './metrics.js';
export { startAdminServer, type AdminServer, type AdminServerOptions } from './admin-server.js';
export { evaluateReadiness, READINESS_TIMEOUT_MS, type ReadinessCheck, type ReadinessReport } from './readiness.js';
export { currentSpanIds, currentTraceId, extractTraceContext, injectTraceContext } from './propagation.js';
export type { SpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace-base';
export { seriesBy, tallyCounter, tallyHistogram, TallyCounter, TallyHistogram, type CounterSeries, type HistogramSeries } from './tallies.js';

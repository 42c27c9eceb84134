// What benchmarks and other packages' tests use to drive monitoring (`@mlops/monitoring/testing`).
export { createTestEnvironment, startMonitoring, waitFor, NATS_URL, type RunningMonitoring, type TestEnvironment } from './harness.js';
export { label, prediction, type PredictionEvent } from './events.js';
export { storePanes, type PaneDelta } from './panes.js';
export { driftReport, type DriftReport } from '../reports/drift-report.js';
export { binningsOf } from '../reference/build.js';

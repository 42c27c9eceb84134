import { backoffDelay, DEFAULT_BACKOFF_MS, DEFAULT_MAX_DELIVER } from '../consumer-spec.js';

/**
 * How long a consumer with the default retry settings keeps retrying a failing event before it
 * dead-letters it: the backoff after every delivery but the last (200 ms + 1 s + 5 s + 5 s). An
 * outage test must outlast it to show that a transient failure is not dead-lettered.
 */
export const DEFAULT_RETRIES_LAST_MS = Array.from({ length: DEFAULT_MAX_DELIVER - 1 }, (_, i) => backoffDelay(DEFAULT_BACKOFF_MS, i + 1)).reduce(
  (sum, ms) => sum + ms,
  0,
);

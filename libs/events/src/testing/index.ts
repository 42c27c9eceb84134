export { natsServerAvailable, startPrivateNatsServer, type PrivateNatsServer } from './private-nats-server.js';
// contract-suite.js imports vitest at load, which throws outside a vitest worker (benchmarks, the
// demo): its tests import it by path instead of through this index.
export { testNatsUrl, waitFor } from './wait.js';
export { DEFAULT_RETRIES_LAST_MS } from './retries.js';

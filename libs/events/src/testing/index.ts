export { natsServerAvailable, startPrivateNatsServer, type PrivateNatsServer } from './private-nats-server.js';
export { runEventBusContract, type BusFactory, type BusUnderTest } from './contract-suite.js';
export { testNatsUrl, waitFor } from './wait.js';

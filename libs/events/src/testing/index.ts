export { natsServerAvailable, startPrivateNatsServer, type PrivateNatsServer } from './private-nats-server.js';
export { runEventBusContract, waitFor, type BusFactory, type BusUnderTest } from './contract-suite.js';

export {
  bootService,
  runService,
  type BootOptions,
  type BootedService,
  type ServiceDeps,
  type ServiceInstance,
  type ServiceSpec,
  type StatefulServiceSpec,
  type StatelessServiceSpec,
  type StatelessServiceDeps,
} from './boot.js';
export { DATABASE_UNAVAILABLE, databaseUnavailableReason, SERVICE_BUS_FAILURE_POLICY } from './failure-policy.js';
export { SERVICE_NODE_FLAGS } from './node-flags.js';

export {
  bootService,
  runService,
  type BootOptions,
  type BootedService,
  type ServiceDeps,
  type ServiceInstance,
  type ServiceSpec,
} from './boot.js';

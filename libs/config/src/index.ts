export { ConfigError, type ConfigIssue } from './errors.js';
export { loadConfig, parseEnv, type EnvSource, type ParseResult } from './env.js';
export { hostPort, logLevel, positiveInt, url } from './fields.js';
export {
  SERVICES,
  adminAddrVariable,
  addrVariable,
  commonShape,
  envInfix,
  serviceAddressShape,
  type ServiceName,
} from './platform.js';
export { z } from 'zod';

import { z } from 'zod';
import { hostPort, logLevel, url } from './fields.js';

/** The five services, with their default gRPC and admin ports (DESIGN.md, "Default ports"). */
export const SERVICES = {
  registry: { grpcPort: 50051, adminPort: 9465 },
  'feature-store': { grpcPort: 50052, adminPort: 9466 },
  inference: { grpcPort: 50053, adminPort: 9467 },
  router: { grpcPort: 50054, adminPort: 9468 },
  monitoring: { grpcPort: 50055, adminPort: 9469 },
} as const;

export type ServiceName = keyof typeof SERVICES;

/** `feature-store` -> `FEATURE_STORE`: the infix of its MLOPS_<SERVICE>_ADDR variables. */
export const envInfix = (service: ServiceName): string => service.toUpperCase().replace(/-/g, '_');

export const addrVariable = (service: ServiceName): string => `MLOPS_${envInfix(service)}_ADDR`;
export const adminAddrVariable = (service: ServiceName): string => `MLOPS_${envInfix(service)}_ADMIN_ADDR`;

/** Where every service (and the CLI) finds every other one. */
export function serviceAddressShape() {
  const shape: Record<string, ReturnType<typeof hostPort>> = {};
  for (const [name, ports] of Object.entries(SERVICES)) {
    shape[addrVariable(name as ServiceName)] = hostPort(`127.0.0.1:${ports.grpcPort}`);
    shape[adminAddrVariable(name as ServiceName)] = hostPort(`127.0.0.1:${ports.adminPort}`);
  }
  return shape;
}

/** Variables every service reads. */
export const commonShape = {
  DATABASE_URL: url(['postgres', 'postgresql']).optional(),
  NATS_URL: url(['nats', 'tls', 'ws', 'wss']).optional(),
  MLOPS_DATA_DIR: z.string().default('./.mlops'),
  LOG_LEVEL: logLevel,
  OTEL_EXPORTER_OTLP_ENDPOINT: url(['http', 'https']).optional(),
  /**
   * Bearer tokens and their roles, "token:role" pairs separated by commas
   * (roles: reader, producer, deployer, admin). Unset: authentication is off.
   */
  MLOPS_AUTH_TOKENS: z
    .string()
    .regex(/^[^:,\s]+:(reader|producer|deployer|admin)(,[^:,\s]+:(reader|producer|deployer|admin))*$/, {
      message: 'comma-separated token:role pairs, role one of reader, producer, deployer, admin',
    })
    .optional(),
};

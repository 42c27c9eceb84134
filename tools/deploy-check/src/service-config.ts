import {
  SERVICES,
  addrVariable,
  adminAddrVariable,
  commonShape,
  parseEnv,
  serviceAddressShape,
  type ServiceName,
  type z,
} from '@mlops/config';
import { featureStoreSpec } from '@mlops/feature-store';
import { inferenceSpec } from '@mlops/inference';
import { monitoringSpec } from '@mlops/monitoring';
import { registrySpec } from '@mlops/registry';
import { routerSpec } from '@mlops/router';

export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

const SPECIFIC_SHAPES: Record<ServiceName, z.ZodRawShape> = {
  registry: registrySpec.configShape ?? {},
  'feature-store': featureStoreSpec.configShape ?? {},
  inference: inferenceSpec.configShape ?? {},
  router: routerSpec.configShape ?? {},
  monitoring: monitoringSpec.configShape ?? {},
};

/** Exactly the variables `bootService` validates for this service (libs/runtime/src/boot.ts). */
export function configShapeOf(service: ServiceName): z.ZodRawShape {
  return { ...commonShape, ...serviceAddressShape(), ...SPECIFIC_SHAPES[service] };
}

export type EnvVerdict = { ok: true } | { ok: false; problems: string[] };

/** Every variable is one the service reads, and the values pass its validation as at start. */
export function checkServiceEnv(service: ServiceName, env: Readonly<Record<string, string>>): EnvVerdict {
  const shape = configShapeOf(service);
  const problems = Object.keys(env)
    .filter((name) => !(name in shape))
    .map((name) => `${name} is not read by ${service}`);
  const parsed = parseEnv(shape, env);
  if (!parsed.ok)
    problems.push(
      ...parsed.error.issues.map(
        (i) => `${i.variable}: expected ${i.expected}, got ${JSON.stringify(i.received)}`,
      ),
    );
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

/** host and port of a "host:port" value. */
export function splitHostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

/** The variables a service listens on; every other MLOPS_*_ADDR it holds is one it dials. */
export const listenVariables = (service: ServiceName): [string, string] => [
  addrVariable(service),
  adminAddrVariable(service),
];

/** The service whose gRPC address a variable names, if it is an MLOPS_<SERVICE>_ADDR variable. */
export function serviceOfAddrVariable(variable: string): ServiceName | undefined {
  return SERVICE_NAMES.find((s) => addrVariable(s) === variable);
}

/**
 * The services each one dials (its spec.ts reads their MLOPS_<SERVICE>_ADDR): these must be set
 * to a reachable name in a deployment, or the client falls back to 127.0.0.1.
 */
export const DIALS: Record<ServiceName, readonly ServiceName[]> = {
  registry: [],
  'feature-store': [],
  inference: ['registry'],
  router: ['registry', 'feature-store', 'inference'],
  monitoring: ['registry'],
};

import { addrVariable, SERVICES, type ServiceName } from '@mlops/config';

/** Where each service's gRPC API listens ("host:port"). */
export interface PlatformAddresses {
  readonly registry: string;
  readonly featureStore: string;
  readonly inference: string;
  readonly router: string;
  readonly monitoring: string;
}

/** The addresses `npm start` uses, overridable by the same MLOPS_<SERVICE>_ADDR variables. */
export function defaultAddresses(env: NodeJS.ProcessEnv = process.env): PlatformAddresses {
  const at = (service: ServiceName) => env[addrVariable(service)]?.trim() || `127.0.0.1:${SERVICES[service].grpcPort}`;
  return { registry: at('registry'), featureStore: at('feature-store'), inference: at('inference'), router: at('router'), monitoring: at('monitoring') };
}

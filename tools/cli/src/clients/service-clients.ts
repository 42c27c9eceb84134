import type { DescService } from '@bufbuild/protobuf';
import { addrVariable, parseEnv, serviceAddressShape, type ConfigError, type ServiceName } from '@mlops/config';
import { createClient, isRpcError, type CallOptions, type Client } from '@mlops/grpc';
import { FeatureStoreService } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { MonitoringService } from '@mlops/proto/mlops/monitoring/v1/monitoring_pb';
import { RegistryService } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { RouterService } from '@mlops/proto/mlops/router/v1/router_pb';
import { CliError, type ServiceTarget } from '../framework/errors.js';

/** A unary call that has not answered in this long has hung; streams (uploads, exports) have no deadline. */
export const UNARY_DEADLINE_MS = 30_000;

/** The variable that holds the bearer token the CLI sends (the services' MLOPS_AUTH_TOKENS lists valid ones). */
export const TOKEN_VARIABLE = 'MLOPS_TOKEN';

/**
 * Clients of the platform's services, created on first use (a command that only talks to the
 * registry never opens a channel to the router). Every error a call fails with is a CliError
 * that names the service, its address and the variable the address came from.
 */
export interface ServiceClients {
  registry(): Client<typeof RegistryService>;
  featureStore(): Client<typeof FeatureStoreService>;
  router(): Client<typeof RouterService>;
  monitoring(): Client<typeof MonitoringService>;
  /** Closes every channel opened. */
  close(): void;
}

const withDefaultDeadline = (options: CallOptions | undefined): CallOptions => ({ deadlineMs: UNARY_DEADLINE_MS, ...options });

const labelled = (err: unknown, target: ServiceTarget): unknown =>
  isRpcError(err) ? new CliError({ kind: 'rpc', target, error: err }) : err;

/** Wraps every method of `client` so its failures say which service failed, and unary calls get a deadline. */
function labelErrors<S extends DescService>(desc: S, client: Client<S>, target: ServiceTarget): Client<S> {
  // Indexing a Client<S> by a runtime method name loses its per-method types; the wrapper keeps
  // each method's signature, so the result has the same shape as `client`.
  const methods = client as unknown as Record<string, (input: unknown, options?: CallOptions) => unknown>;
  const wrapped: Record<string, unknown> = { close: () => client.close() };
  for (const method of desc.methods) {
    const call = methods[method.localName];
    if (call === undefined) continue;
    switch (method.methodKind) {
      case 'unary':
        wrapped[method.localName] = (input: unknown, options?: CallOptions) =>
          (call(input, withDefaultDeadline(options)) as Promise<unknown>).catch((err: unknown) => Promise.reject(labelled(err, target)));
        break;
      case 'client_streaming':
        wrapped[method.localName] = (input: unknown, options?: CallOptions) =>
          (call(input, options) as Promise<unknown>).catch((err: unknown) => Promise.reject(labelled(err, target)));
        break;
      case 'server_streaming':
      case 'bidi_streaming':
        wrapped[method.localName] = async function* (input: unknown, options?: CallOptions) {
          try {
            yield* call(input, options) as AsyncIterable<unknown>;
          } catch (err) {
            throw labelled(err, target);
          }
        };
        break;
    }
  }
  return wrapped as Client<S>;
}

/**
 * Reads the service addresses from the same variables the services use (MLOPS_<SERVICE>_ADDR,
 * defaults reaching a platform started by `npm start`) and the token from MLOPS_TOKEN.
 * A malformed address fails the first call with a message naming the variable.
 */
export function createServiceClients(env: Readonly<Record<string, string | undefined>>): ServiceClients {
  const open: Array<{ close(): void }> = [];
  let addresses: Record<string, string> | undefined;

  const addressOf = (service: ServiceName): ServiceTarget => {
    if (addresses === undefined) {
      const parsed = parseEnv(serviceAddressShape(), env);
      if (!parsed.ok) throw new CliError({ kind: 'config', message: describeConfigError(parsed.error) });
      addresses = parsed.value;
    }
    const variable = addrVariable(service);
    return { service, variable, address: addresses[variable] ?? '' };
  };

  const token = env[TOKEN_VARIABLE]?.trim() || undefined;

  const connect = <S extends DescService>(desc: S, service: ServiceName): (() => Client<S>) => {
    let client: Client<S> | undefined;
    return () => {
      if (client === undefined) {
        const target = addressOf(service);
        client = labelErrors(desc, createClient(desc, target.address, token === undefined ? {} : { token }), target);
        open.push(client);
      }
      return client;
    };
  };

  return {
    registry: connect(RegistryService, 'registry'),
    featureStore: connect(FeatureStoreService, 'feature-store'),
    router: connect(RouterService, 'router'),
    monitoring: connect(MonitoringService, 'monitoring'),
    close() {
      for (const client of open.splice(0)) client.close();
    },
  };
}

const describeConfigError = (error: ConfigError): string =>
  error.issues
    .map((issue) => `${issue.variable}: expected ${issue.expected}${issue.received === undefined ? '' : ` (got ${JSON.stringify(issue.received)})`}`)
    .join('\n');

import { describe, expect, it } from 'vitest';
import { composeContainerPorts, composeEnvironment, loadCompose, splitImage } from './compose.js';
import { containerEnv, named, podTemplate } from './k8s.js';
import { buildKustomization, type K8sObject } from './kustomize.js';
import { deployPath } from './paths.js';
import { SERVICE_NAMES, serviceOfAddrVariable, splitHostPort } from './service-config.js';

const compose = loadCompose(deployPath('docker-compose.yml'));
const objects = buildKustomization(deployPath('k8s/overlays/production'));

/** Variables whose value names a host: they differ between compose and Kubernetes by design, ports aside. */
const HOST_VALUED = new Set(['DATABASE_URL', 'NATS_URL', 'OTEL_EXPORTER_OTLP_ENDPOINT']);
/** Secrets: placeholders in both places, compared by name only. */
const SECRET_VALUED = new Set([
  'MLOPS_AUTH_TOKENS',
  'MLOPS_ROUTER_UPSTREAM_TOKEN',
  'MONITORING_REGISTRY_TOKEN',
]);

const portOf = (variable: string, value: string): number => {
  if (serviceOfAddrVariable(variable) || variable.endsWith('_ADMIN_ADDR')) return splitHostPort(value).port;
  const url = new URL(value);
  return Number(url.port);
};

describe.each(SERVICE_NAMES)('docker-compose and kustomize agree: %s', (name) => {
  const composeService = compose.services[name]!;
  const deployment = named(objects, 'Deployment', name) as K8sObject;
  const container = podTemplate(deployment).spec.containers.find((c) => c.name === name)!;
  const resolved = containerEnv(container, objects);
  const k8sEnv = resolved.ok ? resolved.env : {};
  const composeEnv = composeEnvironment(composeService);

  it('on the image and its tag', () => {
    expect(splitImage(container.image)).toEqual(splitImage(composeService.image!));
  });

  it('on the container ports', () => {
    expect((container.ports ?? []).map((p) => p.containerPort).sort()).toEqual(
      composeContainerPorts(composeService).sort(),
    );
  });

  it('on the set of variables', () => {
    expect(Object.keys(k8sEnv).sort()).toEqual(Object.keys(composeEnv).sort());
  });

  it('on every value that is not a host name or a secret', () => {
    for (const [variable, value] of Object.entries(composeEnv)) {
      if (SECRET_VALUED.has(variable) || k8sEnv[variable] === undefined) continue;
      if (HOST_VALUED.has(variable) || variable.endsWith('_ADDR')) {
        expect(portOf(variable, k8sEnv[variable]), variable).toBe(portOf(variable, value));
      } else {
        expect(k8sEnv[variable], variable).toBe(value);
      }
    }
  });
});

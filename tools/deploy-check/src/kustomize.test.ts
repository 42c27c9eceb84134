import { execFileSync } from 'node:child_process';
import { SERVICES, adminAddrVariable, addrVariable } from '@mlops/config';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { splitImage } from './compose.js';
import {
  containerEnv,
  matches,
  named,
  ofKind,
  podTemplate,
  probePort,
  selectorOf,
  type Container,
} from './k8s.js';
import { buildKustomization, objectId, type K8sObject } from './kustomize.js';
import { deployPath } from './paths.js';
import {
  DIALS,
  SERVICE_NAMES,
  checkServiceEnv,
  serviceOfAddrVariable,
  splitHostPort,
} from './service-config.js';

const OVERLAY = deployPath('k8s/overlays/production');
const objects = buildKustomization(OVERLAY);

function kubectlKustomize(dir: string): K8sObject[] | undefined {
  try {
    const out = execFileSync('kubectl', ['kustomize', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return parseAllDocuments(out).map((d) => d.toJS() as K8sObject);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

const deployment = (name: string): K8sObject => {
  const d = named(objects, 'Deployment', name);
  if (!d) throw new Error(`no Deployment ${name}`);
  return d;
};
const container = (name: string): Container =>
  podTemplate(deployment(name)).spec.containers.find((c) => c.name === name)!;

describe('kustomize build of deploy/k8s/overlays/production', () => {
  it('puts every namespaced object in the mlops namespace', () => {
    for (const o of objects)
      if (o.kind !== 'Namespace') expect(o.metadata.namespace, objectId(o)).toBe('mlops');
    expect(named(objects, 'Namespace', 'mlops')).toBeDefined();
  });

  it('gives the same objects as `kubectl kustomize` (when kubectl is installed)', (ctx) => {
    const real = kubectlKustomize(OVERLAY);
    if (!real) return ctx.skip();
    const byId = (list: K8sObject[]) => Object.fromEntries(list.map((o) => [objectId(o), o]));
    expect(byId(objects)).toEqual(byId(real));
  });

  it('references only ConfigMaps, Secrets and claims that exist', () => {
    for (const d of ofKind(objects, 'Deployment')) {
      const pod = podTemplate(d);
      for (const c of pod.spec.containers) {
        const env = containerEnv(c, objects);
        expect(env.ok ? [] : env.problems, objectId(d)).toEqual([]);
      }
      for (const v of pod.spec.volumes ?? []) {
        if (v.persistentVolumeClaim)
          expect(
            named(objects, 'PersistentVolumeClaim', v.persistentVolumeClaim.claimName),
            v.name,
          ).toBeDefined();
      }
    }
  });

  it('selects pods that exist with every Service, PodDisruptionBudget and autoscaler', () => {
    const podLabels = ofKind(objects, 'Deployment').map((d) => podTemplate(d).metadata.labels);
    for (const kind of ['Service', 'PodDisruptionBudget']) {
      for (const o of ofKind(objects, kind))
        expect(
          podLabels.some((labels) => matches(selectorOf(o), labels)),
          objectId(o),
        ).toBe(true);
    }
    for (const d of ofKind(objects, 'Deployment'))
      expect(matches(selectorOf(d), podTemplate(d).metadata.labels), objectId(d)).toBe(true);
    for (const hpa of ofKind(objects, 'HorizontalPodAutoscaler')) {
      const target = (hpa['spec'] as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef;
      expect(named(objects, target.kind, target.name), objectId(hpa)).toBeDefined();
    }
  });
});

describe.each(SERVICE_NAMES)('Kubernetes: %s', (name) => {
  const ports = SERVICES[name];
  const c = container(name);
  const resolved = containerEnv(c, objects);
  const env = resolved.ok ? resolved.env : {};

  it('runs image mlops/<name>', () => {
    expect(splitImage(c.image).repository).toBe(`mlops/${name}`);
  });

  it('sets only variables the service reads, with values it accepts', () => {
    expect(checkServiceEnv(name, env)).toEqual({ ok: true });
  });

  it('listens on 0.0.0.0 on the ports the container declares', () => {
    expect(env[addrVariable(name)]).toBe(`0.0.0.0:${ports.grpcPort}`);
    expect(env[adminAddrVariable(name)]).toBe(`0.0.0.0:${ports.adminPort}`);
    expect(Object.fromEntries((c.ports ?? []).map((p) => [p.name, p.containerPort]))).toEqual({
      grpc: ports.grpcPort,
      admin: ports.adminPort,
    });
  });

  it('probes gRPC health on the gRPC port and /readyz on the admin port', () => {
    expect(c.startupProbe?.grpc?.port).toBe(ports.grpcPort);
    expect(c.livenessProbe?.grpc?.port).toBe(ports.grpcPort);
    expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(probePort(c, c.readinessProbe!.httpGet!.port)).toBe(ports.adminPort);
  });

  it('has a Service named after it, forwarding both ports', () => {
    const service = named(objects, 'Service', name);
    expect(service).toBeDefined();
    const servicePorts = (
      service!['spec'] as { ports: Array<{ name: string; port: number; targetPort: string | number }> }
    ).ports;
    for (const p of servicePorts) expect(probePort(c, p.targetPort), p.name).toBe(p.port);
    expect(servicePorts.map((p) => p.port).sort()).toEqual([ports.grpcPort, ports.adminPort].sort());
  });

  it('dials the services it needs by Service name on their gRPC port', () => {
    for (const target of DIALS[name]) expect(env[addrVariable(target)], addrVariable(target)).toBeDefined();
    for (const [variable, value] of Object.entries(env)) {
      const target = serviceOfAddrVariable(variable);
      if (!target || target === name) continue;
      expect(splitHostPort(value), variable).toEqual({ host: target, port: SERVICES[target].grpcPort });
    }
  });

  it('is scraped by Prometheus on its admin port (pod annotations)', () => {
    const annotations = podTemplate(deployment(name)).metadata.annotations ?? {};
    expect(annotations['prometheus.io/scrape']).toBe('true');
    expect(annotations['prometheus.io/port']).toBe(String(ports.adminPort));
  });

  it('has a PodDisruptionBudget, and an autoscaler unless it must stay single', () => {
    expect(named(objects, 'PodDisruptionBudget', name)).toBeDefined();
    const replicas = (deployment(name)['spec'] as { replicas?: number }).replicas;
    const hpa = named(objects, 'HorizontalPodAutoscaler', name);
    // Exactly one of the two owns the replica count.
    expect(hpa === undefined).toBe(replicas !== undefined);
  });
});

describe('Kubernetes: state', () => {
  it('keeps registry artifacts ($MLOPS_DATA_DIR) on a claim, with one replica and Recreate', () => {
    const c = container('registry');
    const resolved = containerEnv(c, objects);
    const dataDir = resolved.ok ? resolved.env['MLOPS_DATA_DIR'] : undefined;
    const mount = c.volumeMounts?.find((m) => m.mountPath === dataDir);
    expect(mount).toBeDefined();
    const volume = podTemplate(deployment('registry')).spec.volumes?.find((v) => v.name === mount!.name);
    expect(volume?.persistentVolumeClaim).toBeDefined();
    expect(deployment('registry')['spec']).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
  });

  it('runs one monitoring replica (its evaluator is not shared between replicas)', () => {
    expect(deployment('monitoring')['spec']).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
  });
});

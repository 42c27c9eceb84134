import type { K8sObject } from './kustomize.js';

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string };
  };
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
}

interface Probe {
  grpc?: { port: number; service?: string };
  httpGet?: { path: string; port: number | string };
}

export interface Container {
  name: string;
  image: string;
  ports?: ContainerPort[];
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

export interface PodTemplate {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    containers: Container[];
    volumes?: Array<{ name: string; persistentVolumeClaim?: { claimName: string } }>;
  };
}

export const ofKind = (objects: readonly K8sObject[], kind: string): K8sObject[] =>
  objects.filter((o) => o.kind === kind);

export function named(objects: readonly K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}

export const podTemplate = (deployment: K8sObject): PodTemplate =>
  (deployment['spec'] as { template: PodTemplate }).template;

export const selectorOf = (o: K8sObject): Record<string, string> => {
  const spec = o['spec'] as { selector?: { matchLabels?: Record<string, string> } & Record<string, unknown> };
  return spec.selector?.matchLabels ?? (spec.selector as Record<string, string> | undefined) ?? {};
};

export const matches = (selector: Record<string, string>, labels: Record<string, string> = {}): boolean =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** String data of a ConfigMap or Secret (`data` of a Secret is base64). */
export function stringData(o: K8sObject): Record<string, string> {
  const out: Record<string, string> = {};
  if (o.kind === 'Secret') {
    for (const [k, v] of Object.entries((o['data'] as Record<string, string>) ?? {}))
      out[k] = Buffer.from(v, 'base64').toString('utf8');
    Object.assign(out, (o['stringData'] as Record<string, string>) ?? {});
  } else {
    Object.assign(out, (o['data'] as Record<string, string>) ?? {});
  }
  return out;
}

export type ResolvedEnv = { ok: true; env: Record<string, string> } | { ok: false; problems: string[] };

/**
 * The environment a container starts with: envFrom sources in order, then `env` (which wins, as
 * in Kubernetes). Every referenced ConfigMap, Secret and key must exist.
 */
export function containerEnv(container: Container, objects: readonly K8sObject[]): ResolvedEnv {
  const env: Record<string, string> = {};
  const problems: string[] = [];
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef
      ? ['ConfigMap', source.configMapRef.name]
      : source.secretRef
        ? ['Secret', source.secretRef.name]
        : undefined;
    if (!ref) continue;
    const found = named(objects, ref[0]!, ref[1]!);
    if (!found) problems.push(`${container.name}: envFrom ${ref[0]} ${ref[1]} does not exist`);
    else Object.assign(env, stringData(found));
  }
  for (const v of container.env ?? []) {
    if (v.value !== undefined) {
      env[v.name] = v.value;
      continue;
    }
    const ref = v.valueFrom?.secretKeyRef
      ? (['Secret', v.valueFrom.secretKeyRef] as const)
      : v.valueFrom?.configMapKeyRef
        ? (['ConfigMap', v.valueFrom.configMapKeyRef] as const)
        : undefined;
    if (!ref) {
      problems.push(`${container.name}: ${v.name} has neither value nor a ConfigMap/Secret key`);
      continue;
    }
    const source = named(objects, ref[0], ref[1].name);
    const data = source ? stringData(source) : undefined;
    if (data?.[ref[1].key] === undefined)
      problems.push(
        `${container.name}: ${v.name} refers to missing ${ref[0]} ${ref[1].name} key ${ref[1].key}`,
      );
    else env[v.name] = data[ref[1].key]!;
  }
  return problems.length === 0 ? { ok: true, env } : { ok: false, problems };
}

/** A probe's port as a number (named ports are looked up among the container's ports). */
export function probePort(container: Container, port: number | string): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

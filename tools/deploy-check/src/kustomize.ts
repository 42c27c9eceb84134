import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseYamlFile, readYaml } from './yaml-files.js';

/** A Kubernetes object, loosely typed: the checks read the fields they need. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  namespace?: string;
  labels?: Array<{ pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }>;
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
}

/**
 * The subset of kustomize these manifests use. Anything else in a kustomization.yaml is refused,
 * so a new feature (patches, generators, namePrefix) fails this check until the resolver learns it,
 * instead of being silently ignored.
 */
const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'labels', 'images']);

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'PersistentVolume',
  'StorageClass',
  'CustomResourceDefinition',
]);

type Container = { image?: string };

function podContainers(object: K8sObject): Container[] {
  const spec = object['spec'] as
    { template?: { spec?: { containers?: Container[]; initContainers?: Container[] } } } | undefined;
  const pod = spec?.template?.spec;
  return [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])];
}

function applyImages(object: K8sObject, images: NonNullable<Kustomization['images']>): void {
  for (const container of podContainers(object)) {
    if (!container.image) continue;
    const [name, tag] = splitRef(container.image);
    const rule = images.find((i) => i.name === name);
    if (!rule) continue;
    container.image = `${rule.newName ?? name}:${rule.newTag ?? tag ?? 'latest'}`;
  }
}

function splitRef(image: string): [string, string | undefined] {
  const at = image.lastIndexOf(':');
  if (at < 0 || image.slice(at).includes('/')) return [image, undefined];
  return [image.slice(0, at), image.slice(at + 1)];
}

function loadKustomization(dir: string): Kustomization {
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization']
    .map((f) => join(dir, f))
    .find((f) => existsSync(f));
  if (!file) throw new Error(`${dir}: no kustomization.yaml`);
  const k = readYaml(file) as Kustomization;
  const unsupported = Object.keys(k).filter((key) => !SUPPORTED_FIELDS.has(key));
  if (unsupported.length > 0)
    throw new Error(`${file}: the deploy-check resolver does not implement ${unsupported.join(', ')}`);
  return k;
}

/** Builds a kustomization directory as `kubectl kustomize <dir>` does, for the fields above. */
export function buildKustomization(dir: string): K8sObject[] {
  const k = loadKustomization(dir);
  const objects: K8sObject[] = [];
  for (const resource of k.resources ?? []) {
    const path = join(dir, resource);
    if (!existsSync(path)) throw new Error(`${dir}: resource ${resource} does not exist`);
    if (statSync(path).isDirectory()) {
      objects.push(...buildKustomization(path));
    } else {
      const parsed = parseYamlFile(path);
      if (!parsed.ok) throw new Error(`${path}: ${parsed.error}`);
      objects.push(...(parsed.documents as K8sObject[]));
    }
  }
  for (const object of objects) {
    if (k.namespace && !CLUSTER_SCOPED.has(object.kind)) object.metadata.namespace = k.namespace;
    for (const rule of k.labels ?? []) {
      if (rule.includeSelectors || rule.includeTemplates)
        throw new Error(`${dir}: labels with includeSelectors/includeTemplates are not implemented`);
      object.metadata.labels = { ...object.metadata.labels, ...rule.pairs };
    }
    if (k.images) applyImages(object, k.images);
  }
  const seen = new Set<string>();
  for (const o of objects) {
    const id = objectId(o);
    if (seen.has(id)) throw new Error(`${dir}: ${id} is defined twice`);
    seen.add(id);
  }
  return objects;
}

export const objectId = (o: K8sObject): string =>
  `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

import type { FeatureType } from './values.js';
import type { Micros } from './time.js';

/** What a feature view's rows are keyed by, e.g. entity "customer" with join key "customer_id". */
export interface EntityDef {
  readonly name: string;
  readonly joinKey: string;
  readonly description: string;
}

export interface FeatureDef {
  readonly name: string;
  readonly type: FeatureType;
  readonly description: string;
}

export interface FeatureViewDef {
  readonly name: string;
  readonly entity: string;
  readonly features: readonly FeatureDef[];
  /** 0: values never expire. */
  readonly ttlMicros: Micros;
  readonly owner: string;
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** One "view:feature" reference. */
export interface FeatureRef {
  readonly view: string;
  readonly feature: string;
}

export interface FeatureServiceDef {
  readonly name: string;
  /** In model-input order. */
  readonly featureRefs: readonly FeatureRef[];
  readonly description: string;
}

/** Every definition, by name. Immutable: an apply builds a new catalog. */
export interface Catalog {
  readonly entities: ReadonlyMap<string, EntityDef>;
  readonly views: ReadonlyMap<string, FeatureViewDef>;
  readonly services: ReadonlyMap<string, FeatureServiceDef>;
}

export const emptyCatalog = (): Catalog => ({ entities: new Map(), views: new Map(), services: new Map() });

export const formatRef = (ref: FeatureRef): string => `${ref.view}:${ref.feature}`;

/**
 * Names of entities, views, features and services. A view name is a NATS subject token
 * (mlops.features.<view>), so no dots, wildcards or spaces; a ref is "view:feature".
 */
const NAME = /^[a-z][a-z0-9_-]{0,62}$/;

export const isValidName = (name: string): boolean => NAME.test(name);

export const NAME_RULE = 'a name of lower-case letters, digits, "_" or "-", starting with a letter, at most 63 characters';

export function parseRef(text: string): FeatureRef | undefined {
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const view = text.slice(0, colon);
  const feature = text.slice(colon + 1);
  return isValidName(view) && isValidName(feature) ? { view, feature } : undefined;
}

export const featureOf = (view: FeatureViewDef, name: string): FeatureDef | undefined => view.features.find((f) => f.name === name);

export function sameTags(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

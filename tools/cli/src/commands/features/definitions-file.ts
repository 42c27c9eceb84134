import type { JsonObject, JsonValue } from '@bufbuild/protobuf';
import { ApplyDefinitionsRequestSchema, type ApplyDefinitionsRequest } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { parse as parseYaml } from 'yaml';
import { messageFromJson } from '../../parsing/json-message.js';
import { parseDurationMs } from '../../parsing/time.js';
import { invalid, parsed, type Parsed } from '../../parsing/result.js';

/*
 * The definitions file is the ApplyDefinitionsRequest in its JSON mapping, written as YAML, with
 * three conveniences people expect: feature types by short name (`type: int64`), ttl as a
 * duration (`ttl: 24h`), and `features:` for a feature service's refs.
 *
 *   entities:
 *     - { name: customer, join_key: customer_id }
 *   feature_views:
 *     - name: customer_stats
 *       entity: customer
 *       ttl: 24h
 *       features:
 *         - { name: age, type: int64 }
 *   feature_services:
 *     - { name: churn_v1, features: [customer_stats:age] }
 */

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

const list = (v: JsonValue | undefined): JsonValue[] => (Array.isArray(v) ? v : []);

function normalizeView(view: JsonValue): Parsed<JsonValue> {
  if (!isObject(view)) return parsed(view);
  const out: JsonObject = { ...view };
  if (typeof out['ttl'] === 'string' || typeof out['ttl'] === 'number') {
    const ms = parseDurationMs(String(out['ttl']), `ttl of feature view ${JSON.stringify(view['name'])}`);
    if (!ms.ok) return ms;
    out['ttl'] = `${ms.value / 1000}s`;
  }
  out['features'] = list(view['features']).map((feature) => {
    if (!isObject(feature) || typeof feature['type'] !== 'string') return feature;
    const type = feature['type'].toUpperCase();
    return { ...feature, type: type.startsWith('VALUE_TYPE_') ? type : `VALUE_TYPE_${type}` };
  });
  return parsed(out);
}

export function definitionsFromYaml(text: string): Parsed<ApplyDefinitionsRequest> {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (err) {
    return invalid(`not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isObject(document)) return invalid('expected a mapping with entities, feature_views and feature_services');
  const request: JsonObject = { ...document };
  const viewsKey = 'featureViews' in request ? 'featureViews' : 'feature_views';
  const views: JsonValue[] = [];
  for (const view of list(request[viewsKey])) {
    const normalized = normalizeView(view);
    if (!normalized.ok) return normalized;
    views.push(normalized.value);
  }
  if (viewsKey in request) request[viewsKey] = views;
  const servicesKey = 'featureServices' in request ? 'featureServices' : 'feature_services';
  if (servicesKey in request) {
    request[servicesKey] = list(request[servicesKey]).map((service) =>
      isObject(service) && 'features' in service && !('feature_refs' in service) && !('featureRefs' in service)
        ? Object.fromEntries(Object.entries(service).map(([k, v]) => [k === 'features' ? 'feature_refs' : k, v]))
        : service,
    );
  }
  return messageFromJson(ApplyDefinitionsRequestSchema, request);
}

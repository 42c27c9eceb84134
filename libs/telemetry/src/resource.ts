import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { defaultResource, detectResources, envDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

// These attributes are still "incubating" in the semantic conventions; OpenTelemetry asks
// users to copy incubating names rather than import them, since that entry point may change.
const ATTR_SERVICE_INSTANCE_ID = 'service.instance.id';
const ATTR_PROCESS_PID = 'process.pid';
const ATTR_HOST_NAME = 'host.name';

export interface ServiceIdentity {
  readonly service: string;
  readonly version: string;
}

/**
 * The resource every span of this process carries. Precedence, lowest first: the SDK defaults
 * (telemetry.sdk.*), `OTEL_RESOURCE_ATTRIBUTES` / `OTEL_SERVICE_NAME`, then the identity given in
 * code, so an operator can add attributes (deployment.environment, k8s.pod.name) but a stray
 * `OTEL_SERVICE_NAME` cannot relabel one service as another in the all-in-one launcher.
 */
export function buildResource(identity: ServiceIdentity): Resource {
  const fromCode = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: identity.service,
    [ATTR_SERVICE_VERSION]: identity.version,
    // One id per initTracing call: replicas of one service stay distinguishable in Jaeger.
    [ATTR_SERVICE_INSTANCE_ID]: randomUUID(),
    [ATTR_PROCESS_PID]: process.pid,
    [ATTR_HOST_NAME]: hostname(),
  });
  return defaultResource().merge(detectResources({ detectors: [envDetector] })).merge(fromCode);
}

import type { ConsumerHandle, EventBus } from '@mlops/events';
import { AlertSchema, AlertState, DeploymentEventSchema, LabelSchema, RegistryEventSchema, RegistryEventType, Severity } from '@mlops/proto/mlops/events/v1/events_pb';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { CanaryController } from '../canary/controller.js';
import type { DeploymentCache } from '../deployments/deployment-cache.js';
import type { ModelCatalog } from '../predict/model-catalog.js';
import type { RouterTables } from '../storage/schema.js';

export interface RouterConsumersDeps {
  readonly bus: EventBus;
  readonly db: Kysely<RouterTables>;
  readonly cache: DeploymentCache;
  readonly catalog: ModelCatalog;
  readonly canaries: CanaryController;
  readonly logger?: Logger;
}

const SEVERITY: Partial<Record<Severity, 'info' | 'warning' | 'critical'>> = {
  [Severity.INFO]: 'info',
  [Severity.WARNING]: 'warning',
  [Severity.CRITICAL]: 'critical',
};

/** A label as the value `predictedLabel` produces: "1" for 1.0, the category as is. */
const labelText = (value: { case: 'numeric'; value: number } | { case: 'category'; value: string } | { case: undefined; value?: undefined }): string | undefined => {
  if (value.case === 'category') return value.value;
  if (value.case === 'numeric') return String(value.value);
  return undefined;
};

/**
 * The router's subscriptions. Deployment changes and registry alias moves are broadcast (every
 * replica must refresh its own cache); alerts and labels are durable and shared (stored once in
 * the router schema, which every replica reads).
 *
 * Labels: the router consumes mlops.labels.> itself rather than asking monitoring, because canary
 * gates need accuracy per variant and per step window, joined with the router's own outcome rows,
 * and a canary must keep being judged while monitoring is down or behind.
 */
export async function startRouterConsumers(deps: RouterConsumersDeps): Promise<ConsumerHandle[]> {
  const handles: ConsumerHandle[] = [];
  handles.push(
    await deps.bus.consume({
      name: 'router-deployments',
      mode: 'broadcast',
      stream: 'DEPLOYMENTS',
      subjects: ['mlops.deployments.>'],
      schema: DeploymentEventSchema,
      handler: async ({ message }) => {
        if (message.kind.case === 'changed') await deps.cache.reload(message.kind.value.model);
      },
    }),
  );
  handles.push(
    await deps.bus.consume({
      name: 'router-registry',
      mode: 'broadcast',
      stream: 'REGISTRY',
      subjects: ['mlops.registry.>'],
      schema: RegistryEventSchema,
      handler: async ({ message }) => {
        if (message.type === RegistryEventType.ALIAS_SET || message.type === RegistryEventType.ALIAS_DELETED) deps.catalog.invalidateAliases(message.model);
      },
    }),
  );
  handles.push(
    await deps.bus.consume({
      name: 'router-alerts',
      stream: 'ALERTS',
      // nats-server 2.9 allows one filter per consumer: all alerts, severity read from the message.
      subjects: ['mlops.alerts.>'],
      schema: AlertSchema,
      startFrom: 'new',
      handler: async ({ message }) => {
        const severity = SEVERITY[message.severity];
        if (!severity || message.model === '' || message.alertId === '') return;
        const firing = message.state === AlertState.FIRING;
        const at = message.at ? new Date(Number(message.at.seconds) * 1000 + Math.floor(message.at.nanos / 1e6)) : new Date();
        await deps.db
          .insertInto('alerts')
          .values({ alert_id: message.alertId, model: message.model, version: message.version.toString(), rule: message.rule, severity, firing, summary: message.summary, at })
          .onConflict((oc) => oc.column('alert_id').doUpdateSet({ firing, severity, summary: message.summary, at, version: message.version.toString(), rule: message.rule }))
          .execute();
        // A critical alert acts at once, not on the next tick.
        if (severity === 'critical' && firing) {
          const action = await deps.canaries.evaluate(message.model);
          if (action) deps.logger?.warn({ model: message.model, rule: message.rule, action }, 'critical alert acted on');
        }
      },
    }),
  );
  handles.push(
    await deps.bus.consume({
      name: 'router-labels',
      stream: 'LABELS',
      subjects: ['mlops.labels.>'],
      schema: LabelSchema,
      startFrom: 'new',
      handler: async ({ message }) => {
        const label = labelText(message.value);
        // Labels joined by entity and time only are monitoring's business; the router joins by prediction id.
        if (message.predictionId === '' || label === undefined) return;
        await deps.db
          .insertInto('labels')
          .values({ prediction_id: message.predictionId, model: message.model, label })
          .onConflict((oc) => oc.column('prediction_id').doUpdateSet({ label }))
          .execute();
      },
    }),
  );
  return handles;
}

import type { ConsumerHandle, EventBus } from '@mlops/events';
import { RegistryEventSchema, RegistryEventType } from '@mlops/proto/mlops/events/v1/events_pb';
import type { Logger } from '@mlops/telemetry';
import type { ModelRepository } from '../models/model-repository.js';

/** The registry's alias events (mlops.registry.<model>.alias_set); one filter, as nats-server 2.9 allows. */
export const ALIAS_SET_SUBJECT = 'mlops.registry.*.alias_set';

/**
 * Follows alias moves so every replica swaps to the new production version. Broadcast: each
 * replica must see each event. A version that will not load is acknowledged (retrying cannot fix
 * it; the failure is reported by the repository); a registry that is down is retried.
 */
export function followRegistryEvents(options: {
  bus: EventBus;
  repository: ModelRepository;
  logger: Logger;
  consumerName: string;
}): Promise<ConsumerHandle> {
  const { repository, logger } = options;
  return options.bus.consume({
    name: options.consumerName,
    stream: 'REGISTRY',
    subjects: [ALIAS_SET_SUBJECT],
    schema: RegistryEventSchema,
    mode: 'broadcast',
    handler: async ({ message }) => {
      if (message.type !== RegistryEventType.ALIAS_SET || message.model === '' || message.version <= 0n)
        return;
      const result = await repository.aliasMoved(message.model, message.alias, message.version.toString());
      if (result.ok) return;
      if (result.error.kind === 'unavailable') throw new Error(result.error.message);
      logger.warn(
        {
          model: message.model,
          alias: message.alias,
          version: message.version.toString(),
          reason: result.error.message,
        },
        'alias moved to a version that cannot serve; the current version keeps serving',
      );
    },
  });
}

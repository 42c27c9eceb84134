// Ground truth, as a label producer publishes it once outcomes are known (here: at once).
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { LabelSchema } from '@mlops/proto/mlops/events/v1/events_pb';
import type { PlatformClients } from './platform-clients.js';
import type { ServedPrediction } from './traffic.js';

export const labelsSubject = (model: string) => `mlops.labels.${model}`;
/** Publishes in flight at once: NATS acks each, and one at a time would take seconds. */
const IN_FLIGHT = 64;

/** Publishes whether each served customer churned, joined to the prediction by its id. */
export async function publishLabels(platform: PlatformClients, model: string, served: readonly ServedPrediction[]): Promise<number> {
  const eventTime = timestampFromDate(new Date());
  for (let i = 0; i < served.length; i += IN_FLIGHT) {
    await Promise.all(
      served.slice(i, i + IN_FLIGHT).map(({ customer, response }) =>
        platform.bus.publish(
          labelsSubject(model),
          LabelSchema,
          create(LabelSchema, { model, predictionId: response.predictionId, entityKey: customer.id, eventTime, value: { case: 'numeric', value: customer.churned }, producer: 'mlops-demo' }),
          { msgId: `label.${response.predictionId}` },
        ),
      ),
    );
  }
  return served.length;
}

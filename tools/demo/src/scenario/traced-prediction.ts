// One customer's story as a single trace: their features change and are streamed over NATS, the
// feature store ingests them, and a backend asks for a prediction that uses them. The trace id
// is what the demo tells people to open in Jaeger.
import { trace } from '@opentelemetry/api';
import type { Customer } from './churn-data.js';
import { onlineValues, streamFeatures } from './features.js';
import type { PlatformClients } from './platform-clients.js';
import { probabilityOf } from './traffic.js';
import { waitFor } from './waiting.js';

export interface TracedPrediction {
  readonly traceId: string;
  readonly predictionId: string;
  readonly customerId: string;
  readonly variant: string;
  readonly version: bigint;
  readonly churnProbability: number;
  /** From publishing the update to the feature store serving it. */
  readonly freshnessMs: number;
}

export async function tracedPrediction(platform: PlatformClients, model: string, customer: Customer, update: readonly number[]): Promise<TracedPrediction> {
  const tracer = trace.getTracer('@mlops/demo');
  return tracer.startActiveSpan('demo: customer update and churn prediction', async (span) => {
    try {
      span.setAttribute('mlops.customer_id', customer.id);
      const started = performance.now();
      await streamFeatures(platform, [customer], () => update);
      await waitFor(
        async () => {
          const values = await onlineValues(platform, customer.id);
          return values.every((v, j) => v === update[j]) ? true : undefined;
        },
        `the feature store to serve ${customer.id}'s update`,
        30_000,
        20,
      );
      const freshnessMs = performance.now() - started;
      const response = await platform.router.predict({ model, entityKey: customer.id, requestKey: customer.id });
      return {
        // The router answers with the trace it served in, which is this span's: the client propagated it.
        traceId: response.traceId,
        predictionId: response.predictionId,
        customerId: customer.id,
        variant: response.variant,
        version: response.version,
        churnProbability: probabilityOf(response),
        freshnessMs,
      };
    } finally {
      span.end();
    }
  });
}

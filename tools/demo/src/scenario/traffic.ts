// Backend traffic: batches of Predict calls for the live customers, as a CRM service would send.
import type { PredictResponse } from '@mlops/proto/mlops/router/v1/router_pb';
import type { Customer } from './churn-data.js';
import type { PlatformClients } from './platform-clients.js';
import { sleep } from './waiting.js';

/** The router's PredictBatch limit is far above this; smaller batches interleave with other work. */
const BATCH = 100;

export interface ServedPrediction {
  readonly customer: Customer;
  readonly response: PredictResponse;
}

/** One prediction per customer, in batches; the customer id is the sticky-assignment key. */
export async function predictFor(platform: PlatformClients, model: string, customers: readonly Customer[]): Promise<ServedPrediction[]> {
  const served: ServedPrediction[] = [];
  for (let i = 0; i < customers.length; i += BATCH) {
    const batch = customers.slice(i, i + BATCH);
    const res = await platform.router.predictBatch({ model, requests: batch.map((c) => ({ entityKey: c.id, requestKey: c.id })) });
    res.responses.forEach((response, k) => served.push({ customer: batch[k]!, response }));
  }
  return served;
}

export const probabilityOf = (response: PredictResponse): number => response.outputs[0]?.values[0] ?? Number.NaN;

export interface TrafficLoop {
  /** Predictions answered so far (failed batches are counted in `failures`). */
  readonly sent: number;
  readonly failures: number;
  readonly lastError: string | undefined;
  stop(): Promise<void>;
}

/**
 * Sends a batch of customers (cycling through them) every `intervalMs` until stopped, in the
 * background: canaries and monitoring need steady traffic while the demo watches them.
 */
export function startTraffic(platform: PlatformClients, model: string, customers: readonly Customer[], options: { batch?: number; intervalMs?: number; onServed?: (served: ServedPrediction[]) => void } = {}): TrafficLoop {
  const batch = options.batch ?? 50;
  const intervalMs = options.intervalMs ?? 100;
  let running = true;
  let sent = 0;
  let failures = 0;
  let lastError: string | undefined;
  let offset = 0;
  const loop = (async () => {
    while (running) {
      const slice = Array.from({ length: batch }, (_, k) => customers[(offset + k) % customers.length]!);
      offset = (offset + batch) % customers.length;
      try {
        const res = await platform.router.predictBatch({ model, requests: slice.map((c) => ({ entityKey: c.id, requestKey: c.id })) });
        sent += res.responses.length;
        options.onServed?.(res.responses.map((response, k) => ({ customer: slice[k]!, response })));
      } catch (e) {
        // Traffic continues through a failed batch, as a real client's would; the stage decides what it means.
        failures++;
        lastError = e instanceof Error ? e.message : String(e);
      }
      await sleep(intervalMs);
    }
  })();
  return {
    get sent() {
      return sent;
    },
    get failures() {
      return failures;
    },
    get lastError() {
      return lastError;
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}

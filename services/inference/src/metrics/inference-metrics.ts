import { Counter, Gauge, Registry } from 'prom-client';

/** The counters of one served model version. */
export interface ModelVersionMetrics {
  /** A request answered; `requestUs` is its time in the service, from lease to response. */
  succeeded(requestUs: number): void;
  failed(requestUs: number): void;
  /** A request's share of a run: its wait in the queue and the run's three phases. */
  executed(share: { queueUs: number; inputUs: number; inferUs: number; outputUs: number }): void;
  /** One onnxruntime run of `rows` rows. */
  ran(rows: number): void;
  pendingChanged(delta: number): void;
}

export interface InferenceMetrics {
  forVersion(model: string, version: string): ModelVersionMetrics;
  loadFailed(model: string, version: string): void;
  swapped(model: string): void;
}

/** Running totals of one version: plain fields, so the request path never touches prom-client. */
interface VersionTotals {
  readonly labels: { readonly model: string; readonly version: string };
  success: number;
  failure: number;
  count: number;
  execCount: number;
  requestUs: number;
  queueUs: number;
  inputUs: number;
  inferUs: number;
  outputUs: number;
  pending: number;
}

type TotalField = Exclude<keyof VersionTotals, 'labels'>;

/**
 * Triton's metric names and meanings, labelled by model and version: request success and failure
 * counts, inference count (rows), execution count (runs), cumulative durations in microseconds
 * (whole request, queue wait, and the input, infer and output phases), and pending requests.
 * Requests only add to plain numbers; the series are written when Prometheus scrapes (prom-client
 * re-hashes labels on every `inc`, which would cost the hot path more than the counting itself).
 */
export function createInferenceMetrics(registry: Registry = new Registry()): InferenceMetrics {
  const versions = new Map<string, VersionTotals>();
  const labelNames = ['model', 'version'] as const;

  const fromTotals = (name: string, help: string, field: TotalField, type: 'counter' | 'gauge') => {
    const collect = function (this: Counter<'model' | 'version'> | Gauge<'model' | 'version'>) {
      this.reset();
      for (const totals of versions.values()) {
        if (type === 'counter') (this as Counter<'model' | 'version'>).inc(totals.labels, totals[field]);
        else (this as Gauge<'model' | 'version'>).set(totals.labels, totals[field]);
      }
    };
    return type === 'counter'
      ? new Counter({ name, help, labelNames, registers: [registry], collect })
      : new Gauge({ name, help, labelNames, registers: [registry], collect });
  };

  fromTotals(
    'nv_inference_request_success',
    'Number of successful inference requests, all batch sizes',
    'success',
    'counter',
  );
  fromTotals(
    'nv_inference_request_failure',
    'Number of failed inference requests, all batch sizes',
    'failure',
    'counter',
  );
  fromTotals(
    'nv_inference_count',
    'Number of inferences performed (rows; a batch of n counts n)',
    'count',
    'counter',
  );
  fromTotals(
    'nv_inference_exec_count',
    'Number of model executions performed (a batch counts once)',
    'execCount',
    'counter',
  );
  fromTotals(
    'nv_inference_request_duration_us',
    'Cumulative inference request duration in microseconds',
    'requestUs',
    'counter',
  );
  fromTotals(
    'nv_inference_queue_duration_us',
    'Cumulative inference queuing duration in microseconds',
    'queueUs',
    'counter',
  );
  fromTotals(
    'nv_inference_compute_input_duration_us',
    'Cumulative compute input duration in microseconds',
    'inputUs',
    'counter',
  );
  fromTotals(
    'nv_inference_compute_infer_duration_us',
    'Cumulative compute inference duration in microseconds',
    'inferUs',
    'counter',
  );
  fromTotals(
    'nv_inference_compute_output_duration_us',
    'Cumulative inference compute output duration in microseconds',
    'outputUs',
    'counter',
  );
  fromTotals(
    'nv_inference_pending_request_count',
    'Instantaneous number of pending requests awaiting execution',
    'pending',
    'gauge',
  );

  const loadFailures = new Counter({
    name: 'mlops_inference_model_load_failures_total',
    help: 'Model versions that failed to load or warm up (the version serving before keeps serving)',
    labelNames,
    registers: [registry],
  });
  const swaps = new Counter({
    name: 'mlops_inference_model_swaps_total',
    help: 'Hot swaps of the version serving a model',
    labelNames: ['model'],
    registers: [registry],
  });

  return {
    forVersion(model, version) {
      const key = `${model}\u0000${version}`;
      let t = versions.get(key);
      if (!t) {
        // Kept after the version is released: counters must not go backwards while it is scraped.
        t = {
          labels: { model, version },
          success: 0,
          failure: 0,
          count: 0,
          execCount: 0,
          requestUs: 0,
          queueUs: 0,
          inputUs: 0,
          inferUs: 0,
          outputUs: 0,
          pending: 0,
        };
        versions.set(key, t);
      }
      const totals = t;
      return {
        succeeded(us) {
          totals.success++;
          totals.requestUs += us;
        },
        failed(us) {
          totals.failure++;
          totals.requestUs += us;
        },
        executed(share) {
          totals.queueUs += share.queueUs;
          totals.inputUs += share.inputUs;
          totals.inferUs += share.inferUs;
          totals.outputUs += share.outputUs;
        },
        ran(rows) {
          totals.execCount++;
          totals.count += rows;
        },
        pendingChanged(delta) {
          totals.pending += delta;
        },
      };
    },
    loadFailed(model, version) {
      loadFailures.inc({ model, version });
    },
    swapped(model) {
      swaps.inc({ model });
    },
  };
}

import { seriesBy, tallyCounter, tallyHistogram } from '@mlops/telemetry';
import { Counter, Gauge, Registry } from 'prom-client';
import type { BackgroundOutcome } from './shadow/background-calls.js';

/** The router's own metrics (gRPC server and client metrics come from @mlops/grpc). */
export interface RouterMetrics {
  prediction(model: string, variant: string, outcome: 'ok' | 'error', seconds: number): void;
  background(kind: 'shadow' | 'divergence', outcome: BackgroundOutcome): void;
  predictionEventDropped(): void;
  predictionEventsBuffered(size: number): void;
  outcomesDropped(kind: 'outcome' | 'divergence', count: number): void;
  canaryDecision(model: string, action: string): void;
}

export function createRouterMetrics(registry?: Registry): RouterMetrics {
  const registers = registry ? [registry] : [];
  // Per prediction: bound series, counted in plain numbers (see @mlops/telemetry tallies).
  const perPrediction = registry ?? new Registry();
  const predictions = tallyCounter(perPrediction, { name: 'mlops_router_predictions_total', help: 'Predictions served, by model, variant and outcome.', labelNames: ['model', 'variant', 'outcome'] });
  const duration = tallyHistogram(perPrediction, {
    name: 'mlops_router_predict_duration_seconds',
    help: 'Time from request to outputs per prediction group (feature lookup and inference).',
    labelNames: ['model', 'variant'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  const predictionSeries = seriesBy((model: string) =>
    seriesBy((variant: string) => ({
      ok: predictions.series({ model, variant, outcome: 'ok' }),
      error: predictions.series({ model, variant, outcome: 'error' }),
      duration: duration.series({ model, variant }),
    })),
  );
  const background = new Counter({ name: 'mlops_router_background_calls_total', help: 'Shadow and divergence calls, by outcome (shed: over the concurrency limit).', labelNames: ['kind', 'outcome'], registers });
  const eventsDropped = new Counter({ name: 'mlops_router_prediction_events_dropped_total', help: 'Prediction events dropped because the buffer was full while NATS was unreachable.', registers });
  const eventsBuffered = new Gauge({ name: 'mlops_router_prediction_events_buffered', help: 'Prediction events waiting to be published.', registers });
  const outcomesDropped = new Counter({ name: 'mlops_router_outcomes_dropped_total', help: 'Outcome rows (canary and report figures) dropped while the database refused them.', labelNames: ['kind'], registers });
  const decisions = new Counter({ name: 'mlops_router_canary_decisions_total', help: 'Canary decisions, by model and action.', labelNames: ['model', 'action'], registers });
  return {
    prediction(model, variant, outcome, seconds) {
      const series = predictionSeries(model)(variant);
      series[outcome].inc();
      series.duration.observe(seconds);
    },
    background: (kind, outcome) => background.inc({ kind, outcome }),
    predictionEventDropped: () => eventsDropped.inc(),
    predictionEventsBuffered: (size) => eventsBuffered.set(size),
    outcomesDropped: (kind, count) => outcomesDropped.inc({ kind }, count),
    canaryDecision: (model, action) => decisions.inc({ model, action }),
  };
}

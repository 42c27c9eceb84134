/** Prometheus series of the monitoring service: every drift score, health and quality figure, alerts. */
import { Counter, Gauge, type Registry } from 'prom-client';

export interface MonitoringGauges {
  readonly driftScore: Gauge<'model' | 'version' | 'column' | 'test'>;
  readonly driftPValue: Gauge<'model' | 'version' | 'column' | 'test'>;
  readonly psi: Gauge<'model' | 'version' | 'column'>;
  readonly driftedShare: Gauge<'model' | 'version'>;
  readonly errorRate: Gauge<'model' | 'version'>;
  readonly latency: Gauge<'model' | 'version' | 'quantile'>;
  readonly windowPredictions: Gauge<'model' | 'version'>;
  readonly quality: Gauge<'model' | 'version' | 'metric'>;
  readonly alertsFiring: Gauge<'model' | 'severity'>;
  readonly predictionsConsumed: Counter<'model'>;
  readonly duplicatesSkipped: Counter<'model'>;
  readonly labelsStored: Counter<'model' | 'source'>;
}

export function createMonitoringGauges(registry: Registry): MonitoringGauges {
  const registers = [registry];
  return {
    driftScore: new Gauge({ name: 'mlops_monitoring_drift_score', help: 'Drift statistic per column over the evaluation window', labelNames: ['model', 'version', 'column', 'test'], registers }),
    driftPValue: new Gauge({ name: 'mlops_monitoring_drift_p_value', help: 'p-value of the drift test (ks, chi2)', labelNames: ['model', 'version', 'column', 'test'], registers }),
    psi: new Gauge({ name: 'mlops_monitoring_drift_psi', help: 'PSI on 10 reference-decile bins per numeric column', labelNames: ['model', 'version', 'column'], registers }),
    driftedShare: new Gauge({ name: 'mlops_monitoring_drifted_share', help: 'Share of columns whose drift test says drifted', labelNames: ['model', 'version'], registers }),
    errorRate: new Gauge({ name: 'mlops_monitoring_error_rate', help: 'Failed predictions / predictions in the window', labelNames: ['model', 'version'], registers }),
    latency: new Gauge({ name: 'mlops_monitoring_latency_ms', help: 'Prediction latency percentiles in the window', labelNames: ['model', 'version', 'quantile'], registers }),
    windowPredictions: new Gauge({ name: 'mlops_monitoring_window_predictions', help: 'Predictions in the evaluation window', labelNames: ['model', 'version'], registers }),
    quality: new Gauge({ name: 'mlops_monitoring_quality', help: 'Quality metric on labelled predictions in the window', labelNames: ['model', 'version', 'metric'], registers }),
    alertsFiring: new Gauge({ name: 'mlops_monitoring_alerts_firing', help: 'Alerts firing', labelNames: ['model', 'severity'], registers }),
    predictionsConsumed: new Counter({ name: 'mlops_monitoring_predictions_consumed_total', help: 'Prediction events stored into windows', labelNames: ['model'], registers }),
    duplicatesSkipped: new Counter({ name: 'mlops_monitoring_duplicate_predictions_total', help: 'Redelivered prediction events counted once', labelNames: ['model'], registers }),
    labelsStored: new Counter({ name: 'mlops_monitoring_labels_total', help: 'Labels stored', labelNames: ['model', 'source'], registers }),
  };
}

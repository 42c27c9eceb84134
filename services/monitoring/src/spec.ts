/** How the platform boots the monitoring service (libs/runtime). */
import { positiveInt, z } from '@mlops/config';
import type { ServiceSpec } from '@mlops/runtime';
import { registryLookupOverGrpc } from './registry/lookup.js';
import { parseAlertRuleConfig } from './alerts/rule-config.js';
import { createMonitoringService } from './service.js';
import { DEFAULT_PREDICTION_RETENTION_MS } from './storage/retention.js';
import { monitoringMigrations } from './storage/migrations.js';
import type { MonitoringTables } from './storage/schema.js';

export const monitoringConfigShape = {
  MONITORING_PANE_MS: positiveInt(60_000),
  MONITORING_WINDOW_MS: positiveInt(15 * 60_000),
  MONITORING_EVALUATION_INTERVAL_MS: positiveInt(15_000),
  /** Per-model alert rule overrides (JSON, see alerts/rule-config.ts); unset: the defaults for every model. */
  MONITORING_ALERT_RULES: z
    .string()
    .superRefine((json, ctx) => {
      const parsed = parseAlertRuleConfig(json);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `JSON of per-model rule overrides by rule name, e.g. {"fraud": {"latency_p99": {"thresholds": {"critical": 50}}, "dataset_drift": false}} (${parsed.error})` });
    })
    .optional(),
  /** Raw predictions and labels kept this long (panes stay); default 180 days. */
  MONITORING_PREDICTION_RETENTION_MS: positiveInt(DEFAULT_PREDICTION_RETENTION_MS),
  /** Token monitoring presents to the registry when authentication is on. */
  MONITORING_REGISTRY_TOKEN: z.string().optional(),
};

type MonitoringConfig = {
  MONITORING_PANE_MS: number;
  MONITORING_WINDOW_MS: number;
  MONITORING_EVALUATION_INTERVAL_MS: number;
  MONITORING_PREDICTION_RETENTION_MS: number;
  MONITORING_ALERT_RULES?: string;
  MONITORING_REGISTRY_TOKEN?: string;
};

export const monitoringSpec: ServiceSpec<MonitoringTables, MonitoringConfig> = {
  name: 'monitoring',
  version: '0.1.0',
  schema: 'monitoring',
  migrations: monitoringMigrations,
  configShape: monitoringConfigShape,
  async create({ config, logger, metrics, db, bus }) {
    const rules = parseAlertRuleConfig(config.MONITORING_ALERT_RULES);
    // Validated by the config shape already; this only narrows the type.
    if (!rules.ok) throw new Error(`MONITORING_ALERT_RULES: expected ${rules.error}`);
    const registry = registryLookupOverGrpc(config['MLOPS_REGISTRY_ADDR'] as string, config.MONITORING_REGISTRY_TOKEN);
    const service = await createMonitoringService({
      db: db.db,
      bus,
      logger,
      metrics,
      registry: registry.lookup,
      options: {
        paneMs: config.MONITORING_PANE_MS,
        windowMs: config.MONITORING_WINDOW_MS,
        evaluationIntervalMs: config.MONITORING_EVALUATION_INTERVAL_MS,
        predictionRetentionMs: config.MONITORING_PREDICTION_RETENTION_MS,
        rulesOf: rules.value,
      },
    });
    return {
      register: (server) => service.register(server),
      start: () => service.start(),
      readiness: () => service.readiness(),
      close: async () => {
        await service.close();
        registry.close();
      },
    };
  },
};

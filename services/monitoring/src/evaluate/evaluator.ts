/**
 * One evaluation round: for every version with traffic in the sliding window ending now, the
 * drift against its reference, health and quality; figures go to Prometheus and through the
 * alert rules; alert transitions are stored, published on mlops.alerts.<model>.<severity> and
 * pushed to watchers.
 */
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { EventBus } from '@mlops/events';
import { AlertSchema, AlertState } from '@mlops/proto/mlops/events/v1/events_pb';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AlertHub } from '../alerts/hub.js';
import type { AlertRule } from '../alerts/rules.js';
import type { AlertTracker, AlertTransition, Observation } from '../alerts/state.js';
import { SEVERITY_ENUM, alertRecord, recordTransition, wireRule } from '../alerts/store.js';
import { compareColumn } from '../drift/compare.js';
import { degradation } from '../metrics/performance.js';
import { driftReport } from '../reports/drift-report.js';
import { performanceReport } from '../reports/performance-report.js';
import type { BinningCache } from '../storage/binnings.js';
import { activeVersions, loadWindow } from '../storage/panes.js';
import type { MonitoringTables } from '../storage/schema.js';
import type { VersionCatalog } from '../storage/versions.js';
import type { MonitoringGauges } from '../telemetry/gauges.js';
import type { TimeRange } from '../windows/time.js';

export interface EvaluatorDeps {
  readonly db: Kysely<MonitoringTables>;
  readonly bus: EventBus;
  readonly binnings: BinningCache;
  readonly catalog: VersionCatalog;
  readonly tracker: AlertTracker;
  readonly hub: AlertHub;
  readonly gauges: MonitoringGauges;
  /** The rules a model's versions are judged by (defaults, or its configured overrides). */
  readonly rulesOf: (model: string) => readonly AlertRule[];
  readonly windowMs: number;
  readonly logger?: Logger;
}

export interface EvaluationResult {
  readonly versions: number;
  readonly transitions: readonly AlertTransition[];
}

export async function evaluate(deps: EvaluatorDeps, now: Date): Promise<EvaluationResult> {
  const range: TimeRange = { startMs: now.getTime() - deps.windowMs, endMs: now.getTime() };
  const versions = await activeVersions(deps.db, range);
  const transitions: AlertTransition[] = [];
  for (const { model, version } of versions) {
    const observations = await observe(deps, model, version, range);
    for (const [rule, obs] of observations) transitions.push(...deps.tracker.observe(rule, obs, now));
  }
  for (const t of transitions) await emit(deps, t);
  updateFiringGauge(deps);
  return { versions: versions.length, transitions };
}

async function observe(deps: EvaluatorDeps, model: string, version: bigint, range: TimeRange): Promise<Array<[AlertRule, Observation]>> {
  const { gauges } = deps;
  const v = version.toString();
  const window = await loadWindow(deps.db, deps.binnings, model, version, range);
  const out: Array<[AlertRule, Observation]> = [];
  const rules = deps.rulesOf(model);
  const rulesFor = (signal: AlertRule['signal']) => rules.filter((r) => r.signal === signal);
  const key = (rule: AlertRule, subject: string) => ({ model, version, rule: rule.name, subject });
  gauges.windowPredictions.set({ model, version: v }, window.predictions);

  const reference = await deps.catalog.reference(model, version);
  if (reference) {
    const report = driftReport(reference, window);
    for (const c of report.columns) {
      gauges.driftScore.set({ model, version: v, column: c.column, test: c.test }, c.statistic);
      if (Number.isFinite(c.pValue)) gauges.driftPValue.set({ model, version: v, column: c.column, test: c.test }, c.pValue);
      if (Number.isFinite(c.psi)) gauges.psi.set({ model, version: v, column: c.column }, c.psi);
      const figures = { current_count: c.currentCount, reference_count: c.referenceCount, statistic: c.statistic, ...(Number.isFinite(c.pValue) ? { p_value: c.pValue } : {}) };
      if (c.kind === 'numeric' && Number.isFinite(c.psi)) {
        for (const rule of rulesFor('column_psi')) {
          if (c.currentCount < rule.minCount) continue;
          out.push([rule, { key: key(rule, c.column), value: c.psi, figures: { ...figures, psi: c.psi }, describe: (s) => `${model} v${v}: column ${c.column} drifted (PSI ${c.psi.toFixed(3)}, ${s})` }]);
        }
      }
      if (c.kind === 'categorical') {
        const js = compareColumn(c.column, reference.columns.get(c.column)!, window.features.get(c.column)!, { test: 'jensenshannon' });
        if (js.ok) {
          for (const rule of rulesFor('column_jensenshannon')) {
            if (c.currentCount < rule.minCount) continue;
            out.push([rule, { key: key(rule, c.column), value: js.value.statistic, figures: { ...figures, jensenshannon: js.value.statistic }, describe: (s) => `${model} v${v}: column ${c.column} drifted (Jensen-Shannon ${js.value.statistic.toFixed(3)}, ${s})` }]);
          }
        }
      }
    }
    gauges.driftedShare.set({ model, version: v }, report.driftedShare);
    for (const rule of rulesFor('drifted_share')) {
      if (window.predictions < rule.minCount || report.columns.length === 0) continue;
      const drifted = report.columns.filter((c) => c.drifted).length;
      out.push([rule, { key: key(rule, ''), value: report.driftedShare, figures: { drifted_columns: drifted, columns: report.columns.length }, describe: (s) => `${model} v${v}: ${drifted} of ${report.columns.length} columns drifted (${s})` }]);
    }
  }

  const info = await deps.catalog.get(model, version);
  const perf = await performanceReport(deps.db, window, model, version, range, info.trainingMetrics);
  gauges.errorRate.set({ model, version: v }, perf.errorRate);
  for (const [q, value] of Object.entries(perf.latency)) gauges.latency.set({ model, version: v, quantile: q }, value);
  for (const [m, value] of Object.entries(perf.metrics)) gauges.quality.set({ model, version: v, metric: m }, value);
  for (const rule of rulesFor('error_rate')) {
    if (perf.predictions < rule.minCount) continue;
    out.push([rule, { key: key(rule, ''), value: perf.errorRate, figures: { errors: perf.errors, predictions: perf.predictions }, describe: (s) => `${model} v${v}: error rate ${(perf.errorRate * 100).toFixed(2)} % (${s})` }]);
  }
  for (const rule of rulesFor('latency_p99_ms')) {
    if (perf.predictions < rule.minCount) continue;
    out.push([rule, { key: key(rule, ''), value: perf.latency.p99, figures: { p50_ms: perf.latency.p50, p99_ms: perf.latency.p99 }, describe: (s) => `${model} v${v}: p99 latency ${perf.latency.p99.toFixed(1)} ms (${s})` }]);
  }
  const worse = degradation(perf.metrics, info.trainingMetrics);
  for (const rule of rulesFor('performance_degradation')) {
    if (perf.labelled < rule.minCount) continue;
    for (const [metric, value] of Object.entries(worse)) {
      out.push([
        rule,
        {
          key: key(rule, metric),
          value,
          figures: { [metric]: perf.metrics[metric]!, [`training_${metric}`]: info.trainingMetrics[metric]!, labelled: perf.labelled },
          describe: (s) => `${model} v${v}: ${metric} ${perf.metrics[metric]!.toFixed(4)} vs ${info.trainingMetrics[metric]!.toFixed(4)} in training (${s})`,
        },
      ]);
    }
  }
  return out;
}

async function emit(deps: EvaluatorDeps, t: AlertTransition): Promise<void> {
  await recordTransition(deps.db, t);
  const a = t.alert;
  const resolved = t.kind === 'resolved';
  const alert = create(AlertSchema, {
    alertId: a.alertId,
    model: a.key.model,
    version: a.key.version,
    rule: wireRule(a.key.rule, a.key.subject),
    severity: SEVERITY_ENUM[a.severity],
    state: resolved ? AlertState.RESOLVED : AlertState.FIRING,
    summary: a.summary,
    figures: resolved ? t.figures : a.figures,
    at: timestampFromDate(resolved ? t.at : a.firedAt),
  });
  try {
    await deps.bus.publish(`mlops.alerts.${a.key.model}.${a.severity}`, AlertSchema, alert, { msgId: `${a.alertId}:${resolved ? 'resolved' : 'firing'}` });
  } catch (err) {
    // The alert is stored (ListAlerts, WatchAlerts have it); the bus outage is logged, not fatal.
    deps.logger?.error({ err, alertId: a.alertId }, 'could not publish alert');
  }
  const record = await alertRecord(deps.db, a.alertId);
  if (record) deps.hub.publish(record);
}

function updateFiringGauge(deps: EvaluatorDeps): void {
  deps.gauges.alertsFiring.reset();
  for (const a of deps.tracker.firing()) deps.gauges.alertsFiring.inc({ model: a.key.model, severity: a.severity });
}

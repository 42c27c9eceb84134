/** The MonitoringService gRPC implementation. */
import { failedPrecondition, invalidArgument, notFound, type ServiceImpl } from '@mlops/grpc';
import type { MonitoringService } from '@mlops/proto/mlops/monitoring/v1/monitoring_pb';
import type { Kysely } from 'kysely';
import type { AlertHub } from '../alerts/hub.js';
import { acknowledge, alertRecord, listAlerts } from '../alerts/store.js';
import type { Reference } from '../drift/reference.js';
import { storeLabels } from '../ingest/labels.js';
import { validateLabel, type Label } from '../ingest/validate.js';
import { referenceFromDataset, referenceFromWindow } from '../reference/build.js';
import { driftReport } from '../reports/drift-report.js';
import { performanceReport } from '../reports/performance-report.js';
import type { BinningCache } from '../storage/binnings.js';
import { loadWindow } from '../storage/panes.js';
import { saveReference } from '../storage/references.js';
import type { MonitoringTables } from '../storage/schema.js';
import type { VersionCatalog } from '../storage/versions.js';
import { datasetColumns, optionalTest, requireModel, requireRange, requireVersion } from './requests.js';

export interface HandlerDeps {
  readonly db: Kysely<MonitoringTables>;
  readonly binnings: BinningCache;
  readonly catalog: VersionCatalog;
  readonly hub: AlertHub;
  readonly clock: () => Date;
  readonly onLabels: (labels: readonly Label[], source: 'grpc' | 'nats') => void;
}

export const MAX_LABELS_PER_CALL = 10_000;

export function monitoringHandlers(deps: HandlerDeps): ServiceImpl<typeof MonitoringService> {
  const { db, binnings, catalog } = deps;
  return {
    async submitLabels(req) {
      if (req.labels.length === 0) throw invalidArgument('labels', 'at least one label');
      if (req.labels.length > MAX_LABELS_PER_CALL) throw invalidArgument('labels', `at most ${MAX_LABELS_PER_CALL} labels per call`, req.labels.length);
      req.labels.forEach((l, i) => {
        const r = validateLabel(l, `labels[${i}]`);
        if (!r.ok) throw invalidArgument(r.error.slice(0, r.error.indexOf(':')), r.error.slice(r.error.indexOf(':') + 2));
      });
      const result = await storeLabels(db, req.labels);
      deps.onLabels(req.labels, 'grpc');
      return result;
    },

    async setReference(req) {
      const model = requireModel(req.model);
      const version = requireVersion(req.version);
      let reference: Reference | undefined;
      switch (req.source.case) {
        case 'registry':
          reference = await catalog.reference(model, version);
          if (!reference || reference.source.kind !== 'registry') {
            throw failedPrecondition(`the registry has no reference profile for ${model} version ${version}`);
          }
          break;
        case 'window': {
          const range = requireRange(req.source.value, 'window');
          const window = await loadWindow(db, binnings, model, version, range);
          if (window.predictions === 0) throw failedPrecondition(`no predictions of ${model} version ${version} in the window`);
          reference = referenceFromWindow(window, { kind: 'window', ...range });
          break;
        }
        case 'dataset':
          reference = referenceFromDataset(req.source.value.name, datasetColumns(req.source.value));
          break;
        default:
          throw invalidArgument('source', 'one of registry, window, dataset');
      }
      await saveReference(db, binnings, model, version, reference);
      return {
        source: reference.source.kind,
        rows: BigInt(reference.rows),
        columns: [...reference.columns].map(([column, c]) => ({ column, kind: c.summary.kind, count: BigInt(c.summary.n) })),
      };
    },

    async getDriftReport(req) {
      const model = requireModel(req.model);
      const version = requireVersion(req.version);
      const range = requireRange(req.range);
      const test = optionalTest(req.test);
      const reference = await catalog.reference(model, version);
      if (!reference) throw failedPrecondition(`no reference for ${model} version ${version}: set one with SetReference or record a profile in the registry lineage`);
      const window = await loadWindow(db, binnings, model, version, range);
      const report = driftReport(reference, window, { test });
      return {
        features: report.columns.map((c) => ({
          feature: c.column,
          test: c.test,
          statistic: c.statistic,
          pValue: c.pValue,
          threshold: c.threshold,
          drifted: c.drifted,
          currentCount: BigInt(c.currentCount),
          referenceCount: BigInt(Math.round(c.referenceCount)),
          kind: c.kind,
          psi: c.psi,
          approximationBound: c.approximationBound,
        })),
        driftedShare: report.driftedShare,
        predictions: BigInt(report.predictions),
        referenceSource: reference.source.kind,
        skipped: report.skipped,
      };
    },

    async getPerformanceReport(req) {
      const model = requireModel(req.model);
      const version = requireVersion(req.version);
      const range = requireRange(req.range);
      const info = await catalog.get(model, version);
      const window = await loadWindow(db, binnings, model, version, range);
      const r = await performanceReport(db, window, model, version, range, info.trainingMetrics);
      return {
        predictions: BigInt(r.predictions),
        labelled: BigInt(r.labelled),
        metrics: { ...r.metrics },
        trainingMetrics: { ...info.trainingMetrics },
        errors: BigInt(r.errors),
        errorRate: r.errorRate,
        p50LatencyMs: r.latency.p50,
        p90LatencyMs: r.latency.p90,
        p99LatencyMs: r.latency.p99,
      };
    },

    async listAlerts(req) {
      if (req.model !== '') requireModel(req.model);
      return { alerts: await listAlerts(db, req.model, req.firingOnly) };
    },

    async *watchAlerts(req, ctx) {
      if (req.model !== '') requireModel(req.model);
      for await (const alert of deps.hub.watch(req.model, ctx.signal)) yield { alert };
    },

    async acknowledgeAlert(req, ctx) {
      if (req.alertId === '') throw invalidArgument('alert_id', 'an alert id');
      // A person acknowledges: the token's name when authenticated, else the name they give.
      const by = ctx.principal.kind === 'token' ? ctx.principal.name : req.acknowledgedBy.trim();
      if (by === '') throw invalidArgument('acknowledged_by', 'the name of the person acknowledging (the call is not authenticated)');
      if (!(await alertRecord(db, req.alertId))) throw notFound(`alert ${req.alertId} does not exist`);
      const record = await acknowledge(db, req.alertId, by, req.comment, deps.clock());
      if (!record) throw notFound(`alert ${req.alertId} does not exist`);
      deps.hub.publish(record);
      return { alert: record };
    },
  };
}

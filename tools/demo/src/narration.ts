// Turns stage outcomes into the lines `npm run demo` prints: what happened, with its figures.
import type { AliasMove } from './scenario/registration.js';
import type { ScenarioOutcome, StageReport } from './scenario/scenario.js';
import type { CanaryOutcome } from './scenario/canary.js';

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(0)} ms`);
const f3 = (x: number) => x.toFixed(3);

function aliasLine(move: AliasMove): string {
  const gate = move.gate.join(' and ');
  return move.moved
    ? `production → v${move.version} (gate "${gate}" passed${move.previous ? `; was v${move.previous}` : ''})`
    : `production → v${move.version} refused by gate "${gate}": ${move.code}: ${move.message}`;
}

function canaryLines(c: CanaryOutcome): string[] {
  const last = c.decisions.at(-1);
  return [
    `${c.result === 'promoted' ? 'PROMOTED' : 'ROLLED BACK'} v${c.candidateVersion} after ${ms(c.durationMs)} and ${c.predictions} predictions (${c.decisions.filter((d) => d.action !== 'hold').length} decisions)`,
    ...(last ? [`last decision: ${last.reason}`] : []),
    `production alias: v${c.aliasBefore ?? '-'} → v${c.aliasAfter ?? '-'} (values seen while it ran: ${c.aliasesSeen.map((v) => `v${v}`).join(', ')})`,
    `deployment now: ${c.finalVariants.map(([name, version, weight]) => `${name}=v${version} ${weight}%`).join(', ')}`,
  ];
}

export function narrate(report: StageReport): string[] {
  switch (report.stage) {
    case 'data': {
      const d = report.outcome;
      return [`${d.rows} customers (${d.trainRows} to train on, ${d.liveCustomers} held out as live customers), churn rate ${pct(d.churnRate)}`, `${d.uri}  ${d.digest}`];
    }
    case 'training': {
      const { logistic, boosted } = report.outcome;
      return [logistic, boosted].map((m) => `${m.description.padEnd(38)} AUC ${f3(m.auc)}  accuracy ${f3(m.accuracy)}  trained in ${ms(m.trainingMs)}  ONNX ${(m.onnxBytes / 1024).toFixed(1)} KiB`);
    }
    case 'registration': {
      const r = report.outcome;
      return r.versions.map((v) => `${r.model} v${v.version}: ${v.description}, AUC ${f3(v.auc)}, ${v.sizeBytes} bytes sha256 ${v.sha256.slice(0, 12)}…, lineage with ${r.featureRefs} feature refs and a ${v.profiledFeatures}-feature reference profile`);
    }
    case 'production':
      return [aliasLine(report.outcome.refused), aliasLine(report.outcome.moved)];
    case 'features': {
      const f = report.outcome;
      return [
        ...(f.changes.length > 0 ? f.changes.map((c) => `applied: ${c}`) : ['definitions already in place (apply is idempotent)']),
        `${f.customers} customers streamed in ${f.messages} FeatureRows messages on ${f.subject}; all served online after ${ms(f.servedAfterMs)}`,
      ];
    }
    case 'experiment': {
      const { experiment: e, promotion, shadowVersion } = report.outcome;
      return [
        ...e.variants.map(
          (v) =>
            `variant ${v.variant.padEnd(9)} v${v.version}: ${v.requests} requests, accuracy ${f3(v.accuracy)} (95 % CI ${f3(v.accuracyCi[0])}–${f3(v.accuracyCi[1])}) on ${v.labelled} labels, p99 ${v.p99LatencyMs.toFixed(1)} ms`,
        ),
        `difference in accuracy: p = ${e.pValue.toFixed(4)} (two-proportion z-test)`,
        `shadow v${shadowVersion.version}: ${e.shadow.comparisons} mirrored requests, ${e.shadow.failed} failed, mean |shadow − primary| ${f3(e.shadow.meanAbsDifference)}, same decision ${pct(e.shadow.agreement)}`,
        aliasLine(promotion),
      ];
    }
    case 'canary':
      return canaryLines(report.outcome);
    case 'bad-candidate':
      return canaryLines(report.outcome.canary);
    case 'drift': {
      const d = report.outcome;
      if (!d.alerted) {
        return [
          ...(d.warning ? [`warning  after ${ms(d.warning.afterMs)}: PSI ${f3(d.warning.psi)} (${d.warning.rule}, v${d.warning.version})`] : []),
          `no ${d.warning ? 'critical' : ''} alert in time: ${d.reason}`,
          'monitoring judges a sliding window on a timer; with the production defaults (MONITORING_WINDOW_MS 15 min, evaluation every 15 s)',
          'a drift takes minutes to show. Run `npm run demo` without --use-running for short windows.',
        ];
      }
      const charges = d.report.find((c) => c.feature === d.feature);
      return [
        `warning  after ${ms(d.warning.afterMs)}: PSI ${f3(d.warning.psi)} (${d.warning.rule}, v${d.warning.version})`,
        `critical after ${ms(d.critical.afterMs)}: PSI ${f3(d.critical.psi)}`,
        ...(charges ? [`drift report: ${charges.feature} ${charges.test} drifted=${charges.drifted}, PSI ${f3(charges.psi)}; ${d.report.filter((c) => c.drifted).length} of ${d.report.length} columns drifted`] : []),
      ];
    }
    case 'summary': {
      const s = report.outcome;
      return [
        `customer ${s.traced.customerId}: features updated over NATS, served ${ms(s.traced.freshnessMs)} later; churn probability ${f3(s.traced.churnProbability)} from ${s.traced.variant} v${s.traced.version}`,
        `trace id ${s.traced.traceId}`,
      ];
    }
  }
}

/** The closing summary: the story in a few lines, and where to look next. */
export function summarize(o: ScenarioOutcome, jaegerUrl: string | undefined): string[] {
  const onDrifted = o.summary.alerts.filter((a) => a.rule.endsWith(o.drift.feature));
  const critical = onDrifted.filter((a) => a.severity === 'critical');
  const warnings = onDrifted.filter((a) => a.severity === 'warning');
  const others = new Map<string, number>();
  for (const a of o.summary.alerts.filter((x) => !x.rule.endsWith(o.drift.feature))) {
    const key = `${a.severity} ${a.rule} (v${a.version})`;
    others.set(key, (others.get(key) ?? 0) + 1);
  }
  return [
    `models: v1 ${o.training.logistic.description} (AUC ${f3(o.training.logistic.auc)}), v2 ${o.training.boosted.description} (AUC ${f3(o.training.boosted.auc)}), v${o.experiment.shadowVersion.version} retrained trees, v${o['bad-candidate'].candidate.version} bad export`,
    `production: v${o.production.moved.version} → v${o.experiment.promotion.version} (A/B leader) → v${o.canary.candidateVersion} (canary promoted) — now v${o.summary.production}`,
    `bad candidate v${o['bad-candidate'].candidate.version}: rolled back by the router on its own; production never left v${o['bad-candidate'].canary.aliasAfter}`,
    o.drift.alerted
      ? `drift on ${o.drift.feature}: monitoring raised ${warnings.length} warning and ${critical.length} critical alert(s) on it; PSI ${f3(o.drift.warning.psi)} then ${f3(o.drift.critical.psi)}`
      : `drift on ${o.drift.feature}: no alert within the demo's wait (${o.drift.reason})`,
    ...(others.size > 0
      ? [
          `other alerts: ${[...others].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(', ')}`,
          '  (seconds-long windows judged every second: a window with a few hundred predictions, e.g. as a variant',
          '   stops getting traffic, trips distance tests by chance, and every service shares this one process)',
        ]
      : []),
    `registry audit log: ${o.summary.auditRecords} records for ${o.registration.model}`,
    `one prediction's trace: ${o.summary.traced.traceId}`,
    jaegerUrl ? `  open ${jaegerUrl}/trace/${o.summary.traced.traceId}` : '  (set OTEL_EXPORTER_OTLP_ENDPOINT to a Jaeger collector to see it there)',
  ];
}

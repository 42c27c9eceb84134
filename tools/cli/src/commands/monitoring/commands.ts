import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { AlertStateSchema, SeveritySchema } from '@mlops/proto/mlops/events/v1/events_pb';
import {
  AcknowledgeAlertResponseSchema,
  GetDriftReportResponseSchema,
  GetPerformanceReportResponseSchema,
  ListAlertsResponseSchema,
} from '@mlops/proto/mlops/monitoring/v1/monitoring_pb';
import { defineCommand, type CommandContext } from '../../framework/command.js';
import { enumLabel, formatDelta, formatMap, formatNumber, formatTime, messageJson, renderFields, renderTable } from '../../framework/output.js';
import { parseInteger } from '../../parsing/key-value.js';
import { parseTime } from '../../parsing/time.js';

const MODEL = { name: 'MODEL', description: 'model name' } as const;
const RANGE_OPTIONS = {
  version: { type: 'string', valueName: 'N', description: 'only this version (default: the one serving production)' },
  since: { type: 'string', valueName: 'TIME', description: 'start of the window (RFC 3339, or e.g. 24h for a day ago)', default: '24h' },
  until: { type: 'string', valueName: 'TIME', description: 'end of the window (default now)' },
} as const;

function rangeFrom(options: { version: string | undefined; since: string; until: string | undefined }, ctx: CommandContext) {
  const version = options.version === undefined ? undefined : parseInteger(options.version, '--version');
  if (version !== undefined && !version.ok) throw ctx.usageError(version.error);
  const start = parseTime(options.since, '--since', ctx.io.now());
  if (!start.ok) throw ctx.usageError(start.error);
  const end = options.until === undefined ? { ok: true as const, value: new Date(ctx.io.now()) } : parseTime(options.until, '--until', ctx.io.now());
  if (!end.ok) throw ctx.usageError(end.error);
  return { version: version?.value ?? 0n, range: { start: timestampFromDate(start.value), end: timestampFromDate(end.value) } };
}

const maybe = (n: number) => (Number.isNaN(n) ? '-' : formatNumber(n));

export const driftCommand = defineCommand({
  name: 'drift',
  summary: "data drift of a model's inputs and outputs against its reference",
  positionals: [MODEL],
  options: {
    ...RANGE_OPTIONS,
    test: { type: 'string', valueName: 'NAME', description: 'force one test for every column: ks, wasserstein, psi, chi2, jensenshannon' },
  },
  services: ['monitoring'],
  examples: ['mlops monitoring drift churn --since 6h'],
  async run({ args, options }, ctx) {
    const { version, range } = rangeFrom(options, ctx);
    const report = await ctx.clients.monitoring().getDriftReport({ model: args.MODEL, version, range, test: options.test ?? '' });
    if (ctx.json) {
      ctx.printJson(messageJson(GetDriftReportResponseSchema, report));
      return;
    }
    ctx.out(
      renderTable(
        ['FEATURE', 'TEST', 'STATISTIC', 'P-VALUE', 'THRESHOLD', 'DRIFTED', 'CURRENT', 'REFERENCE'].map((header, i) => ({ header, align: i < 2 || i === 5 ? 'left' : 'right' })),
        report.features.map((f) => [
          f.feature,
          f.test,
          maybe(f.statistic),
          maybe(f.pValue),
          maybe(f.threshold),
          f.drifted ? 'DRIFT' : 'ok',
          String(f.currentCount),
          String(f.referenceCount),
        ]),
      ),
    );
    ctx.out(`\n${formatNumber(report.driftedShare * 100)}% of columns drifted over ${report.predictions} predictions (reference: ${report.referenceSource || '-'})\n`);
    for (const [column, why] of Object.entries(report.skipped)) ctx.out(`skipped ${column}: ${why}\n`);
  },
});

export const performanceCommand = defineCommand({
  name: 'performance',
  summary: 'live quality (on labelled predictions) against training, errors and latency',
  positionals: [MODEL],
  options: RANGE_OPTIONS,
  services: ['monitoring'],
  async run({ args, options }, ctx) {
    const { version, range } = rangeFrom(options, ctx);
    const report = await ctx.clients.monitoring().getPerformanceReport({ model: args.MODEL, version, range });
    if (ctx.json) {
      ctx.printJson(messageJson(GetPerformanceReportResponseSchema, report));
      return;
    }
    ctx.out(
      renderFields([
        ['predictions', `${report.predictions} (${report.labelled} labelled)`],
        ['errors', `${report.errors} (${formatNumber(report.errorRate * 100)}%)`],
        ['latency', `p50 ${formatNumber(report.p50LatencyMs)} ms, p90 ${formatNumber(report.p90LatencyMs)} ms, p99 ${formatNumber(report.p99LatencyMs)} ms`],
      ]),
    );
    const names = [...new Set([...Object.keys(report.metrics), ...Object.keys(report.trainingMetrics)])].sort();
    if (names.length === 0) return;
    ctx.out(
      '\n' +
        renderTable(
          [{ header: 'METRIC' }, { header: 'LIVE', align: 'right' }, { header: 'TRAINING', align: 'right' }, { header: 'CHANGE', align: 'right' }],
          names.map((name) => {
            const live = report.metrics[name];
            const training = report.trainingMetrics[name];
            return [name, live === undefined ? '-' : formatNumber(live), training === undefined ? '-' : formatNumber(training), live !== undefined && training !== undefined ? formatDelta(live - training) : ''];
          }),
        ),
    );
  },
});

export const alertsCommand = defineCommand({
  name: 'alerts',
  summary: 'list alerts (all models unless MODEL is given)',
  positionals: [{ name: 'MODEL', description: 'only this model', arity: 'optional' }],
  options: { firing: { type: 'boolean', description: 'only alerts still firing' } },
  services: ['monitoring'],
  async run({ args, options }, ctx) {
    const response = await ctx.clients.monitoring().listAlerts({ model: args.MODEL ?? '', firingOnly: options.firing });
    if (ctx.json) {
      ctx.printJson(messageJson(ListAlertsResponseSchema, response));
      return;
    }
    if (response.alerts.length === 0) {
      ctx.note('no alerts');
      return;
    }
    ctx.out(
      renderTable(
        ['ID', 'MODEL', 'VERSION', 'RULE', 'SEVERITY', 'STATE', 'ACK', 'AT', 'SUMMARY', 'FIGURES'].map((header) => ({ header, align: header === 'VERSION' ? 'right' : 'left' })),
        response.alerts.map(({ alert, acknowledged, acknowledgedBy }) => [
          alert?.alertId ?? '-',
          alert?.model ?? '-',
          String(alert?.version ?? '-'),
          alert?.rule ?? '-',
          alert ? enumLabel(SeveritySchema, alert.severity) : '-',
          alert ? enumLabel(AlertStateSchema, alert.state) : '-',
          acknowledged ? `yes${acknowledgedBy ? ` (${acknowledgedBy})` : ''}` : 'no',
          formatTime(alert?.at ? timestampDate(alert.at) : undefined),
          alert?.summary ?? '',
          formatMap(alert?.figures ?? {}),
        ]),
      ),
    );
  },
});

export const ackCommand = defineCommand({
  name: 'ack',
  summary: 'acknowledge an alert',
  positionals: [{ name: 'ALERT_ID', description: 'id from `mlops monitoring alerts`' }],
  options: {
    comment: { type: 'string', valueName: 'TEXT', description: 'what is being done about it' },
    by: { type: 'string', valueName: 'NAME', description: 'who acknowledges (default: the token\'s name, else $USER)' },
  },
  services: ['monitoring'],
  async run({ args, options }, ctx) {
    const response = await ctx.clients.monitoring().acknowledgeAlert({
      alertId: args.ALERT_ID,
      comment: options.comment ?? '',
      // The service takes the name from a named token; without one it needs to be told.
      acknowledgedBy: options.by ?? (ctx.io.env['MLOPS_TOKEN'] ? '' : (ctx.io.env['USER'] ?? '')),
    });
    if (ctx.json) ctx.printJson(messageJson(AcknowledgeAlertResponseSchema, response));
    else ctx.out(`acknowledged ${args.ALERT_ID}${response.alert?.acknowledgedBy ? ` as ${response.alert.acknowledgedBy}` : ''}\n`);
  },
});

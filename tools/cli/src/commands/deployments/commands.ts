import { create } from '@bufbuild/protobuf';
import { durationFromMs, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { status } from '@mlops/grpc';
import {
  CanaryStatusSchema,
  DeploymentSchema,
  GetExperimentReportResponseSchema,
  MissingFeaturePolicy,
  ShadowSchema,
  VariantSchema,
  type CanaryStatus,
} from '@mlops/proto/mlops/router/v1/router_pb';
import { defineCommand } from '../../framework/command.js';
import { missingError, rpcStatusOf } from '../../framework/errors.js';
import { formatNumber, messageJson, renderTable } from '../../framework/output.js';
import { parseInteger, parseNumber } from '../../parsing/key-value.js';
import { parseDurationMs, parseTime } from '../../parsing/time.js';
import { canaryText, deploymentText } from './format.js';
import { currentDeployment, updateDeployment } from './deployment-calls.js';
import { parseVariantSpec, type VariantSpec } from './variant-spec.js';

const MODEL = { name: 'MODEL', description: 'model name' } as const;
const REASON = { type: 'string', valueName: 'TEXT', description: 'why, for the audit trail' } as const;

export const statusCommand = defineCommand({
  name: 'status',
  summary: "show a model's variants, weights, shadows and canary",
  positionals: [MODEL],
  options: {},
  services: ['router'],
  async run({ args }, ctx) {
    const router = ctx.clients.router();
    const { deployment } = await router.getDeployment({ model: args.MODEL });
    let canary: CanaryStatus | undefined;
    try {
      canary = (await router.getCanaryStatus({ model: args.MODEL })).status;
    } catch (err) {
      if (rpcStatusOf(err) !== status.NOT_FOUND) throw err;
    }
    if (ctx.json) {
      ctx.printJson({
        deployment: deployment ? messageJson(DeploymentSchema, deployment) : null,
        canary: canary ? messageJson(CanaryStatusSchema, canary) : null,
      });
      return;
    }
    if (deployment) ctx.out(deploymentText(deployment));
    ctx.out(canary ? '\n' + canaryText(canary) : '\nno canary\n');
  },
});

export const setCommand = defineCommand({
  name: 'set',
  summary: 'set the live variants of a model and their traffic weights',
  description: 'Replaces the live variants; shadows and other settings are kept.',
  positionals: [MODEL],
  options: {
    variant: { type: 'string', multiple: true, valueName: 'NAME=VERSION:WEIGHT', description: 'a live variant and its relative weight' },
    'missing-features': { type: 'string', valueName: 'reject|defaults', description: 'what a prediction does when a feature is missing' },
    reason: REASON,
  },
  services: ['router'],
  examples: ['mlops deployments set churn --variant stable=3:90 --variant challenger=4:10 --reason "A/B test"'],
  async run({ args, options }, ctx) {
    if (options.variant.length === 0) throw ctx.usageError('give at least one --variant NAME=VERSION:WEIGHT');
    const variants: VariantSpec[] = [];
    for (const text of options.variant) {
      const spec = parseVariantSpec(text);
      if (!spec.ok) throw ctx.usageError(spec.error);
      variants.push(spec.value);
    }
    const policy = options['missing-features'];
    if (policy !== undefined && policy !== 'reject' && policy !== 'defaults') throw ctx.usageError(`--missing-features must be reject or defaults, got ${JSON.stringify(policy)}`);
    const deployment = await updateDeployment(ctx.clients.router(), args.MODEL, options.reason ?? '', (d) => {
      d.variants = variants.map((v) => create(VariantSchema, v));
      if (policy !== undefined) d.missingFeaturePolicy = policy === 'reject' ? MissingFeaturePolicy.REJECT : MissingFeaturePolicy.USE_DEFAULTS;
    });
    if (ctx.json) ctx.printJson(messageJson(DeploymentSchema, deployment));
    else ctx.out(deploymentText(deployment));
  },
});

export const shadowCommand = defineCommand({
  name: 'shadow',
  summary: 'mirror a sample of live traffic to a version (its answers are compared, never returned)',
  positionals: [MODEL, { name: 'NAME', description: 'shadow name' }, { name: 'VERSION', description: 'version to mirror to', arity: 'optional' }],
  options: {
    'sample-rate': { type: 'string', valueName: 'FRACTION', description: 'share of live requests mirrored, 0..1', default: '1' },
    remove: { type: 'boolean', description: 'stop mirroring to this shadow' },
    reason: REASON,
  },
  services: ['router'],
  examples: ['mlops deployments shadow churn candidate 5 --sample-rate 0.2', 'mlops deployments shadow churn candidate --remove'],
  async run({ args, options }, ctx) {
    const router = ctx.clients.router();
    let deployment;
    if (options.remove) {
      if (args.VERSION !== undefined) throw ctx.usageError('--remove takes no VERSION');
      const existing = await currentDeployment(router, args.MODEL);
      if (!existing.shadows.some((s) => s.name === args.NAME)) throw missingError(`shadow ${JSON.stringify(args.NAME)} of ${args.MODEL}`);
      deployment = await updateDeployment(router, args.MODEL, options.reason ?? '', (d) => {
        d.shadows = d.shadows.filter((s) => s.name !== args.NAME);
      });
    } else {
      if (args.VERSION === undefined) throw ctx.usageError('missing argument VERSION');
      const version = parseInteger(args.VERSION, 'VERSION');
      if (!version.ok) throw ctx.usageError(version.error);
      const rate = parseNumber(options['sample-rate'], '--sample-rate');
      if (!rate.ok || rate.value < 0 || rate.value > 1) throw ctx.usageError(`--sample-rate must be a number from 0 to 1, got ${JSON.stringify(options['sample-rate'])}`);
      deployment = await updateDeployment(router, args.MODEL, options.reason ?? '', (d) => {
        const shadow = create(ShadowSchema, { name: args.NAME, version: version.value, sampleRate: rate.value });
        d.shadows = [...d.shadows.filter((s) => s.name !== args.NAME), shadow];
      });
    }
    if (ctx.json) ctx.printJson(messageJson(DeploymentSchema, deployment));
    else ctx.out(deploymentText(deployment));
  },
});

export const canaryCommand = defineCommand({
  name: 'canary',
  summary: 'start a canary: move traffic to a version step by step while its gates hold',
  description:
    'The router raises the candidate\'s weight through --steps, judging each step on its own outcomes; a failed\n' +
    'gate rolls back, the last step passing promotes (moves --promote-alias to the candidate). A gate set to 0\n' +
    'is not checked. Follow it with `mlops deployments status MODEL`.',
  positionals: [MODEL, { name: 'VERSION', description: 'candidate version' }],
  options: {
    steps: { type: 'string', valueName: 'PERCENTS', description: 'candidate weights in percent, ascending', default: '5,25,50,100' },
    'step-duration': { type: 'string', valueName: 'DURATION', description: 'how long each step lasts at least (e.g. 5m)' },
    'min-samples': { type: 'string', valueName: 'N', description: 'candidate predictions a step needs before it is judged' },
    'max-error-rate': { type: 'string', valueName: 'FRACTION', description: 'gate: failed share of candidate predictions' },
    'max-p99-ms': { type: 'string', valueName: 'MS', description: 'gate: p99 latency of the candidate' },
    'max-divergence': { type: 'string', valueName: 'X', description: 'gate: mean |candidate - stable| of the first output, judged once half of --min-samples have a stable comparison' },
    'min-accuracy': { type: 'string', valueName: 'FRACTION', description: 'gate: accuracy on labelled predictions' },
    'min-labels': { type: 'string', valueName: 'N', description: 'labels needed before the accuracy gate is judged' },
    'promote-alias': { type: 'string', valueName: 'ALIAS', description: 'registry alias moved on promotion (default production)' },
    reason: REASON,
  },
  services: ['router'],
  examples: ['mlops deployments canary churn 5 --steps 10,50,100 --step-duration 10m --max-error-rate 0.01 --max-p99-ms 50'],
  async run({ args, options }, ctx) {
    const version = parseInteger(args.VERSION, 'VERSION');
    if (!version.ok) throw ctx.usageError(version.error);
    const steps = options.steps.split(',').map((s) => Number(s.trim()));
    if (steps.some((s) => !Number.isInteger(s) || s < 1 || s > 100)) throw ctx.usageError(`--steps expects percents 1..100 separated by commas, got ${JSON.stringify(options.steps)}`);
    const number = (flag: keyof typeof options): number | undefined => {
      const text = options[flag];
      if (typeof text !== 'string') return undefined;
      const value = parseNumber(text, `--${flag}`);
      if (!value.ok || value.value < 0) throw ctx.usageError(`--${flag} must be a number of at least 0, got ${JSON.stringify(text)}`);
      return value.value;
    };
    let stepDuration;
    if (options['step-duration'] !== undefined) {
      const ms = parseDurationMs(options['step-duration'], '--step-duration');
      if (!ms.ok) throw ctx.usageError(ms.error);
      stepDuration = durationFromMs(ms.value);
    }
    const response = await ctx.clients.router().startCanary({
      model: args.MODEL,
      candidateVersion: version.value,
      reason: options.reason ?? '',
      policy: {
        steps,
        ...(stepDuration ? { stepDuration } : {}),
        minSamples: BigInt(Math.trunc(number('min-samples') ?? 0)),
        maxErrorRate: number('max-error-rate') ?? 0,
        maxP99LatencyMs: number('max-p99-ms') ?? 0,
        maxDivergence: number('max-divergence') ?? 0,
        minAccuracy: number('min-accuracy') ?? 0,
        minLabels: BigInt(Math.trunc(number('min-labels') ?? 0)),
        promoteAlias: options['promote-alias'] ?? '',
      },
    });
    if (ctx.json) ctx.printJson(messageJson(CanaryStatusSchema, response.status ?? create(CanaryStatusSchema)));
    else if (response.status) ctx.out(canaryText(response.status));
  },
});

export const rollbackCommand = defineCommand({
  name: 'rollback',
  summary: "roll a model's canary back: all live traffic to the stable version",
  positionals: [MODEL],
  options: { reason: REASON },
  services: ['router'],
  async run({ args, options }, ctx) {
    const response = await ctx.clients.router().rollbackCanary({ model: args.MODEL, reason: options.reason ?? '' });
    if (ctx.json) ctx.printJson(messageJson(CanaryStatusSchema, response.status ?? create(CanaryStatusSchema)));
    else if (response.status) ctx.out(canaryText(response.status));
  },
});

export const reportCommand = defineCommand({
  name: 'report',
  summary: 'compare the variants of a model: traffic, errors, latency, accuracy',
  positionals: [MODEL],
  options: {
    since: { type: 'string', valueName: 'TIME', description: 'start of the period (RFC 3339, or e.g. 24h for a day ago)', default: '24h' },
  },
  services: ['router'],
  async run({ args, options }, ctx) {
    const start = parseTime(options.since, '--since', ctx.io.now());
    if (!start.ok) throw ctx.usageError(start.error);
    const response = await ctx.clients.router().getExperimentReport({ model: args.MODEL, start: timestampFromDate(start.value), end: timestampFromDate(new Date(ctx.io.now())) });
    if (ctx.json) {
      ctx.printJson(messageJson(GetExperimentReportResponseSchema, response));
      return;
    }
    ctx.out(
      renderTable(
        ['VARIANT', 'VERSION', 'REQUESTS', 'ERROR RATE', 'P50 MS', 'P99 MS', 'LABELLED', 'ACCURACY', '95% CI'].map((header, i) => ({ header, align: i < 1 ? 'left' : 'right' })),
        response.variants.map((v) => [
          v.variant,
          String(v.version),
          String(v.requests),
          formatNumber(v.errorRate),
          formatNumber(v.p50LatencyMs),
          formatNumber(v.p99LatencyMs),
          String(v.labelled),
          v.labelled > 0n ? formatNumber(v.accuracy) : '-',
          v.labelled > 0n ? `${formatNumber(v.accuracyCiLow)}..${formatNumber(v.accuracyCiHigh)}` : '-',
        ]),
      ),
    );
    if (response.comparedVariants.length === 2) ctx.out(`\naccuracy ${response.comparedVariants.join(' vs ')}: z = ${formatNumber(response.zScore)}, p = ${formatNumber(response.pValue)}\n`);
  },
});

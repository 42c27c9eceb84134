import { timestampDate } from '@bufbuild/protobuf/wkt';
import { CanaryActionSchema } from '@mlops/proto/mlops/events/v1/events_pb';
import { CanaryStateSchema, MissingFeaturePolicySchema, type CanaryStatus, type Deployment } from '@mlops/proto/mlops/router/v1/router_pb';
import { enumLabel, formatMap, formatNumber, formatTime, renderFields, renderTable } from '../../framework/output.js';

export function deploymentText(d: Deployment): string {
  const totalWeight = d.variants.reduce((sum, v) => sum + v.weight, 0);
  const share = (w: number) => (totalWeight > 0 ? `${formatNumber(Math.round((w / totalWeight) * 1000) / 10)}%` : '-');
  const rows = [
    ...d.variants.map((v) => [v.name, 'live', String(v.version), String(v.weight), share(v.weight)]),
    ...d.shadows.map((s) => [s.name, 'shadow', String(s.version), '-', `${formatNumber(s.sampleRate * 100)}% mirrored`]),
  ];
  return (
    renderFields([
      ['model', d.model],
      ['revision', String(d.revision)],
      ['updated', formatTime(d.updatedAt ? timestampDate(d.updatedAt) : undefined)],
      ['missing features', enumLabel(MissingFeaturePolicySchema, d.missingFeaturePolicy)],
    ]) +
    '\n' +
    renderTable([{ header: 'VARIANT' }, { header: 'KIND' }, { header: 'VERSION', align: 'right' }, { header: 'WEIGHT', align: 'right' }, { header: 'TRAFFIC', align: 'right' }], rows)
  );
}

export function canaryText(c: CanaryStatus): string {
  const steps = c.policy?.steps ?? [];
  const fields = renderFields([
    ['canary', `${enumLabel(CanaryStateSchema, c.state)}: version ${c.candidateVersion} against stable ${c.stableVersion}`],
    ['step', steps.length > 0 ? `${c.step + 1} of ${steps.length} (${steps.join('% → ')}%)` : String(c.step)],
    ['candidate weight', `${formatNumber(c.candidateWeight)}%`],
    ['started', formatTime(c.startedAt ? timestampDate(c.startedAt) : undefined)],
  ]);
  if (c.decisions.length === 0) return fields;
  return (
    fields +
    '\n' +
    renderTable(
      [{ header: 'AT' }, { header: 'ACTION' }, { header: 'STEP', align: 'right' }, { header: 'WEIGHT', align: 'right' }, { header: 'REASON' }, { header: 'FIGURES' }],
      c.decisions.map((d) => [
        formatTime(d.at ? timestampDate(d.at) : undefined),
        enumLabel(CanaryActionSchema, d.action),
        String(d.step + 1),
        `${formatNumber(d.candidateWeight)}%`,
        d.reason,
        formatMap(d.figures),
      ]),
    )
  );
}

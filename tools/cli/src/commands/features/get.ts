import { FeatureStatus, GetOnlineFeaturesResponseSchema, type FeatureValue } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { defineCommand } from '../../framework/command.js';
import { messageJson, renderTable } from '../../framework/output.js';
import { formatValue } from '../../parsing/values.js';

const cell = (value: FeatureValue | undefined): string => {
  switch (value?.status) {
    case FeatureStatus.PRESENT:
      return formatValue(value.value);
    case FeatureStatus.EXPIRED:
      return '(expired)';
    default:
      return '(missing)';
  }
};

export const getCommand = defineCommand({
  name: 'get',
  summary: 'read the online (latest) feature values of entities',
  positionals: [{ name: 'ENTITY_KEY', description: 'entity keys to read', arity: 'variadic' }],
  options: {
    ref: { type: 'string', multiple: true, valueName: 'VIEW:FEATURE', description: 'a feature to read' },
    service: { type: 'string', valueName: 'NAME', description: 'read the features of this feature service instead' },
  },
  services: ['feature-store'],
  examples: ['mlops features get c-1001 c-1002 --service churn_v1', 'mlops features get c-1001 --ref customer_stats:age'],
  async run({ args, options }, ctx) {
    if ((options.ref.length > 0) === (options.service !== undefined)) throw ctx.usageError('give either --ref (one or more) or --service');
    const response = await ctx.clients.featureStore().getOnlineFeatures({
      entityKeys: [...args.ENTITY_KEY],
      featureRefs: [...options.ref],
      featureService: options.service ?? '',
    });
    if (ctx.json) {
      ctx.printJson(messageJson(GetOnlineFeaturesResponseSchema, response));
      return;
    }
    ctx.out(
      renderTable(
        [{ header: 'ENTITY' }, ...response.featureRefs.map((ref) => ({ header: ref, align: 'right' as const }))],
        response.rows.map((row) => [row.entityKey, ...response.featureRefs.map((_, i) => cell(row.values[i]))]),
      ),
    );
  },
});

import { PredictResponseSchema } from '@mlops/proto/mlops/router/v1/router_pb';
import { defineCommand } from '../framework/command.js';
import { formatNumber, messageJson, renderFields, renderTable } from '../framework/output.js';
import { parseKeyValues } from '../parsing/key-value.js';
import { valueFromFlag, type ValueInit } from '../parsing/values.js';

const MAX_SHOWN_VALUES = 10;

export const predictCommand = defineCommand({
  name: 'predict',
  summary: 'get a prediction from a model, as a backend service would',
  description:
    'The router picks the variant (sticky per --request-key, default the entity), looks up the entity\'s online\n' +
    'features and calls the model. --feature overrides a stored value (KEY is "view:feature" or a bare feature\n' +
    'name): numbers are sent as doubles, true/false as booleans, anything else (or a quoted value) as a string.',
  positionals: [{ name: 'MODEL', description: 'model name' }],
  options: {
    entity: { type: 'string', valueName: 'KEY', description: 'entity whose online features feed the model' },
    feature: { type: 'string', multiple: true, valueName: 'KEY=VALUE', description: 'a feature value given inline' },
    'request-key': { type: 'string', valueName: 'KEY', description: 'key the sticky variant assignment hashes (default the entity)' },
    variant: { type: 'string', valueName: 'NAME', description: 'force a variant (needs a deployer token)' },
  },
  services: ['router'],
  examples: ['mlops predict churn --entity c-1001', 'mlops predict churn --entity c-1001 --feature customer_stats:age=42 --json'],
  async run({ args, options }, ctx) {
    const features = parseKeyValues(options.feature, '--feature');
    if (!features.ok) throw ctx.usageError(features.error);
    if (options.entity === undefined && options.feature.length === 0) throw ctx.usageError('missing option --entity KEY (or give every feature with --feature)');
    const inline: Record<string, ValueInit> = Object.fromEntries(Object.entries(features.value).map(([k, v]) => [k, valueFromFlag(v)]));
    const response = await ctx.clients.router().predict({
      model: args.MODEL,
      entityKey: options.entity ?? '',
      features: inline,
      requestKey: options['request-key'] ?? '',
      forceVariant: options.variant ?? '',
    });
    if (ctx.json) {
      ctx.printJson(messageJson(PredictResponseSchema, response));
      return;
    }
    ctx.out(
      renderFields([
        ['model', `${response.model} version ${response.version} (variant ${response.variant || '-'})`],
        ['prediction', response.predictionId],
        ['trace', response.traceId || '-'],
      ]),
    );
    ctx.out(
      '\n' +
        renderTable(
          [{ header: 'OUTPUT' }, { header: 'SHAPE' }, { header: 'VALUES' }],
          response.outputs.map((t) => [
            t.name,
            `[${t.shape.join(', ')}]`,
            t.values.slice(0, MAX_SHOWN_VALUES).map(formatNumber).join(', ') + (t.values.length > MAX_SHOWN_VALUES ? `, … (${t.values.length} values)` : ''),
          ]),
        ),
    );
  },
});

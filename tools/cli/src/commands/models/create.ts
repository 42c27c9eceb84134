import { CreateModelResponseSchema } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { defineCommand } from '../../framework/command.js';
import { messageJson } from '../../framework/output.js';
import { parseKeyValues } from '../../parsing/key-value.js';

export const createCommand = defineCommand({
  name: 'create',
  summary: 'create a model (an empty name for versions to be registered under)',
  positionals: [{ name: 'NAME', description: 'model name: lower case letters, digits, "-" and "_"' }],
  options: {
    description: { type: 'string', valueName: 'TEXT', description: 'what the model predicts' },
    tag: { type: 'string', multiple: true, valueName: 'KEY=VALUE', description: 'a tag (team, domain, ...)' },
  },
  services: ['registry'],
  examples: ['mlops models create churn --description "customer churn in 30 days" --tag team=growth'],
  async run({ args, options }, ctx) {
    const tags = parseKeyValues(options.tag, '--tag');
    if (!tags.ok) throw ctx.usageError(tags.error);
    const response = await ctx.clients.registry().createModel({ name: args.NAME, description: options.description ?? '', tags: tags.value });
    if (ctx.json) ctx.printJson(messageJson(CreateModelResponseSchema, response));
    else ctx.out(`created model ${response.model?.name ?? args.NAME}\n`);
  },
});

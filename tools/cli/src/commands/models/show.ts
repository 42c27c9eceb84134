import { ModelSchema, ModelVersionSchema } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { defineCommand } from '../../framework/command.js';
import { messageJson } from '../../framework/output.js';
import { modelFields, versionFields, versionsTable } from './format.js';
import { listAllVersions, resolveVersion } from './registry-calls.js';

export const showCommand = defineCommand({
  name: 'show',
  summary: 'show a model and its versions, or one version with its lineage',
  description: 'REF is NAME (the model and its versions), NAME/VERSION or NAME@ALIAS (one version in detail).',
  positionals: [{ name: 'REF', description: 'NAME, NAME/VERSION or NAME@ALIAS' }],
  options: {
    all: { type: 'boolean', description: 'include archived versions' },
  },
  services: ['registry'],
  examples: ['mlops models show churn', 'mlops models show churn@production', 'mlops models show churn/3 --json'],
  async run({ args, options }, ctx) {
    const registry = ctx.clients.registry();
    if (/[@/]/.test(args.REF)) {
      const version = await resolveVersion(registry, args.REF);
      if (ctx.json) ctx.printJson(messageJson(ModelVersionSchema, version));
      else ctx.out(versionFields(version));
      return;
    }
    const { model } = await registry.getModel({ name: args.REF });
    if (!model) throw new Error(`the registry returned no model for ${args.REF}`);
    const versions = await listAllVersions(registry, args.REF, options.all);
    if (ctx.json) {
      ctx.printJson({ model: messageJson(ModelSchema, model), versions: versions.map((v) => messageJson(ModelVersionSchema, v)) });
      return;
    }
    ctx.out(modelFields(model));
    ctx.out(versions.length === 0 ? '\nno versions yet\n' : '\n' + versionsTable(versions));
  },
});

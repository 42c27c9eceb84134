import { create } from '@bufbuild/protobuf';
import { ListModelsResponseSchema } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { defineCommand } from '../../framework/command.js';
import { messageJson } from '../../framework/output.js';
import { parseKeyValues } from '../../parsing/key-value.js';
import { modelsTable } from './format.js';
import { listAllModels } from './registry-calls.js';

export const listCommand = defineCommand({
  name: 'list',
  summary: 'list models with their latest version and aliases',
  positionals: [],
  options: {
    'name-contains': { type: 'string', valueName: 'TEXT', description: 'only models whose name contains TEXT' },
    tag: { type: 'string', multiple: true, valueName: 'KEY=VALUE', description: 'only models with this tag (all must match)' },
    all: { type: 'boolean', description: 'include archived models' },
  },
  services: ['registry'],
  async run({ options }, ctx) {
    const tags = parseKeyValues(options.tag, '--tag');
    if (!tags.ok) throw ctx.usageError(tags.error);
    const models = await listAllModels(ctx.clients.registry(), {
      nameContains: options['name-contains'] ?? '',
      tags: tags.value,
      includeArchived: options.all,
    });
    // All pages as one response, so a script reads one document.
    if (ctx.json) ctx.printJson(messageJson(ListModelsResponseSchema, create(ListModelsResponseSchema, { models })));
    else if (models.length === 0) ctx.note('no models (register one with `mlops models register NAME FILE.onnx`)');
    else ctx.out(modelsTable(models));
  },
});

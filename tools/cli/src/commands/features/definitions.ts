import { durationMs } from '@bufbuild/protobuf/wkt';
import { ApplyDefinitionsResponseSchema, ListDefinitionsResponseSchema, ValueTypeSchema } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { defineCommand } from '../../framework/command.js';
import { inputError } from '../../framework/errors.js';
import { readInputText } from '../../framework/files.js';
import { enumLabel, messageJson, renderTable } from '../../framework/output.js';
import { definitionsFromYaml } from './definitions-file.js';

export const applyCommand = defineCommand({
  name: 'apply',
  summary: 'create or update entities, feature views and feature services from a YAML file',
  description:
    'Idempotent: applying the same file twice changes nothing. The file holds `entities`, `feature_views`\n' +
    '(features with `type: double|int64|string|bool|bytes`, `ttl: 24h`) and `feature_services`\n' +
    '(`features: [view:feature, ...]`), plus optional delete_entities / delete_feature_views / delete_feature_services.',
  positionals: [{ name: 'FILE.yaml', description: 'the definitions' }],
  options: { 'dry-run': { type: 'boolean', description: 'only show what would change' } },
  services: ['feature-store'],
  examples: ['mlops features apply features.yaml --dry-run', 'mlops features apply features.yaml'],
  async run({ args, options }, ctx) {
    const file = args['FILE.yaml'];
    const definitions = definitionsFromYaml(await readInputText(ctx.resolvePath(file), file));
    if (!definitions.ok) throw inputError(`${file}: ${definitions.error}`);
    const response = await ctx.clients.featureStore().applyDefinitions({ ...definitions.value, dryRun: options['dry-run'] });
    if (ctx.json) {
      ctx.printJson(messageJson(ApplyDefinitionsResponseSchema, response));
      return;
    }
    if (response.changes.length === 0) {
      ctx.out('no changes: the definitions are already in place\n');
      return;
    }
    const prefix = response.applied ? '' : 'would: ';
    ctx.out(response.changes.map((change) => `${prefix}${change}\n`).join(''));
  },
});

export const listDefinitionsCommand = defineCommand({
  name: 'list',
  summary: 'list entities, feature views and feature services',
  positionals: [],
  options: {},
  services: ['feature-store'],
  async run(_input, ctx) {
    const response = await ctx.clients.featureStore().listDefinitions({});
    if (ctx.json) {
      ctx.printJson(messageJson(ListDefinitionsResponseSchema, response));
      return;
    }
    ctx.out('entities\n');
    ctx.out(renderTable([{ header: '  NAME' }, { header: 'JOIN KEY' }, { header: 'DESCRIPTION' }], response.entities.map((e) => [`  ${e.name}`, e.joinKey, e.description])));
    ctx.out('\nfeature views\n');
    ctx.out(
      renderTable(
        [{ header: '  NAME' }, { header: 'ENTITY' }, { header: 'TTL' }, { header: 'FEATURES' }],
        response.featureViews.map((v) => [
          `  ${v.name}`,
          v.entity,
          v.ttl && durationMs(v.ttl) > 0 ? `${durationMs(v.ttl) / 1000}s` : 'none',
          v.features.map((f) => `${f.name}:${enumLabel(ValueTypeSchema, f.type)}`).join(', '),
        ]),
      ),
    );
    ctx.out('\nfeature services\n');
    ctx.out(renderTable([{ header: '  NAME' }, { header: 'FEATURES' }], response.featureServices.map((s) => [`  ${s.name}`, s.featureRefs.join(', ')])));
  },
});

import { SetAliasResponseSchema } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { defineCommand } from '../../framework/command.js';
import { messageJson } from '../../framework/output.js';
import { parseInteger } from '../../parsing/key-value.js';

export const aliasCommand = defineCommand({
  name: 'alias',
  summary: 'point an alias (production, staging, ...) at a version, if its gates pass',
  description:
    'Each --gate is a condition on the version\'s metrics, either against a number ("auc >= 0.9") or\n' +
    'against the version another alias points to ("auc >= production.auc - 0.005"). When a gate fails the\n' +
    'alias is left unchanged and the command exits 1 saying which gate failed and by how much.',
  positionals: [
    { name: 'NAME', description: 'model name' },
    { name: 'ALIAS', description: 'alias to set, e.g. production' },
    { name: 'VERSION', description: 'version number the alias should point to' },
  ],
  options: {
    gate: { type: 'string', multiple: true, valueName: 'EXPR', description: 'a condition the version must meet' },
    reason: { type: 'string', valueName: 'TEXT', description: 'why, for the audit log' },
    'expect-current': {
      type: 'string',
      valueName: 'VERSION',
      description: 'only move the alias if it points to VERSION now (0: only if unset)',
    },
  },
  services: ['registry'],
  examples: ['mlops models alias churn production 4 --gate "auc >= 0.9" --gate "auc >= production.auc - 0.005" --reason "weekly retrain"'],
  async run({ args, options }, ctx) {
    const version = parseInteger(args.VERSION, 'VERSION');
    if (!version.ok) throw ctx.usageError(version.error);
    const expected = options['expect-current'] === undefined ? undefined : parseInteger(options['expect-current'], '--expect-current', 0);
    if (expected !== undefined && !expected.ok) throw ctx.usageError(expected.error);

    const response = await ctx.clients.registry().setAlias({
      model: args.NAME,
      alias: args.ALIAS,
      version: version.value,
      gate: { expressions: [...options.gate] },
      reason: options.reason ?? '',
      ...(expected === undefined ? {} : { expectedCurrentVersion: expected.value }),
    });
    if (ctx.json) {
      ctx.printJson(messageJson(SetAliasResponseSchema, response));
      return;
    }
    const was = response.previousVersion > 0n ? `was ${response.previousVersion}` : 'was unset';
    ctx.out(`${args.NAME}@${args.ALIAS} -> version ${response.version?.version ?? version.value} (${was})\n`);
  },
});

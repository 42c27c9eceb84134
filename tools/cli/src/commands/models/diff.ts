import { ModelVersionSchema } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { defineCommand } from '../../framework/command.js';
import { messageJson, renderTable } from '../../framework/output.js';
import { resolveVersion, versionReference } from './registry-calls.js';
import { deltaText, diffVersions } from './version-diff.js';

export const diffCommand = defineCommand({
  name: 'diff',
  summary: "compare two versions' lineage and metrics",
  positionals: [
    { name: 'NAME', description: 'model name' },
    { name: 'FROM', description: 'version number or alias' },
    { name: 'TO', description: 'version number or alias' },
  ],
  options: {
    all: { type: 'boolean', description: 'show fields that did not change too' },
  },
  services: ['registry'],
  examples: ['mlops models diff churn production 5', 'mlops models diff churn 3 4 --all'],
  async run({ args, options }, ctx) {
    const registry = ctx.clients.registry();
    const [from, to] = await Promise.all([
      resolveVersion(registry, versionReference(args.NAME, args.FROM)),
      resolveVersion(registry, versionReference(args.NAME, args.TO)),
    ]);
    const rows = diffVersions(from, to);
    if (ctx.json) {
      ctx.printJson({
        from: messageJson(ModelVersionSchema, from),
        to: messageJson(ModelVersionSchema, to),
        changes: rows.filter((r) => r.changed).map((r) => ({ field: r.field, from: r.from, to: r.to, ...(r.delta === undefined ? {} : { delta: r.delta }) })),
      });
      return;
    }
    const shown = options.all ? rows : rows.filter((r) => r.changed);
    if (shown.length === 0) {
      ctx.out(`versions ${from.version} and ${to.version} have the same lineage and metrics\n`);
      return;
    }
    ctx.out(
      renderTable(
        [{ header: 'FIELD' }, { header: `VERSION ${from.version}` }, { header: `VERSION ${to.version}` }, { header: 'CHANGE', align: 'right' }],
        shown.map((r) => [r.field, r.from, r.to, deltaText(r)]),
      ),
    );
  },
});

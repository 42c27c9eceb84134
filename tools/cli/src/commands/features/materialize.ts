import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { MaterializeResponseSchema, type MaterializeResponse } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { defineCommand } from '../../framework/command.js';
import { messageJson } from '../../framework/output.js';
import { parseTime } from '../../parsing/time.js';

export const materializeCommand = defineCommand({
  name: 'materialize',
  summary: "rebuild a view's online values from its offline history",
  positionals: [{ name: 'VIEW', description: 'feature view' }],
  options: {
    start: { type: 'string', valueName: 'TIME', description: 'only rows with event time from here (RFC 3339, or e.g. 7d for 7 days ago)' },
    end: { type: 'string', valueName: 'TIME', description: 'only rows with event time before this (default now)' },
  },
  services: ['feature-store'],
  examples: ['mlops features materialize customer_stats --start 7d'],
  async run({ args, options }, ctx) {
    const range: { start?: ReturnType<typeof timestampFromDate>; end?: ReturnType<typeof timestampFromDate> } = {};
    for (const key of ['start', 'end'] as const) {
      const text = options[key];
      if (text === undefined) continue;
      const time = parseTime(text, `--${key}`, ctx.io.now());
      if (!time.ok) throw ctx.usageError(time.error);
      range[key] = timestampFromDate(time.value);
    }
    const progress = ctx.progress({ label: `materializing ${args.VIEW}`, unit: { kind: 'count', noun: 'entities' } });
    let last: MaterializeResponse = create(MaterializeResponseSchema);
    for await (const step of ctx.clients.featureStore().materialize({ view: args.VIEW, ...range })) {
      last = step;
      progress.update(Number(step.entitiesDone), Number(step.entitiesTotal));
    }
    progress.finish();
    if (ctx.json) ctx.printJson(messageJson(MaterializeResponseSchema, last));
    else ctx.out(`materialized ${args.VIEW}: ${last.entitiesDone} entities, ${last.rowsWritten} online rows replaced\n`);
  },
});

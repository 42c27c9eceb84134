import { basename } from 'node:path';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { FeatureRowSchema } from '@mlops/proto/mlops/events/v1/events_pb';
import { PushResponseSchema, type RowRejection, type ValueType } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { defineCommand } from '../../framework/command.js';
import { incomplete, inputError, missingError } from '../../framework/errors.js';
import { inputFileSize } from '../../framework/files.js';
import { messageJson, renderTable } from '../../framework/output.js';
import { parseInteger } from '../../parsing/key-value.js';
import { parseTime } from '../../parsing/time.js';
import { valueFromJson, type ValueInit } from '../../parsing/values.js';
import { formatOf, readRows, type SourceRow } from './row-source.js';

type FeatureRowInit = MessageInitShape<typeof FeatureRowSchema>;

const SHOWN_REJECTIONS = 20;

export const pushCommand = defineCommand({
  name: 'push',
  summary: 'push feature rows from a CSV or JSON-lines file (stored online and offline)',
  description:
    'Each row names its entity (--entity-column; default: the entity\'s join key, else entity_key), when its values were true (--time-column, RFC 3339;\n' +
    'absent: now) and one column per feature of the view. Values are typed by the view\'s definitions;\n' +
    'an empty CSV cell or a JSON null is an explicit missing value. Bad rows are reported and the rest kept;\n' +
    'the command then exits 1.',
  positionals: [
    { name: 'VIEW', description: 'feature view the rows belong to' },
    { name: 'FILE', description: 'rows: .csv with a header line, or .jsonl (one JSON object per line)' },
  ],
  options: {
    format: { type: 'string', valueName: 'csv|jsonl', description: 'file format (default: by extension)' },
    'entity-column': { type: 'string', valueName: 'NAME', description: "column holding the entity key (default: the view's join key, else entity_key)" },
    'time-column': { type: 'string', valueName: 'NAME', description: 'column holding the event time', default: 'event_time' },
    'batch-size': { type: 'string', valueName: 'N', description: 'rows per Push call', default: '500' },
    producer: { type: 'string', valueName: 'NAME', description: 'who produced the rows (lineage)', default: 'mlops-cli' },
  },
  services: ['feature-store'],
  examples: ['mlops features push customer_stats rows.csv', 'mlops features push customer_stats rows.jsonl --entity-column customer_id'],
  async run({ args, options }, ctx) {
    const format = formatOf(args.FILE, options.format);
    if (format === undefined) throw ctx.usageError(`--format must be csv or jsonl, got ${JSON.stringify(options.format)}`);
    const batchSize = parseInteger(options['batch-size'], '--batch-size');
    if (!batchSize.ok) throw ctx.usageError(batchSize.error);
    const path = ctx.resolvePath(args.FILE);
    const size = await inputFileSize(path, args.FILE);

    const store = ctx.clients.featureStore();
    const { featureViews, entities } = await store.listDefinitions({});
    const view = featureViews.find((v) => v.name === args.VIEW);
    if (view === undefined) throw missingError(`feature view ${JSON.stringify(args.VIEW)} (views: ${featureViews.map((v) => v.name).join(', ') || 'none'})`);
    const types = new Map<string, ValueType>(view.features.map((f) => [f.name, f.type]));
    const joinKey = entities.find((e) => e.name === view.entity)?.joinKey;
    const timeColumn = options['time-column'];
    const now = new Date(ctx.io.now());

    // The file's own header decides between the view's join key (customer_id) and entity_key.
    const entityColumnOf = (row: SourceRow): string =>
      options['entity-column'] ?? (joinKey !== undefined && joinKey in row.fields ? joinKey : 'entity_key');

    const toFeatureRow = (row: SourceRow): FeatureRowInit => {
      const where = `${args.FILE}: row ${row.index + 1}`;
      const entityColumn = entityColumnOf(row);
      const entityKey = row.fields[entityColumn];
      if (entityKey === undefined || entityKey === null || String(entityKey) === '') throw inputError(`${where}: no ${entityColumn} (set --entity-column)`);
      const time = row.fields[timeColumn];
      let eventTime = now;
      if (time !== undefined && time !== null && time !== '') {
        const parsedTime = parseTime(String(time), timeColumn, ctx.io.now());
        if (!parsedTime.ok) throw inputError(`${where}: ${parsedTime.error}`);
        eventTime = parsedTime.value;
      }
      const values: Record<string, ValueInit> = {};
      for (const [column, cell] of Object.entries(row.fields)) {
        if (column === entityColumn || column === timeColumn) continue;
        const type = types.get(column);
        if (type === undefined) throw inputError(`${where}: column ${JSON.stringify(column)} is not a feature of ${view.name} (features: ${[...types.keys()].join(', ')})`);
        const value = valueFromJson(cell, type);
        if (!value.ok) throw inputError(`${where}: ${column}: ${value.error}`);
        values[column] = value.value;
      }
      return { entityKey: String(entityKey), eventTime: timestampFromDate(eventTime), values };
    };

    const progress = ctx.progress({ label: `pushing ${basename(args.FILE)}`, total: size, unit: { kind: 'bytes' } });
    let accepted = 0;
    const rejected: RowRejection[] = [];
    let batch: FeatureRowInit[] = [];
    let batchStart = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const response = await store.push({ rows: { view: view.name, rows: batch, producer: options.producer } });
      accepted += response.accepted;
      // The service numbers rejections within the batch; report them by row of the file.
      for (const r of response.rejected) rejected.push({ ...r, index: r.index + batchStart });
      batchStart += batch.length;
      batch = [];
    };
    for await (const row of readRows(path, args.FILE, format, (n) => progress.advance(n))) {
      batch.push(toFeatureRow(row));
      if (batch.length >= Number(batchSize.value)) await flush();
    }
    await flush();
    progress.finish();

    const summary = create(PushResponseSchema, { accepted, rejected });
    if (ctx.json) ctx.printJson(messageJson(PushResponseSchema, summary));
    else {
      ctx.out(`pushed ${accepted} rows to ${view.name}${rejected.length > 0 ? `, ${rejected.length} rejected` : ''}\n`);
      if (rejected.length > 0) {
        ctx.out(renderTable([{ header: 'ROW', align: 'right' }, { header: 'REASON' }], rejected.slice(0, SHOWN_REJECTIONS).map((r) => [String(r.index + 1), r.reason])));
        if (rejected.length > SHOWN_REJECTIONS) ctx.out(`… and ${rejected.length - SHOWN_REJECTIONS} more (--json lists all)\n`);
      }
    }
    if (rejected.length > 0) throw incomplete(`${rejected.length} of ${accepted + rejected.length} rows were rejected`);
  },
});

import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { ExportFormat, ExportSummarySchema, type ExportSummary } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { defineCommand } from '../../framework/command.js';
import { inputError } from '../../framework/errors.js';
import { readInputText } from '../../framework/files.js';
import { formatBytes, messageJson } from '../../framework/output.js';
import { parseCsv } from '../../parsing/csv.js';
import { parseTime } from '../../parsing/time.js';

export const exportCommand = defineCommand({
  name: 'export',
  summary: 'export a point-in-time correct training set to a file',
  description:
    'For each row of the entities file (columns entity_key and, optionally, timestamp), the feature values\n' +
    'as they were at that time. Prints the sha256 of the file, to record as --dataset-digest when registering.',
  positionals: [],
  options: {
    entities: { type: 'string', valueName: 'FILE.csv', description: 'entity rows: entity_key[,timestamp]' },
    out: { type: 'string', valueName: 'FILE', description: 'where to write the training set' },
    ref: { type: 'string', multiple: true, valueName: 'VIEW:FEATURE', description: 'a feature column' },
    service: { type: 'string', valueName: 'NAME', description: 'the features of this feature service' },
    format: { type: 'string', valueName: 'csv|parquet', description: 'file format', default: 'csv' },
    'as-of': { type: 'string', valueName: 'TIME', description: 'time for entity rows without a timestamp (default now)' },
  },
  services: ['feature-store'],
  examples: ['mlops features export --service churn_v1 --entities labels.csv --out train.csv'],
  async run({ options }, ctx) {
    if (options.entities === undefined) throw ctx.usageError('missing option --entities FILE.csv');
    if (options.out === undefined) throw ctx.usageError('missing option --out FILE');
    if ((options.ref.length > 0) === (options.service !== undefined)) throw ctx.usageError('give either --ref (one or more) or --service');
    const format = options.format === 'csv' ? ExportFormat.CSV : options.format === 'parquet' ? ExportFormat.PARQUET : undefined;
    if (format === undefined) throw ctx.usageError(`--format must be csv or parquet, got ${JSON.stringify(options.format)}`);
    let asOf = new Date(ctx.io.now());
    if (options['as-of'] !== undefined) {
      const parsedTime = parseTime(options['as-of'], '--as-of', ctx.io.now());
      if (!parsedTime.ok) throw ctx.usageError(parsedTime.error);
      asOf = parsedTime.value;
    }

    const entitiesFile = options.entities;
    const csv = parseCsv(await readInputText(ctx.resolvePath(entitiesFile), entitiesFile));
    if (!csv.ok) throw inputError(`${entitiesFile}: ${csv.error.message}`);
    const [header, ...records] = csv.records;
    const keyColumn = header?.indexOf('entity_key') ?? -1;
    const timeColumn = header?.indexOf('timestamp') ?? -1;
    if (keyColumn < 0) throw inputError(`${entitiesFile}: needs a header line with an entity_key column (and optionally timestamp)`);
    const entityRows = records.map((record, i) => {
      const timeText = timeColumn >= 0 ? (record[timeColumn] ?? '') : '';
      let time = asOf;
      if (timeText !== '') {
        const parsedTime = parseTime(timeText, 'timestamp', ctx.io.now());
        if (!parsedTime.ok) throw inputError(`${entitiesFile}: row ${i + 1}: ${parsedTime.error}`);
        time = parsedTime.value;
      }
      return { entityKey: record[keyColumn] ?? '', timestamp: timestampFromDate(time) };
    });

    const outPath = ctx.resolvePath(options.out);
    // Written beside the target and renamed at the end, so a failed export never leaves a file
    // that looks complete.
    const partial = `${outPath}.partial`;
    const file = createWriteStream(partial);
    const progress = ctx.progress({ label: `exporting ${options.out}`, unit: { kind: 'bytes' } });
    let summary: ExportSummary | undefined;
    try {
      const parts = ctx.clients.featureStore().exportTrainingSet({
        query: { entityRows, featureRefs: [...options.ref], featureService: options.service ?? '' },
        format,
      });
      for await (const { part } of parts) {
        if (part.case === 'chunk') {
          if (!file.write(part.value)) await once(file, 'drain');
          progress.advance(part.value.byteLength);
        } else if (part.case === 'summary') {
          summary = part.value;
        }
      }
      file.end();
      await once(file, 'close');
      if (summary === undefined) throw new Error('the feature store ended the export without a summary');
      await rename(partial, outPath);
    } catch (err) {
      file.destroy();
      await rm(partial, { force: true });
      throw err;
    }
    progress.finish();

    if (ctx.json) {
      ctx.printJson(messageJson(ExportSummarySchema, summary));
      return;
    }
    ctx.out(`wrote ${summary.rows} rows (${formatBytes(Number(summary.bytes))}) to ${options.out}\n`);
    ctx.out(`columns: ${summary.columns.join(', ')}\n`);
    ctx.out(`sha256:  ${summary.sha256}\n`);
    ctx.note(`record it when registering: --dataset-uri ${options.out} --dataset-digest sha256:${summary.sha256}`);
  },
});

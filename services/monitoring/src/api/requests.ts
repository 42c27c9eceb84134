/** Validation of RPC inputs: every failure is INVALID_ARGUMENT naming the field. */
import type { MessageShape } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { invalidArgument } from '@mlops/grpc';
import type { ReferenceDatasetSchema, TimeRangeSchema } from '@mlops/proto/mlops/monitoring/v1/monitoring_pb';
import { DRIFT_TESTS, type DriftTest } from '../drift/tests.js';
import { columnValueOf } from '../ingest/columns.js';
import type { DatasetColumn } from '../reference/build.js';
import type { TimeRange } from '../windows/time.js';

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function requireModel(model: string, field = 'model'): string {
  if (!MODEL_NAME.test(model)) throw invalidArgument(field, 'a model name (letters, digits, _ and -)', model);
  return model;
}

export function requireVersion(version: bigint, field = 'version'): bigint {
  if (version <= 0n) throw invalidArgument(field, 'a version >= 1', version.toString());
  return version;
}

export function requireRange(range: MessageShape<typeof TimeRangeSchema> | undefined, field = 'range'): TimeRange {
  if (!range?.start) throw invalidArgument(`${field}.start`, 'a timestamp');
  if (!range.end) throw invalidArgument(`${field}.end`, 'a timestamp');
  const startMs = timestampDate(range.start).getTime();
  const endMs = timestampDate(range.end).getTime();
  if (!(endMs > startMs)) throw invalidArgument(`${field}.end`, `a time after ${field}.start`);
  return { startMs, endMs };
}

export function optionalTest(test: string): DriftTest | 'auto' {
  if (test === '') return 'auto';
  if (!(DRIFT_TESTS as readonly string[]).includes(test)) throw invalidArgument('test', `one of ${DRIFT_TESTS.join(', ')} or empty`, test);
  return test as DriftTest;
}

export const MAX_DATASET_ROWS = 1_000_000;

export function datasetColumns(dataset: MessageShape<typeof ReferenceDatasetSchema>): Map<string, DatasetColumn> {
  if (dataset.rows.length === 0) throw invalidArgument('dataset.rows', 'at least one row');
  if (dataset.rows.length > MAX_DATASET_ROWS) throw invalidArgument('dataset.rows', `at most ${MAX_DATASET_ROWS} rows`, dataset.rows.length);
  const numeric = new Map<string, Array<number | null>>();
  const categorical = new Map<string, Array<string | null>>();
  dataset.rows.forEach((row, i) => {
    for (const [name, value] of Object.entries(row.values)) {
      const v = columnValueOf(value);
      const field = `dataset.rows[${i}].values[${JSON.stringify(name)}]`;
      if (v.kind === 'missing') continue;
      if (v.kind === 'numeric') {
        if (categorical.has(name)) throw invalidArgument(field, 'a string or bool like the column\'s earlier rows', v.value);
        if (!numeric.has(name)) numeric.set(name, Array<number | null>(i).fill(null));
      } else {
        if (numeric.has(name)) throw invalidArgument(field, 'a number like the column\'s earlier rows', v.value);
        if (!categorical.has(name)) categorical.set(name, Array<string | null>(i).fill(null));
      }
    }
    for (const [name, values] of numeric) {
      const v = columnValueOf(row.values[name]);
      values.push(v.kind === 'numeric' ? v.value : null);
    }
    for (const [name, values] of categorical) {
      const v = columnValueOf(row.values[name]);
      values.push(v.kind === 'categorical' ? v.value : null);
    }
  });
  const out = new Map<string, DatasetColumn>();
  for (const [name, values] of numeric) out.set(name, { kind: 'numeric', values });
  for (const [name, values] of categorical) out.set(name, { kind: 'categorical', values });
  return out;
}

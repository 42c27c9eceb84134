import { createReadStream } from 'node:fs';
import { inputError } from '../../framework/errors.js';
import { createCsvParser, CsvSyntaxError } from '../../parsing/csv.js';

/** How a rows file is written; chosen by extension unless --format says otherwise. */
export type RowFormat = 'csv' | 'jsonl';

export const formatOf = (path: string, explicit: string | undefined): RowFormat | undefined => {
  if (explicit !== undefined) return explicit === 'csv' || explicit === 'jsonl' ? explicit : undefined;
  return /\.(jsonl|ndjson|json)$/i.test(path) ? 'jsonl' : 'csv';
};

/** One record of the file: column -> cell (CSV cells are strings; JSON keeps its types). */
export type SourceRow = { readonly index: number; readonly fields: Readonly<Record<string, unknown>> };

/**
 * The rows of a CSV (header line first) or JSON-lines file, read and parsed as a stream, so
 * the file is never in memory whole. `onBytes` reports progress in bytes read.
 */
export async function* readRows(path: string, display: string, format: RowFormat, onBytes: (n: number) => void): AsyncGenerator<SourceRow> {
  const stream = createReadStream(path);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let index = 0;
  const fail = (message: string) => inputError(`${display}: ${message}`);
  try {
    if (format === 'csv') {
      const parser = createCsvParser();
      let header: string[] | undefined;
      const toRows = function* (records: string[][]): Generator<SourceRow> {
        for (const record of records) {
          if (header === undefined) {
            header = record.map((h) => h.trim());
            continue;
          }
          if (record.length !== header.length) throw fail(`row ${index + 1} has ${record.length} fields, the header has ${header.length}`);
          const fields: Record<string, string> = {};
          header.forEach((name, i) => (fields[name] = record[i] ?? ''));
          yield { index: index++, fields };
        }
      };
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        onBytes(chunk.byteLength);
        yield* toRows(parser.push(decoder.decode(chunk, { stream: true })));
      }
      yield* toRows([...parser.push(decoder.decode()), ...parser.end()]);
      return;
    }
    let pending = '';
    let line = 0;
    const parseLine = (text: string): SourceRow | undefined => {
      line += 1;
      if (text.trim() === '') return undefined;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        throw fail(`line ${line}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail(`line ${line}: expected a JSON object`);
      return { index: index++, fields: value as Record<string, unknown> };
    };
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      onBytes(chunk.byteLength);
      const lines = (pending + decoder.decode(chunk, { stream: true })).split('\n');
      pending = lines.pop() ?? '';
      for (const text of lines) {
        const row = parseLine(text);
        if (row) yield row;
      }
    }
    const last = parseLine(pending + decoder.decode());
    if (last) yield last;
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw fail(err.message);
    if (err instanceof TypeError && /decode|encoded/i.test(err.message)) throw fail('not UTF-8 text');
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT') throw fail('no such file');
    throw err;
  } finally {
    stream.destroy();
  }
}

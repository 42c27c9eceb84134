/**
 * An RFC 4180 CSV parser: comma-separated fields, fields in double quotes may contain commas,
 * line breaks and doubled quotes (""), records end with CRLF, LF or CR. It is incremental, so a
 * large file is parsed chunk by chunk as it is read, never held in memory whole.
 *
 * Deliberate leniencies: a quote inside an unquoted field is kept as a character (5'11"), blank
 * lines are skipped, and a UTF-8 byte order mark at the start is dropped.
 */

export class CsvSyntaxError extends Error {
  /** 1-based line of the input where the problem is. */
  readonly line: number;
  constructor(message: string, line: number) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvSyntaxError';
    this.line = line;
  }
}

export interface CsvParser {
  /** Feeds the next piece of text; returns the records it completed. Throws CsvSyntaxError. */
  push(text: string): string[][];
  /** Ends the input; returns the last record, if any. Throws CsvSyntaxError for an open quote. */
  end(): string[][];
}

type State =
  /** At the start of a field (after a comma or a line break, or at the very start). */
  | 'field-start'
  /** Inside a field without quotes. */
  | 'unquoted'
  /** Inside a quoted field. */
  | 'quoted'
  /** Just read a quote inside a quoted field: it is either an escaped "" or the closing quote. */
  | 'quote-in-quoted'
  /** Just read a CR ending a record; an LF right after it belongs to the same line break. */
  | 'after-cr';

export function createCsvParser(): CsvParser {
  let state: State = 'field-start';
  let field = '';
  let fieldQuoted = false;
  let record: string[] = [];
  let line = 1;
  let quoteOpenedOnLine = 1;
  let atInputStart = true;
  let records: string[][] = [];

  const endField = () => {
    record.push(field);
    field = '';
    fieldQuoted = false;
  };
  const endRecord = () => {
    // A blank line would parse as one empty unquoted field: it is not a record.
    const blank = record.length === 0 && field === '' && !fieldQuoted;
    endField();
    if (!blank) records.push(record);
    record = [];
  };

  const step = (ch: string) => {
    switch (state) {
      case 'after-cr':
        state = 'field-start';
        if (ch === '\n') return;
        step(ch);
        return;
      case 'field-start':
        if (ch === '"') {
          state = 'quoted';
          fieldQuoted = true;
          quoteOpenedOnLine = line;
          return;
        }
        state = 'unquoted';
        step(ch);
        return;
      case 'unquoted':
        if (ch === ',') {
          endField();
          state = 'field-start';
        } else if (ch === '\n' || ch === '\r') {
          endRecord();
          line += 1;
          state = ch === '\r' ? 'after-cr' : 'field-start';
        } else {
          field += ch;
        }
        return;
      case 'quoted':
        if (ch === '"') state = 'quote-in-quoted';
        else {
          if (ch === '\n') line += 1;
          field += ch;
        }
        return;
      case 'quote-in-quoted':
        if (ch === '"') {
          field += '"';
          state = 'quoted';
        } else if (ch === ',') {
          endField();
          state = 'field-start';
        } else if (ch === '\n' || ch === '\r') {
          endRecord();
          line += 1;
          state = ch === '\r' ? 'after-cr' : 'field-start';
        } else {
          throw new CsvSyntaxError(`unexpected ${JSON.stringify(ch)} after the closing quote of a field (write "" for a quote inside quotes)`, line);
        }
        return;
    }
  };

  return {
    push(text) {
      let input = text;
      if (atInputStart && input.length > 0) {
        atInputStart = false;
        if (input.charCodeAt(0) === 0xfeff) input = input.slice(1);
      }
      for (const ch of input) step(ch);
      const done = records;
      records = [];
      return done;
    },
    end() {
      if (state === 'quoted') throw new CsvSyntaxError('a quoted field is never closed', quoteOpenedOnLine);
      // Text after the last line break is a final record without its terminator.
      if (state === 'unquoted' || state === 'quote-in-quoted' || (state === 'field-start' && record.length > 0)) {
        endRecord();
      }
      state = 'field-start';
      const done = records;
      records = [];
      return done;
    },
  };
}

export type CsvResult = { readonly ok: true; readonly records: string[][] } | { readonly ok: false; readonly error: CsvSyntaxError };

/** Parses a whole CSV text. */
export function parseCsv(text: string): CsvResult {
  const parser = createCsvParser();
  try {
    return { ok: true, records: [...parser.push(text), ...parser.end()] };
  } catch (err) {
    if (err instanceof CsvSyntaxError) return { ok: false, error: err };
    throw err;
  }
}

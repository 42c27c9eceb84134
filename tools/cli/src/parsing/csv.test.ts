import { describe, expect, it } from 'vitest';
import { createCsvParser, CsvSyntaxError, parseCsv } from './csv.js';

const records = (text: string) => {
  const result = parseCsv(text);
  if (!result.ok) throw result.error;
  return result.records;
};

describe('parseCsv (RFC 4180)', () => {
  it('splits plain fields and records, with or without a final line break', () => {
    expect(records('a,b,c\n1,2,3\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
    expect(records('a,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('accepts CRLF, LF and lone CR as record ends', () => {
    expect(records('a,b\r\n1,2\r\n3,4\r5,6')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ]);
  });

  it('keeps commas, line breaks and doubled quotes inside quoted fields', () => {
    expect(records('id,note\n1,"hello, world"\n2,"two\r\nlines"\n3,"say ""hi"""\n')).toEqual([
      ['id', 'note'],
      ['1', 'hello, world'],
      ['2', 'two\r\nlines'],
      ['3', 'say "hi"'],
    ]);
  });

  it('keeps empty fields, including a trailing one and an empty quoted one', () => {
    expect(records('a,,c,\n"",x,"",\n')).toEqual([
      ['a', '', 'c', ''],
      ['', 'x', '', ''],
    ]);
  });

  it('skips blank lines but keeps a line holding one quoted empty field', () => {
    expect(records('a\n\n\nb\n""\n')).toEqual([['a'], ['b'], ['']]);
  });

  it('drops a byte order mark and keeps a quote inside an unquoted field', () => {
    expect(records('\uFEFFname,height\nbob,5\'11"\n')).toEqual([
      ['name', 'height'],
      ['bob', '5\'11"'],
    ]);
  });

  it('reports an unterminated quote with the line it was opened on', () => {
    const result = parseCsv('a,b\n1,"never closed\n2,3\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(CsvSyntaxError);
    expect(result.error.line).toBe(2);
    expect(result.error.message).toContain('never closed');
  });

  it('reports text after a closing quote', () => {
    const result = parseCsv('a\n"x"y\n');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/line 2: unexpected "y" after the closing quote/);
  });

  it('gives the same records however the input is split into chunks', () => {
    const text = 'id,note\r\n1,"a ""quoted"", multi\r\nline"\r\n2,plain\r\n';
    const whole = records(text);
    for (let size = 1; size <= 5; size++) {
      const parser = createCsvParser();
      const out: string[][] = [];
      for (let i = 0; i < text.length; i += size) out.push(...parser.push(text.slice(i, i + size)));
      out.push(...parser.end());
      expect(out).toEqual(whole);
    }
  });
});

import { parseCsv, CsvSyntaxError } from '../../src/csv/parse';

describe('parseCsv', () => {
  test('plain rows with line numbers, blank lines skipped, BOM ignored', () => {
    const r = parseCsv('\ufeffa,b\r\n\n1,2\n');
    expect(r).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 3, fields: ['1', '2'] },
    ]);
  });
  test('quoted fields with commas, quotes and newlines keep the starting line', () => {
    const r = parseCsv('x,y\n"a, ""b""","multi\nline"\nz,""\n');
    expect(r[1]).toEqual({ line: 2, fields: ['a, "b"', 'multi\nline'] });
    expect(r[2]).toEqual({ line: 4, fields: ['z', ''] });
  });
  test('empty trailing field is kept', () => {
    expect(parseCsv('a,\n')[0]!.fields).toEqual(['a', '']);
  });
  test('errors name the line', () => {
    expect(() => parseCsv('a\n"open\n')).toThrow(new CsvSyntaxError(2, 'a quoted field is not closed'));
    expect(() => parseCsv('a\nb"c\n')).toThrow(/line 2: a quote inside an unquoted field/);
    expect(() => parseCsv('"a"b\n')).toThrow(/line 1: unexpected character/);
  });
});

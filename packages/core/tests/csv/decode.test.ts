import { decodeText, firstInvalidUtf8 } from '../../src/csv/decode';
import { CsvSyntaxError, csvRecords, CsvTooWideError } from '../../src/csv/parse';

describe('decoding a file without silent damage', () => {
  test('the first byte that is not UTF-8 is found, whatever makes it wrong', () => {
    const at = (bytes: number[]) => firstInvalidUtf8(Uint8Array.from(bytes));
    expect(at([0x61, 0xc3, 0xa9, 0x62])).toBe(4); // "aéb": valid
    expect(at([0x61, 0xe9, 0x62])).toBe(1); // Latin-1 é
    expect(at([0xc0, 0xaf])).toBe(0); // overlong "/"
    expect(at([0x61, 0xed, 0xa0, 0x80])).toBe(1); // a UTF-16 surrogate
    expect(at([0x61, 0xe2, 0x82])).toBe(1); // cut short at the end
    expect(at([0xf4, 0x90, 0x80, 0x80])).toBe(0); // above U+10FFFF
    expect(at([0xf0, 0x9f, 0x98, 0x80])).toBe(4); // an emoji
  });

  test('a Latin-1 file is refused with its line, or read as Windows-1252 when asked', () => {
    const bytes = Buffer.from('a,b\r\nc,d\n"e\nf",Jos\xe9\n', 'latin1');
    expect(() => decodeText(bytes)).toThrow(CsvSyntaxError);
    try {
      decodeText(bytes);
    } catch (e) {
      expect((e as CsvSyntaxError).line).toBe(4);
    }
    expect(decodeText(bytes, 'windows-1252')).toContain('José');
    expect(decodeText(Buffer.from([0x80]), 'latin1')).toBe('€');
    expect(decodeText(Buffer.from('\ufeffa,b', 'utf8'))).toBe('a,b');
  });

  test('a record wider than the limit stops the reading at the limit', () => {
    const wide = `${'x,'.repeat(1_000_000)}x\n`;
    expect(() => [...csvRecords(wide, { maxFields: 100 })]).toThrow(CsvTooWideError);
    expect([...csvRecords('a,b,c\n1,2,3\n', { maxFields: 3 })]).toHaveLength(2);
  });
});

/**
 * RFC 4180 CSV, pure and dependency-free, because every CSV error we report must name
 * the line in the file where it happened. A record can span lines (quoted newlines), so
 * each record carries the physical line it starts on (1-based).
 */
export type CsvRecord = { line: number; fields: string[] };

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'CsvSyntaxError';
  }
}

/** Parse CSV text into records. Blank lines are skipped; a UTF-8 byte-order mark is ignored. */
export function parseCsv(text: string, delimiter = ','): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let field = '';
    let atFieldStart = true;
    let quotedField = false;
    let ended = false;
    while (i < n && !ended) {
      const ch = text[i]!;
      if (atFieldStart && ch === '"') {
        quotedField = true;
        atFieldStart = false;
        i++;
        // Quoted field: runs to the closing quote; "" is a literal quote.
        for (;;) {
          if (i >= n) throw new CsvSyntaxError(start, 'a quoted field is not closed');
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        const after = text[i];
        if (after !== undefined && after !== delimiter && after !== '\n' && after !== '\r') {
          throw new CsvSyntaxError(line, `unexpected character ${JSON.stringify(after)} after a closing quote`);
        }
        continue;
      }
      if (ch === delimiter) {
        fields.push(field);
        field = '';
        atFieldStart = true;
        quotedField = false;
        i++;
      } else if (ch === '\r' || ch === '\n') {
        i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
        line++;
        ended = true;
      } else {
        if (ch === '"' && !quotedField) throw new CsvSyntaxError(line, 'a quote inside an unquoted field');
        field += ch;
        atFieldStart = false;
        i++;
      }
    }
    fields.push(field);
    const blank = fields.length === 1 && fields[0] === '' && !quotedField;
    if (!blank) records.push({ line: start, fields });
  }
  return records;
}

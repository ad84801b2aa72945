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

/** A record wider than the caller's limit (CsvOptions.maxFields). */
export class CsvTooWideError extends CsvSyntaxError {
  constructor(
    line: number,
    readonly maxFields: number,
  ) {
    super(line, `has more than ${maxFields} columns`);
    this.name = 'CsvTooWideError';
  }
}

export type CsvOptions = {
  delimiter?: string;
  /** A record with more fields is refused as soon as the field past the limit is read, so a hostile header costs no more than the limit. */
  maxFields?: number;
};

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * The records of CSV text one at a time, so that a caller can stop, or pause between
 * records, and never holds them all. Blank lines are skipped; a UTF-8 byte-order mark is
 * ignored. Fields are sliced from the text rather than built a character at a time.
 */
export function* csvRecords(text: string, opts: CsvOptions = {}): Generator<CsvRecord> {
  const delimiter = (opts.delimiter ?? ',').charCodeAt(0);
  const maxFields = opts.maxFields ?? Infinity;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let quoted: boolean;
    for (;;) {
      if (text.charCodeAt(i) === QUOTE) {
        // Quoted field: runs to the closing quote; "" is a literal quote.
        quoted = true;
        i++;
        let field = '';
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) throw new CsvSyntaxError(start, 'a quoted field is not closed');
          const part = text.slice(i, q);
          for (let nl = part.indexOf('\n'); nl >= 0; nl = part.indexOf('\n', nl + 1)) line++;
          field += part;
          if (text.charCodeAt(q + 1) === QUOTE) {
            field += '"';
            i = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        const after = text.charCodeAt(i);
        if (i < n && after !== delimiter && after !== LF && after !== CR) {
          throw new CsvSyntaxError(line, `unexpected character ${JSON.stringify(text[i])} after a closing quote`);
        }
        fields.push(field);
      } else {
        quoted = false;
        let j = i;
        for (; j < n; j++) {
          const c = text.charCodeAt(j);
          if (c === delimiter || c === LF || c === CR) break;
          if (c === QUOTE) throw new CsvSyntaxError(line, 'a quote inside an unquoted field');
        }
        fields.push(text.slice(i, j));
        i = j;
      }
      if (fields.length > maxFields) throw new CsvTooWideError(start, maxFields);
      if (i < n && text.charCodeAt(i) === delimiter) {
        i++;
        continue;
      }
      // The end of the record: a line break (CRLF, LF or CR) or the end of the text.
      if (i < n) {
        i += text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
        line++;
      }
      break;
    }
    const blank = fields.length === 1 && fields[0] === '' && !quoted;
    if (!blank) yield { line: start, fields };
  }
}

/** Parse CSV text into records. Blank lines are skipped; a UTF-8 byte-order mark is ignored. */
export function parseCsv(text: string, delimiter = ','): CsvRecord[] {
  return [...csvRecords(text, { delimiter })];
}

import { CsvSyntaxError } from './parse';

/**
 * A file's bytes as text, in the encoding its author chose, never silently damaged: bytes
 * that are not valid UTF-8 are refused naming the line (a spreadsheet saved as "CSV" on
 * Windows is often Windows-1252, where "José" is one byte 0xE9 that UTF-8 cannot read).
 * A UTF-8 byte-order mark is dropped. "latin1" is read as Windows-1252, its superset, as
 * browsers do.
 */
export const TEXT_ENCODINGS = ['utf-8', 'windows-1252', 'latin1'] as const;
export type TextEncodingName = (typeof TEXT_ENCODINGS)[number];

export function decodeText(bytes: Uint8Array, encoding: TextEncodingName = 'utf-8'): string {
  if (encoding !== 'utf-8') return new TextDecoder('windows-1252').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = bytes.indexOf(0x0a); i >= 0 && i < at; i = bytes.indexOf(0x0a, i + 1)) line++;
    const hex = bytes[at]!.toString(16).toUpperCase().padStart(2, '0');
    throw new CsvSyntaxError(
      line,
      `byte 0x${hex} is not UTF-8: save the file as "CSV UTF-8", or choose the encoding it was saved in (windows-1252)`,
    );
  }
}

/** The offset of the first byte that does not belong to a well-formed UTF-8 sequence (RFC 3629), or the length. */
export function firstInvalidUtf8(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f; // no UTF-16 surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return i;
    const second = b[i + 1];
    if (second === undefined || second < lo || second > hi) return i;
    for (let k = 2; k <= need; k++) {
      const x = b[i + k];
      if (x === undefined || x < 0x80 || x > 0xbf) return i;
    }
    i += need + 1;
  }
  return n;
}

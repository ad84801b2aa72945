/**
 * Reads back the messages the outbox transport wrote (development's /dev/outbox): the
 * headers a reader wants and the text and HTML parts, decoded. It reads what our own
 * composer writes (nodemailer: UTF-8, quoted-printable or base64, multipart/alternative),
 * not every MIME message there is.
 */
export type ReadMail = { to: string; subject: string; date: string; text: string; html: string };

function headersOf(block: string): Map<string, string> {
  const out = new Map<string, string>();
  // Folded lines (starting with white space) continue the header above.
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) out.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return out;
}

function bytesOfQuotedPrintable(s: string): Buffer {
  const soft = s.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const hex = soft.slice(i + 1, i + 3);
    if (soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(soft[i]!, 'utf8'));
  }
  return Buffer.from(bytes);
}

/** RFC 2047 encoded words (=?UTF-8?Q?…?= or ?B?), as nodemailer writes non-ASCII headers. */
export function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, _charset: string, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : bytesOfQuotedPrintable(text.replace(/_/g, ' ')).toString('utf8'),
    );
}

function bodyOf(headers: Map<string, string>, body: string): string {
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (encoding === 'quoted-printable') return bytesOfQuotedPrintable(body).toString('utf8');
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

function split(raw: string): { headers: Map<string, string>; body: string } {
  const end = /\r?\n\r?\n/.exec(raw);
  if (!end) return { headers: headersOf(raw), body: '' };
  return { headers: headersOf(raw.slice(0, end.index)), body: raw.slice(end.index + end[0].length) };
}

/** The text and HTML parts of a message, walking nested multiparts. */
function parts(headers: Map<string, string>, body: string, into: { text: string; html: string }): void {
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    const pieces = body.split(`--${boundary}`).slice(1);
    for (const piece of pieces) {
      if (piece.startsWith('--')) break;
      const p = split(piece.replace(/^\r?\n/, ''));
      parts(p.headers, p.body, into);
    }
  } else if (/^text\/html/i.test(type)) into.html ||= bodyOf(headers, body).replace(/\r?\n$/, '');
  else if (/^text\/plain/i.test(type)) into.text ||= bodyOf(headers, body).replace(/\r?\n$/, '');
}

export function readEml(raw: string): ReadMail {
  const { headers, body } = split(raw);
  const into = { text: '', html: '' };
  parts(headers, body, into);
  return {
    to: decodeHeader(headers.get('to') ?? ''),
    subject: decodeHeader(headers.get('subject') ?? ''),
    date: headers.get('date') ?? '',
    ...into,
  };
}

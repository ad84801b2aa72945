import type { NextFunction, Request, Response } from 'express';
import { refuseTooLarge } from '../../api-routes';

/**
 * Just enough multipart/form-data (RFC 7578) for one form that uploads a CSV file without
 * JavaScript, read as it arrives: fields become req.body (strings); each file part is handed
 * to the route as a stream of its bytes, so that a file of any size allowed is never whole
 * in memory. Other content types pass through untouched.
 */

/** A file part: its bytes as they arrive. The reader may stop early; the rest is skipped. */
export type FilePart = { name: string; filename: string; data: AsyncIterable<Buffer> };

const CRLF = Buffer.from('\r\n');
const CLOSE = Buffer.from('--');
const HEADERS_END = Buffer.from('\r\n\r\n');
/** A part's headers, or the preamble, longer than this is not a form a browser sent. */
const MAX_HEAD = 16 * 1024;

const unreadable = () => Object.assign(new Error('the form could not be read'), { status: 400 });

/** The body's bytes, as far as they have been read, with what has not been consumed yet. */
class Reader {
  private buf: Buffer = Buffer.alloc(0);
  private total = 0;
  /** Inside a part whose end has not been read yet. */
  open = false;
  private readonly it: AsyncIterator<Buffer>;

  constructor(
    body: AsyncIterable<Buffer>,
    private readonly limit: number,
  ) {
    this.it = body[Symbol.asyncIterator]();
  }

  private async more(): Promise<boolean> {
    const r = await this.it.next();
    if (r.done) return false;
    this.total += r.value.length;
    if (this.total > this.limit) await refuseTooLarge(this.it);
    this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : r.value;
    return true;
  }

  /** The next `n` bytes, or null if the body ends first. */
  async take(n: number): Promise<Buffer | null> {
    while (this.buf.length < n) if (!(await this.more())) return null;
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** The (short) bytes before `marker`, which is consumed too; null if the body ends first. */
  async until(marker: Buffer): Promise<Buffer | null> {
    for (;;) {
      const i = this.buf.indexOf(marker);
      if (i >= 0) return this.take(i + marker.length).then((b) => b!.subarray(0, i));
      if (this.buf.length > MAX_HEAD) throw unreadable();
      if (!(await this.more())) return null;
    }
  }

  /** The bytes before `marker`, as they arrive; the marker is consumed at the end. */
  async *before(marker: Buffer): AsyncGenerator<Buffer> {
    for (;;) {
      const i = this.buf.indexOf(marker);
      if (i >= 0) {
        const out = this.buf.subarray(0, i);
        this.buf = this.buf.subarray(i + marker.length);
        this.open = false;
        if (out.length) yield out;
        return;
      }
      // Keep what could be the start of the marker; the rest is the part's.
      const keep = Math.min(this.buf.length, marker.length - 1);
      if (this.buf.length > keep) {
        const out = this.buf.subarray(0, this.buf.length - keep);
        this.buf = this.buf.subarray(this.buf.length - keep);
        yield out;
      }
      if (!(await this.more())) throw unreadable();
    }
  }
}

/**
 * Reads the form: its fields, and each file part given to `onFile` with the fields that
 * came before it. Null when the body is not multipart as RFC 7578 writes it.
 */
export async function readMultipart(
  body: AsyncIterable<Buffer>,
  contentType: string,
  limit: number,
  onFile: (part: FilePart, fieldsBefore: Record<string, string>) => Promise<void>,
): Promise<Record<string, string> | null> {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const b = m?.[1] ?? m?.[2];
  if (!b) return null;
  const r = new Reader(body, limit);
  const delimiter = Buffer.from(`\r\n--${b}`);
  const fields: Record<string, string> = {};
  // The first boundary may come straight away (no CRLF before it) or after a preamble.
  if ((await r.until(delimiter.subarray(2))) === null) return null;
  for (;;) {
    const after = await r.take(2);
    if (!after) return null;
    if (after.equals(CLOSE)) break;
    if (!after.equals(CRLF)) return null;
    const head = await r.until(HEADERS_END);
    if (head === null) return null;
    const headers = head.toString('utf8');
    const disposition = /content-disposition:\s*form-data\s*;([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /(?:^|;)\s*name="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /(?:^|;)\s*filename="([^"]*)"/i.exec(disposition)?.[1];
    r.open = true;
    const data = r.before(delimiter);
    if (name !== undefined && filename !== undefined) {
      await onFile({ name, filename, data }, { ...fields });
    } else {
      const chunks: Buffer[] = [];
      for await (const c of data) chunks.push(c);
      if (name !== undefined) fields[name] ??= Buffer.concat(chunks).toString('utf8');
    }
    // Whatever the route left unread is skipped (a generator that was stopped has nothing more to give).
    if (r.open) for await (const _ of r.before(delimiter)) void _;
  }
  return fields;
}

/**
 * Middleware: a multipart body (up to `limit`) read as it arrives: fields into req.body, file
 * parts to `onFile` (what it keeps is for it to put on the request).
 */
export function multipart(
  limit: number,
  onFile: (req: Request, part: FilePart, fieldsBefore: Record<string, string>) => Promise<void>,
) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!req.is('multipart/form-data')) return next();
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      return void refuseTooLarge((req as AsyncIterable<Buffer>)[Symbol.asyncIterator]()).catch(next);
    }
    readMultipart(req as AsyncIterable<Buffer>, String(req.headers['content-type']), limit, (part, fields) =>
      onFile(req, part, fields),
    ).then((fields) => {
      if (!fields) return next(unreadable());
      req.body = fields;
      next();
    }, next);
  };
}

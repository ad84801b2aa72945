import express, { type NextFunction, type Request, type Response } from 'express';

/**
 * Just enough multipart/form-data (RFC 7578) for one form that uploads a CSV file without
 * JavaScript: the parts' names, file names and bytes. Fields become req.body (strings),
 * files req.files. Other content types pass through untouched.
 */

export type UploadedFile = { filename: string; data: Buffer };

declare module 'express-serve-static-core' {
  interface Request {
    files?: Record<string, UploadedFile>;
  }
}

const CRLF = Buffer.from('\r\n');

export function parseMultipart(
  body: Buffer,
  contentType: string,
): { fields: Record<string, string>; files: Record<string, UploadedFile> } | null {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const b = m?.[1] ?? m?.[2];
  if (!b) return null;
  const boundary = Buffer.from(`--${b}`);
  const delimiter = Buffer.concat([CRLF, boundary]);
  const fields: Record<string, string> = {};
  const files: Record<string, UploadedFile> = {};
  let pos = body.indexOf(boundary);
  if (pos < 0) return null;
  pos += boundary.length;
  for (;;) {
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // "--": the closing delimiter
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) return null;
    const headers = body.subarray(pos, headerEnd).toString('utf8');
    const next = body.indexOf(delimiter, headerEnd + 4);
    if (next < 0) return null;
    const data = body.subarray(headerEnd + 4, next);
    const disposition = /content-disposition:\s*form-data\s*;([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /(?:^|;)\s*name="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /(?:^|;)\s*filename="([^"]*)"/i.exec(disposition)?.[1];
    if (name !== undefined) {
      if (filename !== undefined) files[name] ??= { filename, data: Buffer.from(data) };
      else fields[name] ??= data.toString('utf8');
    }
    pos = next + delimiter.length;
  }
  return { fields, files };
}

/** Middleware: a multipart body (up to `limit`) into req.body and req.files. */
export function multipart(limit: string | number) {
  const raw = express.raw({ type: 'multipart/form-data', limit });
  return (req: Request, res: Response, next: NextFunction) => {
    raw(req, res, (err?: unknown) => {
      if (err) return next(err);
      if (!Buffer.isBuffer(req.body)) return next();
      const parsed = parseMultipart(req.body, String(req.headers['content-type'] ?? ''));
      if (!parsed) return next(Object.assign(new Error('the form could not be read'), { status: 400 }));
      req.body = parsed.fields;
      req.files = parsed.files;
      next();
    });
  };
}

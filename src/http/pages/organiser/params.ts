import type { Request } from 'express';
import { notFound } from '../../../services/errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id that must be a UUID: anything else is a page that does not exist (404), not a database error. */
export function requireUuid(req: Request, name: string): string {
  const v = String(req.params[name] ?? '');
  if (!UUID.test(v)) throw notFound('page');
  return v;
}

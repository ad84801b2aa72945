import type { Request, Response } from 'express';
import type { Config } from '../platform/config';
import { newSecret, timingSafeEqualText } from '../platform/secrets';
import { readCookie, secureCookies } from './cookies';

/**
 * CSRF for forms shown before anyone is signed in (setup, sign-in, link requests): a
 * random value in a SameSite=Strict cookie that the form must echo. A page on another
 * site can neither read the cookie nor make the browser send it.
 */
const COOKIE = 'omov_form';

export function formToken(req: Request, res: Response, config: Config): string {
  const existing = readCookie(req, COOKIE);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const value = newSecret();
  res.cookie(COOKIE, value, { httpOnly: true, sameSite: 'strict', secure: secureCookies(config), path: '/' });
  return value;
}

export function formTokenValid(req: Request): boolean {
  const cookie = readCookie(req, COOKIE);
  const field = (req.body as Record<string, unknown> | undefined)?.csrf;
  return (
    typeof cookie === 'string' && typeof field === 'string' && cookie.length > 0 && timingSafeEqualText(cookie, field)
  );
}

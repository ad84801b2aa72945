import type { Request, Response } from 'express';
import type { Config } from '../platform/config';

export const SESSION_COOKIE = 'omov_session';

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Secure outside development (browsers treat http://localhost as secure too). */
export const secureCookies = (config: Config) =>
  config.env !== 'development' || config.publicUrl.startsWith('https://');

/** Session cookies: HttpOnly, SameSite=Lax, Secure outside development. */
export function setSessionCookie(res: Response, config: Config, sessionId: string): void {
  res.cookie(SESSION_COOKIE, sessionId, {
    httpOnly: true,
    sameSite: 'lax',
    secure: secureCookies(config),
    path: '/',
    maxAge: config.sessionHours * 3600 * 1000,
  });
}

export function clearSessionCookie(res: Response, config: Config): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: secureCookies(config), path: '/' });
}

import type { NextFunction, Request, Response } from 'express';
import type { Principal } from '../data/organisations';
import { principalFromApiToken, principalFromSession } from '../services/auth';
import type { AppContext } from '../services/context';
import { readCookie, SESSION_COOKIE } from './cookies';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    /** How the caller signed in: cookie-based callers need CSRF checks, bearer callers do not. */
    authVia?: 'session' | 'api-token';
  }
}

/** The secret of an "Authorization: Bearer …" header (an API token, or a webhook's secret). */
export function bearerOf(req: Pick<Request, 'headers'>): string | undefined {
  const auth = req.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
}

/** Finds who is calling, from a bearer API token or the session cookie; never fails. */
export function identify(ctx: AppContext) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const bearer = bearerOf(req);
    if (bearer !== undefined) {
      const p = await principalFromApiToken(ctx, bearer);
      if (p) {
        req.principal = p;
        req.authVia = 'api-token';
      }
      return next();
    }
    const sid = readCookie(req, SESSION_COOKIE);
    if (sid) {
      const p = await principalFromSession(ctx, sid);
      if (p) {
        req.principal = p;
        req.authVia = 'session';
      }
    }
    next();
  };
}

/**
 * A cookie-authenticated request that changes something must come from our own pages:
 * the browser's Origin (or Sec-Fetch-Site) header says so. Bearer tokens are not sent
 * by browsers on their own, so they need no such check.
 */
export function sameOrigin(req: Request, publicUrl: string): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return false;
  // The browser vouches for it. Under Referrer-Policy: no-referrer (ours) Chromium sends
  // "Origin: null" with a form's POST, so the Origin header alone would refuse our own forms.
  if (site === 'same-origin') return true;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const host = req.headers.host;
  return (
    origin === new URL(publicUrl).origin ||
    (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`))
  );
}

/** The caller's address, for rate limits (behind a proxy on loopback, the forwarded one). */
export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

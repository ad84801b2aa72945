import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { storable, TEXT_RULE_MESSAGE } from '@omov/core/domain/text';
import type { Principal } from '../data/organisations';
import { type Caller, pageRefusal } from '../services/access';
import type { AppContext } from '../services/context';
import { invalid, notFound, type ServiceError } from '../services/errors';
import { sameOrigin } from './auth';
import { formTokenValid } from './csrf';
import { html } from './html';
import { page } from './pages/layout';
import { bodyOf, checkForm, form as smallForm, refused } from './pages/organiser/common';

/**
 * One declaration per page route, like the API's (api-routes.ts): its method and path, who
 * may call it, the schemas of its path and form where it has them, and its handler. One
 * mount applies, in this order: the body parser; for staff pages, signing in (a stranger is
 * sent to the sign-in page); a POST's CSRF check; who may call it (anyone else gets the
 * refusal services/access.ts words, on the staff page for refusals); the path's and the
 * form's schemas; then the handler. Errors the handler throws go to the app's error page.
 */

/** Callers who must be signed in: organisers and auditors ("staff"), or some of them. */
const STAFF = ['staff', 'roll reader', 'organiser'] as const satisfies readonly Caller[];
type StaffCaller = (typeof STAFF)[number];

/**
 * How a POST shows it came from our own page:
 *   session      the staff forms' field, an HMAC of the session (pages/organiser/common.ts);
 *   form cookie  forms shown before anyone signs in: the field echoes a SameSite cookie (csrf.ts);
 *   voting link  the member's paper: a field keyed to the link, checked by the handler once
 *                the link itself is known to be good (a dead link says so first).
 * `expired` answers a form that fails the check.
 */
export type FormCheck =
  | { check: 'session' | 'form cookie'; expired: (req: Request, res: Response) => Promise<void> | void }
  | { check: 'voting link' };

export type PageInput<P, F, W extends Caller> = {
  params: P;
  form: F;
  principal: W extends StaffCaller ? Principal : Principal | undefined;
  req: Request;
  res: Response;
};

export type PageRoute<P = unknown, F = unknown, W extends Caller = Caller> = {
  method: 'get' | 'post';
  path: string;
  who: W;
  /** What the page is for, in a few words (the table reads as a site map). */
  summary: string;
  /** The path's parameters; a path that does not fit is a page that does not exist (404). */
  params?: z.ZodType<P>;
  /** Staff forms: the fields the handler relies on; a form that does not fit is refused (422) with the schema's message. */
  form?: z.ZodType<F>;
  /** How the body is read; a POST reads a small urlencoded form unless it says otherwise. */
  parsers?: RequestHandler[];
  /** A public POST's CSRF check (required); staff forms always use the session's. */
  csrf?: FormCheck;
  /** A form field holding a CSV file: the roll import checks its cells, naming line and column. */
  csvField?: string;
  /** Where a refused staff page links back to; '/' unless it says. */
  back?: (params: Record<string, string>) => string;
  handler: (input: PageInput<P, F, W>) => Promise<void> | void;
};

export function pageRoute<P = undefined, F = undefined, W extends Caller = Caller>(r: PageRoute<P, F, W>): PageRoute {
  return r as unknown as PageRoute;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A path id: a UUID, or the page does not exist. */
export const uuid = z.string().regex(UUID);
export const idParams = z.object({ id: uuid });

/** A form whose "confirm" box must be ticked, refused with `message` otherwise. */
export const confirmed = (message: string) => z.object({ confirm: z.literal('yes', { error: message }) });

/** The page for a staff form that fails its CSRF check. */
function formExpired(_req: Request, res: Response): void {
  res
    .status(403)
    .type('html')
    .send(
      page({
        title: 'Form expired',
        body: html`<h1>This form has expired</h1><p class="problem">It came from another site, or from a page older than your session. Go back, reload the page and try again.</p><p><a href="/">Ballots</a></p>`,
      }),
    );
}

const isStaff = (who: Caller): who is StaffCaller => (STAFF as readonly Caller[]).includes(who);

const formCookieValid = (ctx: AppContext, req: Request) => sameOrigin(req, ctx.config.publicUrl) && formTokenValid(req);

/** The form check a route uses, or an error at start for a public form that has none. */
function formCheckOf(r: PageRoute): FormCheck | undefined {
  if (r.form && !isStaff(r.who)) throw new Error(`page route ${r.path}: form schemas are for staff forms`);
  if (r.method !== 'post') return undefined;
  if (isStaff(r.who)) return { check: 'session', expired: formExpired };
  if (!r.csrf) throw new Error(`page route POST ${r.path}: a form without a CSRF check`);
  return r.csrf;
}

/** The text rule over the path, the query and the form: a refusal naming the field, or none. */
function textFault(r: PageRoute, req: Request): ServiceError | undefined {
  const { [r.csvField ?? '']: _csv, ...body } = (req.body ?? {}) as Record<string, unknown>;
  const parsed = storable.safeParse({ path: req.params, query: req.query, form: body });
  if (parsed.success) return undefined;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.slice(1).map(String).join('.'), message: i.message }));
  return invalid(`${issues[0]!.path} ${TEXT_RULE_MESSAGE}`, issues);
}

export function mountPages(router: Router, ctx: AppContext, routes: PageRoute[]): void {
  for (const r of routes) {
    const csrf = formCheckOf(r);
    const parsers = r.method === 'post' ? (r.parsers ?? [smallForm]) : [];
    router[r.method](r.path, ...parsers, async (req: Request, res: Response) => {
      const p = req.principal;
      if (isStaff(r.who) && !p) {
        const next = new URLSearchParams({ next: req.originalUrl }).toString();
        return void res.redirect(303, r.method === 'get' ? `/signin?${next}` : '/signin');
      }
      if (csrf?.check === 'session' && !checkForm(ctx, req)) return csrf.expired(req, res);
      if (csrf?.check === 'form cookie' && !formCookieValid(ctx, req)) return csrf.expired(req, res);
      const refusal = p && isStaff(r.who) ? pageRefusal(r.who, p) : undefined;
      if (refusal) return refused(ctx, req, res, refusal, r.back?.(req.params as Record<string, string>) ?? '/');
      const fault = textFault(r, req);
      if (fault) {
        if (isStaff(r.who)) return refused(ctx, req, res, fault, r.back?.(req.params as Record<string, string>) ?? '/');
        throw fault;
      }
      let params: unknown = req.params;
      if (r.params) {
        const parsed = r.params.safeParse(req.params);
        if (!parsed.success) throw notFound('page');
        params = parsed.data;
      }
      let fields: unknown;
      if (r.form) {
        const parsed = r.form.safeParse(bodyOf(req));
        if (!parsed.success) {
          const why = invalid(parsed.error.issues[0]?.message ?? 'the form is not complete');
          return refused(ctx, req, res, why, r.back?.(req.params as Record<string, string>) ?? '/');
        }
        fields = parsed.data;
      }
      await r.handler({ params, form: fields, principal: p, req, res } as PageInput<unknown, unknown, Caller>);
    });
  }
}

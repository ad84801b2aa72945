import { formatTime } from '@omov/core/domain/zones';
import express, { type Request, type Response } from 'express';
import type { Principal } from '../../../data/organisations';
import { isOrganiser, rollVisible } from '../../../services/access';
import type { AppContext } from '../../../services/context';
import { type Issue, ServiceError } from '../../../services/errors';
import { sameOrigin } from '../../auth';
import { readCookie, SESSION_COOKIE } from '../../cookies';
import { type Html, html } from '../../html';
import { page } from '../layout';
import { DONE } from './text';

/** Shared by every staff page: forms, CSRF, the page shell with its navigation, errors. */

export const form = express.urlencoded({ extended: false, limit: '100kb' });
/** The ballot builder posts every question and option at once. */
export const largeForm = express.urlencoded({ extended: false, limit: '2mb', parameterLimit: 50_000 });

export type Body = Record<string, string>;

/** A form body as strings only (a repeated name keeps its first value). */
export function bodyOf(req: Request): Body {
  const out: Body = {};
  for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, unknown>)) {
    const one = Array.isArray(v) ? v[0] : v;
    if (typeof one === 'string') out[k] = one;
  }
  return out;
}

/** The signed-in forms' CSRF value: an HMAC of the session, so it needs no storage. */
export function formCsrf(ctx: AppContext, req: Request): string {
  return ctx.keys.mac('organiser-form', readCookie(req, SESSION_COOKIE) ?? '');
}

/** `body`: the form's fields (by default the parsed body; a streamed form passes the fields read so far). */
export function checkForm(ctx: AppContext, req: Request, body = (req.body ?? {}) as Record<string, unknown>): boolean {
  return sameOrigin(req, ctx.config.publicUrl) && typeof body.csrf === 'string' && body.csrf === formCsrf(ctx, req);
}

export const csrfField = (ctx: AppContext, req: Request): Html =>
  html`<input type="hidden" name="csrf" value="${formCsrf(ctx, req)}">`;

// The pages ask the access rules; they do not repeat them.
export { isOrganiser, rollVisible };

function nav(ctx: AppContext, req: Request, p: Principal): Html {
  return html`<nav aria-label="Main">
<a href="/">Ballots</a>${rollVisible(p) ? html`<a href="/roll">Member roll</a><a href="/secretaries">Branch secretaries</a><a href="/elections">Elections</a>` : ''}<a href="/staff">Staff</a>${isOrganiser(p) ? html`<a href="/api-tokens">API tokens</a>` : ''}<a href="/audit">Audit log</a><a href="/verify">Verify a ballot</a>
<form method="post" action="/signout">${csrfField(ctx, req)}<button type="submit">Sign out</button></form>
</nav>`;
}

/** A signed-in page: the navigation, a notice after an action, the script for enhancements. */
export function staffPage(
  ctx: AppContext,
  req: Request,
  opts: { title: string; body: Html; wide?: boolean; head?: Html },
): string {
  const p = req.principal!;
  const done = typeof req.query.done === 'string' ? DONE[req.query.done] : undefined;
  return page({
    title: `${opts.title} · omov`,
    nav: nav(ctx, req, p),
    script: true,
    wide: opts.wide,
    head: opts.head,
    body: html`${done ? html`<p class="notice" role="status">${done}</p>` : ''}
${opts.body}
<p class="hint">Signed in as ${p.name} (${p.email}), ${p.role === 'organiser' ? 'organiser' : p.ballotId ? 'auditor of one ballot' : 'auditor'}.</p>`,
  });
}

/** Where to go after signing in: only a path on this site (never "//elsewhere"). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[^\s]*$/.test(next) && next.length < 500 ? next : '/';
}

const STATUS: Record<ServiceError['kind'], number> = {
  invalid: 422,
  'not-found': 404,
  conflict: 409,
  unauthenticated: 401,
  forbidden: 403,
  'rate-limited': 429,
  unavailable: 503,
};

/** The HTTP status of a refusal, for a page that shows it in place (a form kept as typed). */
export const refusalStatus = (err: ServiceError): number => STATUS[err.kind];

/** A refused action: what the service said, and the way back. */
export function refused(ctx: AppContext, req: Request, res: Response, err: unknown, back: string): void {
  if (!(err instanceof ServiceError)) throw err;
  res
    .status(STATUS[err.kind])
    .type('html')
    .send(
      staffPage(ctx, req, {
        title: 'Not done',
        body: html`<h1>Not done</h1><div class="problem" role="alert"><p>${err.message}</p>${err.issues.length ? html`<ul>${err.issues.map((i) => html`<li>${i.path}: ${i.message}</li>`)}</ul>` : ''}</div><p><a href="${back}">Back</a></p>`,
      }),
    );
}

/** Runs a service call for a form; a refusal becomes a page, success a redirect. */
export async function act(
  ctx: AppContext,
  req: Request,
  res: Response,
  back: string,
  run: () => Promise<unknown>,
  then: string,
): Promise<void> {
  try {
    await run();
  } catch (err) {
    return refused(ctx, req, res, err, back);
  }
  res.redirect(303, then);
}

export type FieldIssues = Map<string, string[]>;

export function addIssue(issues: FieldIssues, field: string, message: string): void {
  const list = issues.get(field) ?? [];
  if (!list.includes(message)) list.push(message);
  issues.set(field, list);
}

/** The error summary at the top of a form: each problem links to its field. */
export function errorSummary(issues: FieldIssues, labels: (field: string) => string, general: string[] = []): Html {
  if (!issues.size && !general.length) return html``;
  return html`<div class="problem" role="alert" tabindex="-1" id="error-summary"><h2>There is a problem</h2><ul>
${general.map((g) => html`<li>${g}</li>`)}
${[...issues].flatMap(([field, msgs]) => msgs.map((m) => html`<li><a href="#${field}">${labels(field)}: ${m}</a></li>`))}
</ul></div>`;
}

/** Attributes and message for a field that may be at fault. */
export function fieldError(issues: FieldIssues, id: string): { attrs: Html; message: Html } {
  const msgs = issues.get(id);
  if (!msgs?.length) return { attrs: html``, message: html`` };
  return {
    attrs: html` aria-invalid="true" aria-describedby="${id}-error"`,
    message: html`<span class="field-error" id="${id}-error">${msgs.join(' ')}</span>`,
  };
}

type InputOpts = { type?: string; hint?: string; required?: boolean; extra?: Html; cls?: string };

export function textInput(issues: FieldIssues, id: string, label: string, value: string, opts: InputOpts = {}): Html {
  const e = fieldError(issues, id);
  const hintId = opts.hint ? `${id}-hint` : undefined;
  return html`<div class="field"><label for="${id}">${label}</label>${opts.hint ? html`<br><span class="hint" id="${hintId}">${opts.hint}</span>` : ''}<br>${e.message}
<input id="${id}" name="${id}" type="${opts.type ?? 'text'}" value="${value}"${opts.cls ? html` class="${opts.cls}"` : ''}${opts.required ? html` required` : ''}${e.attrs}${hintId && !issues.get(id) ? html` aria-describedby="${hintId}"` : ''}${opts.extra ?? ''}></div>`;
}

export function textArea(
  issues: FieldIssues,
  id: string,
  label: string,
  value: string,
  opts: { rows?: number; hint?: string } = {},
): Html {
  const e = fieldError(issues, id);
  return html`<div class="field"><label for="${id}">${label}</label>${opts.hint ? html`<br><span class="hint" id="${id}-hint">${opts.hint}</span>` : ''}<br>${e.message}
<textarea id="${id}" name="${id}" rows="${opts.rows ?? 3}"${e.attrs}${opts.hint && !issues.get(id) ? html` aria-describedby="${id}-hint"` : ''}>${value}</textarea></div>`;
}

export function selectInput(
  issues: FieldIssues,
  id: string,
  label: string,
  value: string,
  choices: ReadonlyArray<readonly [string, string]>,
  opts: { hint?: string; extra?: Html } = {},
): Html {
  const e = fieldError(issues, id);
  return html`<div class="field"><label for="${id}">${label}</label>${opts.hint ? html`<br><span class="hint">${opts.hint}</span>` : ''}<br>${e.message}
<select id="${id}" name="${id}"${e.attrs}${opts.extra ?? ''}>${choices.map(([v, l]) => html`<option value="${v}"${v === value ? html` selected` : ''}>${l}</option>`)}</select></div>`;
}

export function checkbox(id: string, label: string, checked: boolean, hint?: string): Html {
  return html`<div class="field"><label class="choice"><input type="checkbox" id="${id}" name="${id}" value="yes"${checked ? html` checked` : ''}><span>${label}${hint ? html`<br><span class="hint">${hint}</span>` : ''}</span></label></div>`;
}

/** A one-button form that POSTs (with the CSRF field and any hidden values). */
export function postButton(
  ctx: AppContext,
  req: Request,
  action: string,
  label: string,
  opts: { cls?: string; hidden?: Record<string, string>; confirm?: string; fields?: Html } = {},
): Html {
  const confirmId = `confirm-${action.replace(/[^a-z0-9]/gi, '-')}`;
  return html`<form method="post" action="${action}">${csrfField(ctx, req)}${Object.entries(opts.hidden ?? {}).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
${opts.fields ?? ''}
${opts.confirm ? html`<label class="choice"><input type="checkbox" name="confirm" value="yes" id="${confirmId}" required><span>${opts.confirm}</span></label>` : ''}<button type="submit"${opts.cls ? html` class="${opts.cls}"` : ''}>${label}</button></form>`;
}

/**
 * CSV with RFC 4180 quoting. A cell that a spreadsheet would run as a formula (it starts
 * with = + - @, a tab or a CR) is prefixed with ', unless the whole cell is a number such
 * as -3, 1.5 or -27/2: "-1+HYPERLINK(…)" starts like a number and is still a formula.
 */
export function csvRow(cells: ReadonlyArray<string | number>): string {
  return cells
    .map((c) => {
      let s = String(c);
      if (/^[=+\-@\t\r]/.test(s) && !/^[-+]?\d+(\.\d+)?(\/\d+)?$/.test(s)) s = `'${s}`;
      return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',');
}

export function issuesList(issues: Issue[]): Html {
  return html`<ul>${issues.map((i) => html`<li>${i.path}: ${i.message}</li>`)}</ul>`;
}

/** A time for staff pages: a ballot's times in the ballot's zone, others in UTC. */
export const when = (d: Date | string | null | undefined, zone = 'UTC') => {
  if (!d) return '';
  return formatTime(typeof d === 'string' ? new Date(d) : d, zone);
};

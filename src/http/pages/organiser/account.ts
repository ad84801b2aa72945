import type { Request, Response } from 'express';
import type { SetupLink } from '../../../data/organisations';
import * as auth from '../../../services/auth';
import type { AppContext } from '../../../services/context';
import { ServiceError } from '../../../services/errors';
import { clientAddress } from '../../auth';
import { formToken } from '../../csrf';
import { clearSessionCookie, readCookie, SESSION_COOKIE, setSessionCookie } from '../../cookies';
import { html } from '../../html';
import { type PageRoute, pageRoute } from '../../page-routes';
import { page } from '../layout';
import { addIssue, bodyOf, errorSummary, type FieldIssues, safeNext, textInput } from './common';

/** Before anyone is signed in: first-run setup (or joining by invitation), sign-in, sign-out. */

const LABELS: Record<string, string> = {
  organisationName: 'Organisation name',
  name: 'Your name',
  email: 'Your email',
  password: 'Password',
};

function setupForm(
  link: SetupLink,
  csrf: string,
  issues: FieldIssues = new Map(),
  values: Record<string, string> = {},
  general: string[] = [],
): string {
  const joining = link.organisationId !== null;
  const title = joining
    ? `Join as ${link.role === 'auditor' ? 'an auditor' : 'an organiser'}`
    : 'Set up your organisation';
  return page({
    title,
    body: html`<h1>${title}</h1>
<p>This link works once. ${joining ? `It creates your ${link.role} account for ${link.email ?? 'you'}.` : 'It creates your organisation and your organiser account.'}</p>
${errorSummary(issues, (f) => LABELS[f] ?? f, general)}
<form method="post" action="">
<input type="hidden" name="csrf" value="${csrf}">
${joining ? '' : textInput(issues, 'organisationName', 'Organisation name', values.organisationName ?? '', { required: true })}
${textInput(issues, 'name', 'Your name', values.name ?? '', { required: true, extra: html` autocomplete="name"` })}
${joining ? '' : textInput(issues, 'email', 'Your email', values.email ?? '', { type: 'email', required: true, extra: html` autocomplete="email"` })}
${textInput(issues, 'password', 'Password (at least 12 characters)', '', { type: 'password', required: true, extra: html` minlength="12" autocomplete="new-password"` })}
<button type="submit">${joining ? 'Create my account' : 'Create organisation'}</button>
</form>`,
  });
}

function signInForm(csrf: string, next: string, error?: string, reset = false): string {
  return page({
    title: 'Sign in',
    body: html`<h1>Organisers and auditors: sign in</h1>
${error ? html`<p class="problem" role="alert">${error}</p>` : ''}${reset ? html`<p class="notice" role="status">Your password is changed. Sign in with it.</p>` : ''}
<form method="post" action="/signin">
<input type="hidden" name="csrf" value="${csrf}">
${next !== '/' ? html`<input type="hidden" name="next" value="${next}">` : ''}
<div class="field"><label for="email">Email</label><br><input id="email" name="email" type="email" required autocomplete="username"></div>
<div class="field"><label for="password">Password</label><br><input id="password" name="password" type="password" required autocomplete="current-password"></div>
<button type="submit">Sign in</button>
</form>
<p><a href="/forgot">Forgot your password?</a></p>
<p class="hint">Members do not sign in: each member votes through the personal link in their email.</p>`,
  });
}

function forgotForm(csrf: string, opts: { sent?: boolean; error?: string } = {}): string {
  return page({
    title: 'Forgot your password',
    body: html`<h1>Forgot your password?</h1>
${opts.sent ? html`<p class="notice" role="status">If an account has this address, an email with a link to choose a new password is on its way. The link works once, for ${auth.RESET_MINUTES} minutes.</p>` : ''}
${opts.error ? html`<p class="problem" role="alert">${opts.error}</p>` : ''}
<form method="post" action="/forgot">
<input type="hidden" name="csrf" value="${csrf}">
<div class="field"><label for="email">Your email address</label><br><input id="email" name="email" type="email" required autocomplete="username"></div>
<button type="submit">Email me a link</button>
</form>
<p><a href="/signin">Back to sign in</a></p>`,
  });
}

function resetForm(csrf: string, token: string, error?: string): string {
  return page({
    title: 'Choose a new password',
    body: html`<h1>Choose a new password</h1>
${error ? html`<p class="problem" role="alert">${error}</p>` : ''}
<form method="post" action="/reset/${token}">
<input type="hidden" name="csrf" value="${csrf}">
<div class="field"><label for="password">New password</label><br><span class="hint" id="password-hint">At least 12 characters.</span><br><input id="password" name="password" type="password" required minlength="12" autocomplete="new-password" aria-describedby="password-hint"></div>
<button type="submit">Set the new password</button>
</form>
<p class="hint">Setting it signs you out everywhere you are signed in.</p>`,
  });
}

function resetGone(): string {
  return page({
    title: 'Reset link not valid',
    body: html`<h1>This link is not valid, has expired or has been used</h1><p><a href="/forgot">Ask for a new link</a> · <a href="/signin">Sign in</a></p>`,
  });
}

function invalidSetupLink(): string {
  return page({
    title: 'Setup link not valid',
    body: html`<h1>This setup link is not valid or has been used</h1><p><a href="/signin">Sign in</a></p>`,
  });
}

/** The setup page's answer to a form that fails its CSRF check (or a link that is no longer good). */
async function setupExpired(ctx: AppContext, req: Request, res: Response): Promise<void> {
  res.set('Referrer-Policy', 'no-referrer');
  const link = await auth.describeSetupLink(ctx, String(req.params.token));
  if (!link) return void res.status(404).type('html').send(invalidSetupLink());
  res
    .status(403)
    .type('html')
    .send(
      setupForm(link, formToken(req, res, ctx.config), new Map(), bodyOf(req), [
        'This form has expired or came from another site. Please try again.',
      ]),
    );
}

export function accountPageRoutes(ctx: AppContext): PageRoute[] {
  return [
    pageRoute({
      method: 'get',
      path: '/setup/:token',
      who: 'anyone',
      summary: 'A setup link: create the organisation, or join it as invited',
      handler: async ({ req, res }) => {
        res.set('Referrer-Policy', 'no-referrer');
        const link = await auth.describeSetupLink(ctx, String(req.params.token));
        if (!link) return void res.status(404).type('html').send(invalidSetupLink());
        res.type('html').send(setupForm(link, formToken(req, res, ctx.config)));
      },
    }),
    pageRoute({
      method: 'post',
      path: '/setup/:token',
      who: 'anyone',
      summary: 'Create the account the setup link is for',
      csrf: { check: 'form cookie', expired: (req, res) => setupExpired(ctx, req, res) },
      handler: async ({ req, res }) => {
        res.set('Referrer-Policy', 'no-referrer');
        const body = bodyOf(req);
        const link = await auth.describeSetupLink(ctx, String(req.params.token));
        if (!link) return void res.status(404).type('html').send(invalidSetupLink());
        const csrf = formToken(req, res, ctx.config);
        const parsed = auth.setupInputSchema.safeParse({
          ...body,
          organisationName: body.organisationName || undefined,
          email: body.email || undefined,
        });
        if (!parsed.success) {
          const issues: FieldIssues = new Map();
          for (const i of parsed.error.issues) addIssue(issues, String(i.path[0] ?? 'name'), i.message);
          return void res
            .status(422)
            .type('html')
            .send(setupForm(link, csrf, issues, body));
        }
        try {
          const r = await auth.completeSetup(ctx, String(req.params.token), parsed.data);
          setSessionCookie(res, ctx.config, r.sessionId);
          res.redirect(303, '/');
        } catch (err) {
          if (!(err instanceof ServiceError)) throw err;
          const issues: FieldIssues = new Map();
          for (const i of err.issues) addIssue(issues, i.path, i.message);
          res
            .status(err.kind === 'not-found' ? 404 : 422)
            .type('html')
            .send(setupForm(link, csrf, issues, body, issues.size ? [] : [err.message]));
        }
      },
    }),
    pageRoute({
      method: 'get',
      path: '/signin',
      who: 'anyone',
      summary: 'Sign in (organisers and auditors)',
      handler: ({ req, res }) =>
        void res
          .type('html')
          .send(
            signInForm(
              formToken(req, res, ctx.config),
              safeNext(req.query.next),
              undefined,
              req.query.reset === 'done',
            ),
          ),
    }),
    pageRoute({
      method: 'post',
      path: '/signin',
      who: 'anyone',
      summary: 'Sign in with email and password',
      csrf: {
        check: 'form cookie',
        expired: (req, res) =>
          void res
            .status(403)
            .type('html')
            .send(
              signInForm(
                formToken(req, res, ctx.config),
                safeNext(bodyOf(req).next),
                'This form has expired or came from another site. Please try again.',
              ),
            ),
      },
      handler: async ({ req, res }) => {
        const body = bodyOf(req);
        const next = safeNext(body.next);
        const csrf = formToken(req, res, ctx.config);
        try {
          const r = await auth.signIn(ctx, String(body.email ?? ''), String(body.password ?? ''), clientAddress(req));
          setSessionCookie(res, ctx.config, r.sessionId);
          res.redirect(303, next);
        } catch (err) {
          if (err instanceof ServiceError && (err.kind === 'unauthenticated' || err.kind === 'rate-limited')) {
            return void res
              .status(err.kind === 'rate-limited' ? 429 : 401)
              .type('html')
              .send(signInForm(csrf, next, err.message));
          }
          throw err;
        }
      },
    }),
    pageRoute({
      method: 'get',
      path: '/forgot',
      who: 'anyone',
      summary: 'Forgot password: ask for a link by email',
      handler: ({ req, res }) => void res.type('html').send(forgotForm(formToken(req, res, ctx.config))),
    }),
    pageRoute({
      method: 'post',
      path: '/forgot',
      who: 'anyone',
      summary: 'Email a one-time link to choose a new password (the answer is the same for any address)',
      csrf: {
        check: 'form cookie',
        expired: (req, res) =>
          void res
            .status(403)
            .type('html')
            .send(forgotForm(formToken(req, res, ctx.config), { error: 'This form has expired. Please try again.' })),
      },
      handler: async ({ req, res }) => {
        const csrf = formToken(req, res, ctx.config);
        const email = String(bodyOf(req).email ?? '').trim();
        if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 320)
          return void res
            .status(422)
            .type('html')
            .send(forgotForm(csrf, { error: 'Enter an email address, such as name@example.org.' }));
        try {
          await auth.requestPasswordReset(ctx, email, clientAddress(req));
        } catch (err) {
          if (err instanceof ServiceError && err.kind === 'rate-limited')
            return void res
              .status(429)
              .type('html')
              .send(forgotForm(csrf, { error: err.message }));
          throw err;
        }
        res.type('html').send(forgotForm(csrf, { sent: true }));
      },
    }),
    pageRoute({
      method: 'get',
      path: '/reset/:token',
      who: 'anyone',
      summary: 'A password reset link: choose a new password',
      handler: async ({ req, res }) => {
        res.set('Referrer-Policy', 'no-referrer');
        const token = String(req.params.token);
        if (!(await auth.resetLinkUsable(ctx, token))) return void res.status(404).type('html').send(resetGone());
        res.type('html').send(resetForm(formToken(req, res, ctx.config), token));
      },
    }),
    pageRoute({
      method: 'post',
      path: '/reset/:token',
      who: 'anyone',
      summary: 'Set the new password; every session of the account ends',
      csrf: {
        check: 'form cookie',
        expired: (req, res) =>
          void res
            .status(403)
            .type('html')
            .send(
              resetForm(
                formToken(req, res, ctx.config),
                String(req.params.token),
                'This form has expired. Please try again.',
              ),
            ),
      },
      handler: async ({ req, res }) => {
        res.set('Referrer-Policy', 'no-referrer');
        const token = String(req.params.token);
        try {
          await auth.resetPassword(ctx, token, String(bodyOf(req).password ?? ''));
        } catch (err) {
          if (!(err instanceof ServiceError)) throw err;
          if (err.kind === 'not-found') return void res.status(404).type('html').send(resetGone());
          return void res
            .status(422)
            .type('html')
            .send(resetForm(formToken(req, res, ctx.config), token, err.message));
        }
        // Never back to a URL with the token in it: to sign in.
        res.redirect(303, '/signin?reset=done');
      },
    }),
    pageRoute({
      method: 'post',
      path: '/signout',
      who: 'anyone',
      summary: 'Sign out',
      csrf: { check: 'session', expired: (_req, res) => void res.status(403).send('Forbidden') },
      handler: async ({ req, res }) => {
        const sid = readCookie(req, SESSION_COOKIE);
        if (sid) await auth.signOut(ctx, sid);
        clearSessionCookie(res, ctx.config);
        res.redirect(303, '/signin');
      },
    }),
  ];
}

import express, { type Request, type Response, type Router } from 'express';
import type { SetupLink } from '../../data/organisations';
import * as auth from '../../services/auth';
import * as ballotsService from '../../services/ballots';
import type { AppContext } from '../../services/context';
import { ServiceError } from '../../services/errors';
import { formatTime, invitationProgress } from '../../services/invitations';
import * as results from '../../services/results';
import { clientAddress, sameOrigin } from '../auth';
import { formToken, formTokenValid } from '../csrf';
import { clearSessionCookie, readCookie, SESSION_COOKIE, setSessionCookie } from '../cookies';
import { type Html, html } from '../html';
import { page } from './layout';

/**
 * The organiser's pages: first-run setup, sign-in, the list of ballots, a ballot's
 * state with its actions, and the results. The full builder comes with the web issue;
 * everything here is also in the JSON API.
 */

const form = express.urlencoded({ extended: false, limit: '100kb' });

function formCsrf(ctx: AppContext, req: Request): string {
  return ctx.keys.mac('organiser-form', readCookie(req, SESSION_COOKIE) ?? '');
}

function checkForm(ctx: AppContext, req: Request): boolean {
  const body = (req.body ?? {}) as Record<string, unknown>;
  return sameOrigin(req, ctx.config.publicUrl) && typeof body.csrf === 'string' && body.csrf === formCsrf(ctx, req);
}

function setupForm(link: SetupLink, csrf: string, error?: string, values: Record<string, string> = {}): string {
  const joining = link.organisationId !== null;
  const title = joining ? `Join as ${link.role === 'auditor' ? 'an auditor' : 'an organiser'}` : 'Set up your organisation';
  return page({
    title,
    body: html`<h1>${title}</h1>
<p>This link works once. ${joining ? `It creates your ${link.role} account for ${link.email ?? 'you'}.` : 'It creates your organisation and your organiser account.'}</p>
${error ? html`<p class="problem" role="alert">${error}</p>` : ''}
<form method="post" action="">
<input type="hidden" name="csrf" value="${csrf}">
${joining ? '' : html`<p><label for="organisationName">Organisation name</label><br><input id="organisationName" name="organisationName" type="text" required value="${values.organisationName ?? ''}"></p>`}
<p><label for="name">Your name</label><br><input id="name" name="name" type="text" required autocomplete="name" value="${values.name ?? ''}"></p>
${joining ? '' : html`<p><label for="email">Your email</label><br><input id="email" name="email" type="email" required autocomplete="email" value="${values.email ?? ''}"></p>`}
<p><label for="password">Password (at least 12 characters)</label><br><input id="password" name="password" type="password" required minlength="12" autocomplete="new-password"></p>
<button type="submit">Create organisation</button>
</form>`,
  });
}

function signInForm(csrf: string, error?: string): string {
  return page({
    title: 'Sign in',
    body: html`<h1>Organisers: sign in</h1>
${error ? html`<p class="problem" role="alert">${error}</p>` : ''}
<form method="post" action="/signin">
<input type="hidden" name="csrf" value="${csrf}">
<p><label for="email">Email</label><br><input id="email" name="email" type="email" required autocomplete="username"></p>
<p><label for="password">Password</label><br><input id="password" name="password" type="password" required autocomplete="current-password"></p>
<button type="submit">Sign in</button>
</form>
<p class="hint">Members do not sign in: each member votes through the personal link in their email.</p>`,
  });
}

function resultsBody(r: results.BallotResults, receipts?: string[]): Html {
  return html`<h2>Turnout</h2>
<p>${r.turnout.voted} of ${r.turnout.eligible} members voted (${r.turnout.percent}%).</p>
<table><thead><tr><th scope="col">Branch</th><th class="num" scope="col">Eligible</th><th class="num" scope="col">Voted</th><th class="num" scope="col">%</th></tr></thead><tbody>
${r.turnout.byBranch.map((b) => html`<tr><td>${b.branch}</td><td class="num">${b.eligible}</td><td class="num">${b.voted}</td><td class="num">${b.percent}</td></tr>`)}
</tbody></table>
${r.questions.map((q) => html`<h2>${q.title}</h2>
<p>Method: ${q.method}. ${q.elected.length ? html`Result: <strong>${q.elected.join(', ')}</strong>.` : 'No option was chosen.'}</p>
<table><thead><tr><th scope="col">Option</th><th class="num" scope="col">${q.figure}</th></tr></thead><tbody>
${q.options.map((o) => html`<tr><td>${o.option}</td><td class="num">${o.votes}</td></tr>`)}
<tr><td>Abstentions</td><td class="num">${q.abstentions}</td></tr></tbody></table>
${q.count.rounds.length > 1 ? html`<details><summary>Round by round (${q.count.rounds.length} rounds)</summary><ol>${q.count.rounds.map((rd) => html`<li>${rd.note}</li>`)}</ol></details>` : ''}
${q.count.notes?.length ? html`<p class="hint">${q.count.notes.join(' ')}</p>` : ''}`)}
${receipts ? html`<h2>Receipts</h2><p class="hint">Every receipt code in the ballot box. Find yours to check your vote was counted.</p><p>${receipts.join(' · ')}</p>` : ''}`;
}

function invalidSetupLink(): string {
  return page({ title: 'Setup link not valid', body: html`<h1>This setup link is not valid or has been used</h1><p><a href="/signin">Sign in</a></p>` });
}

export function mountOrganiserPages(router: Router, ctx: AppContext): void {
  router.get('/setup/:token', async (req, res) => {
    res.set('Referrer-Policy', 'no-referrer');
    const link = await auth.describeSetupLink(ctx, String(req.params.token));
    if (!link) return void res.status(404).type('html').send(invalidSetupLink());
    res.type('html').send(setupForm(link, formToken(req, res, ctx.config)));
  });

  router.post('/setup/:token', form, async (req, res) => {
    res.set('Referrer-Policy', 'no-referrer');
    const body = (req.body ?? {}) as Record<string, string>;
    const link = await auth.describeSetupLink(ctx, String(req.params.token));
    if (!link) return void res.status(404).type('html').send(invalidSetupLink());
    const csrf = formToken(req, res, ctx.config);
    if (!sameOrigin(req, ctx.config.publicUrl) || !formTokenValid(req)) {
      return void res.status(403).type('html').send(setupForm(link, csrf, 'This form has expired or came from another site. Please try again.'));
    }
    const parsed = auth.setupInputSchema.safeParse(body);
    if (!parsed.success) {
      const msg = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      return void res.status(422).type('html').send(setupForm(link, csrf, msg, body));
    }
    try {
      const r = await auth.completeSetup(ctx, String(req.params.token), parsed.data);
      setSessionCookie(res, ctx.config, r.sessionId);
      res.redirect(303, '/');
    } catch (err) {
      if (err instanceof ServiceError) return void res.status(err.kind === 'not-found' ? 404 : 422).type('html').send(setupForm(link, csrf, err.message, body));
      throw err;
    }
  });

  router.get('/signin', (req, res) => void res.type('html').send(signInForm(formToken(req, res, ctx.config))));
  router.post('/signin', form, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, string>;
    const csrf = formToken(req, res, ctx.config);
    if (!sameOrigin(req, ctx.config.publicUrl) || !formTokenValid(req)) {
      return void res.status(403).type('html').send(signInForm(csrf, 'This form has expired or came from another site. Please try again.'));
    }
    try {
      const r = await auth.signIn(ctx, String(body.email ?? ''), String(body.password ?? ''), clientAddress(req));
      setSessionCookie(res, ctx.config, r.sessionId);
      res.redirect(303, '/');
    } catch (err) {
      if (err instanceof ServiceError && (err.kind === 'unauthenticated' || err.kind === 'rate-limited')) {
        return void res.status(err.kind === 'rate-limited' ? 429 : 401).type('html').send(signInForm(csrf, err.message));
      }
      throw err;
    }
  });
  router.post('/signout', form, async (req, res) => {
    if (!checkForm(ctx, req)) return void res.status(403).send('Forbidden');
    const sid = readCookie(req, SESSION_COOKIE);
    if (sid) await auth.signOut(ctx, sid);
    clearSessionCookie(res, ctx.config);
    res.redirect(303, '/signin');
  });

  router.get('/', async (req, res) => {
    if (!req.principal) {
      return void res.type('html').send(page({
        title: 'omov', body: html`<h1>omov</h1><p>One member, one vote: secret ballots of all members, counted openly.</p>
<p><a class="button" href="/signin">Organisers: sign in</a></p><p><a href="/api/docs">API documentation</a></p>`,
      }));
    }
    const list = await ballotsService.listBallots(ctx, req.principal);
    res.type('html').send(page({
      title: 'Ballots', body: html`<h1>Ballots</h1><p class="hint">Signed in as ${req.principal.name} (${req.principal.email}).</p>
${list.length ? html`<table><thead><tr><th scope="col">Ballot</th><th scope="col">Status</th><th scope="col">Closes</th></tr></thead><tbody>
${list.map((b) => html`<tr><td><a href="/ballots/${b.id}">${b.title}</a></td><td>${b.status}</td><td>${formatTime(b.closesAt)}</td></tr>`)}</tbody></table>`
  : html`<p>No ballots yet. Import the roll and create a ballot through the <a href="/api/docs">API</a> (<code>POST /api/v1/roll/import</code>, <code>POST /api/v1/ballots</code>).</p>`}
<form method="post" action="/signout"><input type="hidden" name="csrf" value="${formCsrf(ctx, req)}"><button class="secondary" type="submit">Sign out</button></form>`,
    }));
  });

  router.get('/ballots/:id', async (req: Request, res: Response) => {
    if (!req.principal) return void res.redirect(303, '/signin');
    const b = await ballotsService.getBallot(ctx, req.principal, String(req.params.id));
    const turnout = b.status === 'draft' ? undefined : await results.ballotTurnout(ctx, req.principal, b.id);
    const mail = b.status === 'draft' ? {} : await invitationProgress(ctx, b.id);
    const csrf = formCsrf(ctx, req);
    const action = (name: string, label: string) => html`<form method="post" action="/ballots/${b.id}/${name}"><input type="hidden" name="csrf" value="${csrf}"><button type="submit">${label}</button></form>`;
    const r = b.status === 'closed' || b.status === 'published' ? await results.ballotResults(ctx, req.principal, b.id) : undefined;
    res.type('html').send(page({
      title: b.title, body: html`<p><a href="/">All ballots</a></p><h1>${b.title}</h1>
<p>Status: <strong>${b.status}</strong>. Opens ${formatTime(b.opensAt)}, closes ${formatTime(b.closesAt)}.</p>
${b.questions.map((q) => html`<p>${q.position + 1}. ${q.title} <span class="hint">(${q.method}; ${q.options.map((o) => o.label).join(', ')})</span></p>`)}
${turnout && !r ? html`<p>Turnout so far: ${turnout.voted} of ${turnout.eligible} (${turnout.percent}%).</p>` : ''}
${Object.entries(mail).map(([kind, p]) => html`<p>${kind}: ${p.sent} sent, ${p.queued + p.sending} waiting, ${p.failed} failed.</p>`)}
${b.status === 'draft' ? action('open', 'Open the ballot and send the invitations') : ''}
${b.status === 'open' ? action('close', 'Close the ballot now') : ''}
${b.status === 'closed' ? action('publish', 'Publish the results') : ''}
${b.status === 'published' ? html`<p>Public results: <a href="/results/${b.id}">/results/${b.id}</a></p>` : ''}
${r ? resultsBody(r) : ''}`,
    }));
  });

  for (const [name, run] of [
    ['open', ballotsService.openBallot], ['close', ballotsService.closeBallot], ['publish', ballotsService.publishBallot],
  ] as const) {
    router.post(`/ballots/:id/${name}`, form, async (req, res) => {
      if (!req.principal) return void res.redirect(303, '/signin');
      if (!checkForm(ctx, req)) return void res.status(403).send('Forbidden');
      try {
        await run(ctx, req.principal, String(req.params.id));
      } catch (err) {
        if (err instanceof ServiceError) return void res.status(409).type('html').send(page({ title: 'Not done', body: html`<h1>Not done</h1><p class="problem">${err.message}</p><p><a href="/ballots/${String(req.params.id)}">Back</a></p>` }));
        throw err;
      }
      res.redirect(303, `/ballots/${String(req.params.id)}`);
    });
  }

  router.get('/results/:id', async (req, res) => {
    try {
      const r = await results.publishedResults(ctx, String(req.params.id));
      const receipts = await results.publishedReceipts(ctx, r.ballot.id);
      res.type('html').send(page({ title: `Results: ${r.ballot.title}`, body: html`<h1>Results: ${r.ballot.title}</h1>${resultsBody(r, receipts)}` }));
    } catch (err) {
      if (err instanceof ServiceError) return void res.status(404).type('html').send(page({ title: 'Not published', body: html`<h1>These results are not published</h1>` }));
      throw err;
    }
  });
}

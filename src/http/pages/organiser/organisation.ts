import { closingTime } from '@omov/core/domain/lifecycle';
import type { Request, Response } from 'express';
import type { Principal } from '../../../data/organisations';
import { isOrganiser, rollVisible } from '../../../services/access';
import * as audit from '../../../services/audit';
import * as auth from '../../../services/auth';
import * as ballotsService from '../../../services/ballots';
import type { AppContext } from '../../../services/context';
import { ServiceError } from '../../../services/errors';
import * as rollService from '../../../services/roll';
import { type Html, html } from '../../html';
import { type PageRoute, pageRoute } from '../../page-routes';
import { page } from '../layout';
import {
  act,
  addIssue,
  bodyOf,
  csrfField,
  errorSummary,
  type FieldIssues,
  postButton,
  refused,
  selectInput,
  staffPage,
  textInput,
  when,
} from './common';
import { STATUS_LABEL } from './text';

/** The organisation: its ballots, its staff, API tokens and the audit log. */

async function home(ctx: AppContext, req: Request, res: Response, p: Principal): Promise<void> {
  const list = await ballotsService.listBallots(ctx, p);
  const branches = rollVisible(p) ? await rollService.listBranches(ctx, p) : [];
  const members = branches.reduce((n, b) => n + Number(b.members), 0);
  const organiser = isOrganiser(p);
  res.type('html').send(
    staffPage(ctx, req, {
      title: 'Ballots',
      body: html`<h1>Ballots</h1>
${organiser ? html`<div class="actions"><a class="button" href="/ballots/new">Create a ballot</a>${rollVisible(p) ? html`<a href="/roll/import">Import the member roll</a>` : ''}</div>` : ''}
${rollVisible(p) ? html`<p>The member roll has <strong>${members}</strong> current members in <strong>${branches.filter((b) => Number(b.members) > 0).length}</strong> branches. <a href="/roll">See the roll</a>.</p>` : ''}
${
  list.length
    ? html`<div class="scroll" tabindex="0"><table><thead><tr><th scope="col">Ballot</th><th scope="col">Status</th><th scope="col">Opens</th><th scope="col">Closes (or closed)</th></tr></thead><tbody>
${list.map((b) => html`<tr><th scope="row"><a href="/ballots/${b.id}">${b.title}</a></th><td><span class="status">${STATUS_LABEL[b.status]}</span></td><td>${when(b.opensAt, b.timeZone)}</td><td>${when(closingTime(b), b.timeZone)}</td></tr>`)}</tbody></table></div>`
    : html`<p>No ballots yet.</p>`
}
${
  organiser
    ? html`<h2>How a ballot goes</h2>
<ol>
<li><a href="/roll/import">Import the member roll</a> from a spreadsheet (CSV). You see what will change before anything is changed.${members ? html` <span class="good">Done: ${members} members.</span>` : ''}</li>
<li><a href="/ballots/new">Build the ballot</a>: its questions, options, times and rules. It stays a draft until you open it.</li>
<li>Preview the invitation email and the voting page, and send yourself a test email.</li>
<li>Open it: every member is emailed a personal voting link. Watch delivery and turnout; reminders go out automatically.</li>
<li>Close it (or let it close at its closing time), read the results, and publish them.</li>
</ol>`
    : ''
}`,
    }),
  );
}

const STAFF_LABELS: Record<string, string> = { email: 'Email', role: 'Role', ballotId: 'Scope' };

async function staffBody(
  ctx: AppContext,
  req: Request,
  p: Principal,
  issues: FieldIssues = new Map(),
  values: Record<string, string> = {},
): Promise<Html> {
  const [staff, ballots, pending] = await Promise.all([
    auth.listStaff(ctx, p),
    ballotsService.listBallots(ctx, p),
    isOrganiser(p) ? auth.listPendingInvitations(ctx, p) : [],
  ]);
  const titles = new Map(ballots.map((b) => [b.id, b.title]));
  const scope = (ballotId: string | null) =>
    ballotId
      ? html`ballot <a href="/ballots/${ballotId}">${titles.get(ballotId) ?? ballotId}</a>`
      : 'whole organisation';
  return html`<h1>Staff</h1>
<p>Organisers run ballots. Auditors read everything an organiser reads — of the whole organisation, or of one ballot — and change nothing; they receive each ballot's box root by email when it closes.</p>
<div class="scroll" tabindex="0"><table><thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Scope</th><th scope="col">Since</th></tr></thead><tbody>
${staff.map((s) => html`<tr><th scope="row">${s.name}</th><td>${s.email}</td><td>${s.role}</td><td>${scope(s.ballotId)}</td><td>${when(s.createdAt)}</td></tr>`)}
</tbody></table></div>
${
  isOrganiser(p)
    ? html`<h2 id="pending">Invitations not yet taken up</h2>
${
  pending.length
    ? html`<div class="scroll" tabindex="0"><table><thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Scope</th><th scope="col">Sent</th><th scope="col">Link works until</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead><tbody>
${pending.map((i) => html`<tr><th scope="row">${i.email ?? ''}</th><td>${i.role}</td><td>${scope(i.ballotId)}</td><td>${when(i.createdAt)}</td><td>${when(i.expiresAt)}</td><td>${postButton(ctx, req, '/staff/revoke', 'Revoke', { cls: 'small danger', hidden: { id: i.id } })}</td></tr>`)}
</tbody></table></div>`
    : html`<p>None.</p>`
}
<h2 id="invite">Invite an organiser or an auditor</h2>
${errorSummary(issues, (f) => STAFF_LABELS[f] ?? f)}
<form method="post" action="/staff/invite">${csrfField(ctx, req)}
${textInput(issues, 'email', 'Their email address', values.email ?? '', { type: 'email', required: true })}
<fieldset><legend>Role</legend>
<label class="choice"><input type="radio" name="role" value="organiser"${values.role !== 'auditor' ? html` checked` : ''}><span>Organiser <span class="hint">(can change everything)</span></span></label>
<label class="choice"><input type="radio" name="role" value="auditor"${values.role === 'auditor' ? html` checked` : ''}><span>Auditor <span class="hint">(reads, changes nothing)</span></span></label>
</fieldset>
${selectInput(issues, 'ballotId', 'Scope (auditors only)', values.ballotId ?? '', [['', 'The whole organisation'], ...ballots.map((b) => [b.id, `Only the ballot “${b.title}”`] as const)])}
<button type="submit">Send the invitation</button>
</form>`
    : ''
}`;
}

async function tokensBody(
  ctx: AppContext,
  req: Request,
  p: Principal,
  created?: { name: string; token: string },
  issues: FieldIssues = new Map(),
): Promise<Html> {
  const tokens = await auth.listApiTokens(ctx, p);
  return html`<h1>API tokens</h1>
<p>Scripts use the <a href="/api/docs">JSON API</a> with a token in the header <code>Authorization: Bearer omov_…</code>. A token acts as you, with your role.</p>
${created ? html`<div class="notice" role="status"><p>Your new token “${created.name}”. Copy it now: <strong>it is shown only this once</strong>.</p><p><code id="new-token">${created.token}</code></p></div>` : ''}
${
  tokens.length
    ? html`<div class="scroll" tabindex="0"><table><thead><tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead><tbody>
${tokens.map((t) => html`<tr><th scope="row">${t.name}</th><td>${when(t.created_at)}</td><td>${t.last_used_at ? when(t.last_used_at) : 'never'}</td><td>${postButton(ctx, req, `/api-tokens/${t.id}/revoke`, 'Revoke', { cls: 'small danger' })}</td></tr>`)}
</tbody></table></div>`
    : html`<p>You have no API tokens.</p>`
}
${
  isOrganiser(p)
    ? html`<h2>Create a token</h2>
${errorSummary(issues, () => 'Name')}
<form method="post" action="/api-tokens">${csrfField(ctx, req)}
${textInput(issues, 'name', 'What the token is for', '', { required: true, hint: 'For example “membership system sync”.' })}
<button type="submit">Create the token</button></form>`
    : html`<p>Only organisers create API tokens: auditors read, and change nothing.</p>`
}`;
}

const PAGE_SIZE = 100;

async function auditBody(ctx: AppContext, p: Principal, pageNumber: number): Promise<Html> {
  const [log, ballots] = await Promise.all([audit.readLog(ctx, p), ballotsService.listBallots(ctx, p)]);
  const titles = new Map(ballots.map((b) => [b.id, b.title]));
  const entries = [...log.entries].reverse();
  const pages = Math.max(1, Math.ceil(entries.length / PAGE_SIZE));
  const n = Math.min(Math.max(1, pageNumber), pages);
  const shown = entries.slice((n - 1) * PAGE_SIZE, n * PAGE_SIZE);
  const chain =
    log.chain === 'intact'
      ? html`<p class="notice" role="status"><span class="good">The chain is intact:</span> every entry's hash covers its content and the hash before it, from the first entry to the last (${log.entries.length} entries).</p>`
      : log.chain === 'partial view'
        ? html`<p class="notice">You see the entries about your ballot only, so the chain cannot be checked here; the election record holds the whole log and <a href="/verify">omov verify</a> checks it.</p>`
        : html`<p class="problem" role="alert"><strong>The chain is BROKEN:</strong> an entry was changed, removed or inserted after it was written. Export the election record and run <a href="/verify">omov verify</a> to see which.</p>`;
  return html`<h1>Audit log</h1>
<p>Every action of every organiser and auditor, in order, each entry chained to the one before by its hash. The database refuses to change or delete entries.</p>
${chain}
<div class="scroll" tabindex="0"><table><thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Ballot</th><th scope="col">Details</th></tr></thead><tbody>
${shown.map(
  (
    e,
  ) => html`<tr><th scope="row">${e.position}</th><td>${when(e.at)}</td><td>${e.actor}</td><td><code>${e.action}</code></td><td>${e.subject ? html`<a href="/ballots/${e.subject}">${titles.get(e.subject) ?? e.subject.slice(0, 8)}</a>` : ''}</td>
<td>${Object.keys(e.details).length ? html`<details><summary>details</summary><pre>${JSON.stringify(e.details, null, 2)}</pre></details>` : ''}<span class="hint">hash <code>${e.hash.slice(0, 12)}…</code></span></td></tr>`,
)}
</tbody></table></div>
${pages > 1 ? html`<nav aria-label="Pages" class="actions">${n > 1 ? html`<a href="/audit?page=${n - 1}">Newer entries</a>` : ''}<span>Page ${n} of ${pages}</span>${n < pages ? html`<a href="/audit?page=${n + 1}">Older entries</a>` : ''}</nav>` : ''}`;
}

export function organisationPageRoutes(ctx: AppContext): PageRoute[] {
  return [
    pageRoute({
      method: 'get',
      path: '/',
      who: 'anyone',
      summary: 'Home: the ballots for staff, where to go for everyone else',
      handler: async ({ req, res, principal }) => {
        if (!principal) {
          return void res.type('html').send(
            page({
              title: 'omov',
              body: html`<h1>omov</h1><p>One member, one vote: secret ballots of all members, counted openly.</p>
<p><a class="button" href="/signin">Organisers and auditors: sign in</a></p><p><a href="/link">Members: ask for a new voting link</a></p><p><a href="/api/docs">API documentation</a></p>`,
            }),
          );
        }
        await home(ctx, req, res, principal);
      },
    }),
    pageRoute({
      method: 'get',
      path: '/staff',
      who: 'staff',
      summary: 'The staff: organisers and auditors',
      handler: async ({ req, res, principal: p }) => {
        res.type('html').send(staffPage(ctx, req, { title: 'Staff', body: await staffBody(ctx, req, p) }));
      },
    }),
    pageRoute({
      method: 'post',
      path: '/staff/revoke',
      who: 'organiser',
      summary: 'Revoke an invitation not yet taken up',
      back: () => '/staff#pending',
      handler: async ({ req, res, principal: p }) => {
        const id = bodyOf(req).id ?? '';
        await act(
          ctx,
          req,
          res,
          '/staff#pending',
          () => auth.revokeInvitation(ctx, p, id),
          '/staff?done=invitation-revoked',
        );
      },
    }),
    pageRoute({
      method: 'post',
      path: '/staff/invite',
      who: 'organiser',
      summary: 'Invite an organiser or an auditor',
      back: () => '/staff',
      handler: async ({ req, res, principal: p }) => {
        const body = bodyOf(req);
        const parsed = auth.invitationInputSchema.safeParse({
          email: body.email?.trim(),
          role: body.role,
          ballotId: body.ballotId || null,
        });
        const issues: FieldIssues = new Map();
        if (!parsed.success)
          for (const i of parsed.error.issues) addIssue(issues, String(i.path[0] ?? 'email'), i.message);
        else {
          try {
            await auth.inviteStaff(ctx, p, parsed.data);
            return void res.redirect(303, '/staff?done=invited');
          } catch (err) {
            if (!(err instanceof ServiceError) || err.kind !== 'invalid') return refused(ctx, req, res, err, '/staff');
            for (const i of err.issues) addIssue(issues, i.path, i.message);
            if (!issues.size) addIssue(issues, 'email', err.message);
          }
        }
        res
          .status(422)
          .type('html')
          .send(staffPage(ctx, req, { title: 'Staff', body: await staffBody(ctx, req, p, issues, body) }));
      },
    }),
    pageRoute({
      method: 'get',
      path: '/api-tokens',
      who: 'staff',
      summary: 'Your API tokens',
      handler: async ({ req, res, principal: p }) => {
        res.type('html').send(staffPage(ctx, req, { title: 'API tokens', body: await tokensBody(ctx, req, p) }));
      },
    }),
    pageRoute({
      method: 'post',
      path: '/api-tokens',
      who: 'organiser',
      summary: 'Create an API token (shown once)',
      back: () => '/api-tokens',
      handler: async ({ req, res, principal: p }) => {
        const name = (bodyOf(req).name ?? '').trim();
        if (!name || name.length > 100) {
          const issues: FieldIssues = new Map([
            ['name', [name ? 'is longer than 100 characters' : 'give the token a name']],
          ]);
          return void res
            .status(422)
            .type('html')
            .send(staffPage(ctx, req, { title: 'API tokens', body: await tokensBody(ctx, req, p, undefined, issues) }));
        }
        const created = await auth.createApiToken(ctx, p, name);
        // Shown once, in this response only: never in a redirect or a later page.
        res.set('Cache-Control', 'no-store');
        res
          .status(201)
          .type('html')
          .send(staffPage(ctx, req, { title: 'API tokens', body: await tokensBody(ctx, req, p, created) }));
      },
    }),
    pageRoute({
      method: 'post',
      path: '/api-tokens/:id/revoke',
      who: 'staff',
      summary: 'Revoke one of your API tokens',
      handler: async ({ req, res, principal: p }) => {
        await act(
          ctx,
          req,
          res,
          '/api-tokens',
          () => auth.revokeApiToken(ctx, p, String(req.params.id)),
          '/api-tokens?done=revoked',
        );
      },
    }),
    pageRoute({
      method: 'get',
      path: '/audit',
      who: 'staff',
      summary: 'The audit log and whether its chain is intact',
      handler: async ({ req, res, principal: p }) => {
        const n = Number(req.query.page ?? 1);
        res.type('html').send(
          staffPage(ctx, req, {
            title: 'Audit log',
            wide: true,
            body: await auditBody(ctx, p, Number.isInteger(n) ? n : 1),
          }),
        );
      },
    }),
  ];
}

import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Principal } from '../../../data/organisations';
import { isOrganiser, mayAct, rollVisible } from '../../../services/access';
import type { DelegateSettingsInput, Question } from '@omov/core/domain/ballot';
import * as audit from '../../../services/audit';
import * as ballotsService from '../../../services/ballots';
import type { BallotView } from '../../../services/ballots';
import type { AppContext } from '../../../services/context';
import { turnoutChart } from '../../charts';
import { ServiceError } from '../../../services/errors';
import * as exportsService from '../../../services/exports';
import * as invitations from '../../../services/invitations';
import * as preview from '../../../services/preview';
import * as results from '../../../services/results';
import * as rollService from '../../../services/roll';
import { idempotencyKey } from '../../api-routes';
import { type Html, html } from '../../html';
import { confirmed, idParams, type PageRoute, pageRoute, uuid } from '../../page-routes';
import { isTimeZone, localToIso } from '@omov/core/domain/zones';
import { allows } from '@omov/core/domain/lifecycle';
import { eligibilityInWords } from '@omov/core/domain/eligibility';
import { act, bodyOf, postButton, refused, staffPage, when } from './common';
import { paperPreviewPage } from './paper-preview';
import { resultsBody, resultsCsv, turnoutSection } from './results';
import { describeComparison } from '@omov/core/delegates/declared';
import { APPORTIONMENT_LABEL, BASIS_LABEL, STATUS_LABEL } from './text';
import { methodOf } from '@omov/core/methods/index';

/**
 * One ballot: its overview and actions, the previews, delivery of the invitations,
 * turnout, results and downloads. Organisers see the actions; auditors the same pages
 * without them (and the services refuse them anyway).
 */

type Tab = 'overview' | 'statements' | 'preview' | 'emails' | 'invitations' | 'turnout' | 'results';

function tabs(b: BallotView, current: Tab): Html {
  const items: Array<[Tab | 'board', string, string]> = [['overview', 'Overview', `/ballots/${b.id}`]];
  // The statements are written while a draft, and read as fixed after.
  items.push(['statements', 'Statements', `/ballots/${b.id}/statements`]);
  if (allows(b.status, 'preview')) items.push(['preview', 'Preview', `/ballots/${b.id}/preview`]);
  if (allows(b.status, 'edit-mail')) items.push(['emails', 'Emails', `/ballots/${b.id}/emails`]);
  if (allows(b.status, 'read-delivery')) items.push(['invitations', 'Invitations', `/ballots/${b.id}/invitations`]);
  if (allows(b.status, 'read-turnout')) items.push(['turnout', 'Turnout', `/ballots/${b.id}/turnout`]);
  if (allows(b.status, 'read-results')) items.push(['results', 'Results', `/ballots/${b.id}/results`]);
  if (allows(b.status, 'read-board')) items.push(['board', 'Bulletin board', `/board/${b.id}`]);
  return html`<nav aria-label="This ballot" class="actions">${items.map(([k, label, href]) => (k === current ? html`<strong aria-current="page">${label}</strong>` : html`<a href="${href}">${label}</a>`))}</nav>`;
}

/** The ballot's heading and tabs, on each of its pages. */
export function header(b: BallotView, current: Tab): Html {
  return html`<p><a href="/">All ballots</a></p><h1>${b.title} <span class="status">${STATUS_LABEL[b.status]}</span></h1>${tabs(b, current)}`;
}

function settingsSummary(q: Question): string {
  return methodOf(q.method).describe(q.settings).join('; ');
}

function delegateSummary(d: DelegateSettingsInput | null): string {
  if (!d) return 'none';
  if (d.method === 'sortition') return `a council of ${d.council} drawn by lot`;
  const shared =
    d.method === 'bands'
      ? `a band table (${d.bands.map((x) => `up to ${x.upTo}: ${x.delegates}`).join(', ')}${d.beyond ? `; ${d.beyond.delegates} more per further ${d.beyond.every}${d.beyond.orPart ? ' or part' : ''}` : ''})`
      : d.method === 'fixed'
        ? `fixed numbers (${Object.entries(d.numbers)
            .map(([b, n]) => `${b} ${n}`)
            .join(', ')})`
        : `${d.seats} delegates by ${APPORTIONMENT_LABEL[d.method]}`;
  return `${shared}, shared by ${BASIS_LABEL[d.basis].toLowerCase()}; ${d.rule} rule${d.min !== undefined ? `; at least ${d.min}` : ''}${d.max !== undefined ? `; at most ${d.max}` : ''}`;
}

function questionsList(b: BallotView): Html {
  return html`<ol>${b.questions.map(
    (
      q,
    ) => html`<li><strong>${q.title}</strong> <span class="hint">— ${methodOf(q.method).labels.name}${settingsSummary(q) ? `; ${settingsSummary(q)}` : ''}</span>
${methodOf(q.method).motion ? '' : html`<ul>${q.options.map((o) => html`<li>${o.label}${o.description ? html` <span class="hint">— ${o.description}</span>` : ''}</li>`)}</ul>`}
${q.comparisons?.length ? html`<p>Delegate comparisons declared for this question (committed when the ballot opens):</p><ul>${q.comparisons.map((c, j) => html`<li><strong>${c.label || `Comparison ${j + 1}`}</strong> <span class="hint">— ${describeComparison(c, methodOf(q.method).labels.name)}</span></li>`)}</ul>` : ''}</li>`,
  )}</ol>`;
}

/** An open in flight, as far as it has come; staff.js updates it, and reloads the page when it ends. */
const openingNow = (id: string, o: { total: number; done: number }) =>
  html`<div data-opening-url="/api/v1/ballots/${id}/opening"><h3>Opening now</h3>
<progress id="opening-progress" max="${o.total || 1}" value="${o.done}" aria-label="Members given a link">${o.done} of ${o.total}</progress>
<p role="status" data-opening-text>${o.done} of ${o.total} members have their link and a queued invitation. <a href="/ballots/${id}">Update</a></p></div>`;

async function overview(ctx: AppContext, req: Request, res: Response, p: Principal, id: string): Promise<void> {
  const b = await ballotsService.getBallot(ctx, p, id);
  const organiser = isOrganiser(p);
  const turnout = allows(b.status, 'read-turnout') ? await results.ballotTurnout(ctx, p, b.id) : undefined;
  const r = allows(b.status, 'read-results') ? await results.ballotResults(ctx, p, b.id) : undefined;
  const members = mayAct(p, b, 'open') && rollVisible(p) ? await ballotsService.countEligible(ctx, p, b.id) : 0;
  const opening = await ballotsService.openingProgress(ctx, p, b.id);
  const f = (action: string, label: string, confirm: string, cls?: string) =>
    postButton(ctx, req, `/ballots/${b.id}/${action}`, label, { confirm, cls });
  res.type('html').send(
    staffPage(ctx, req, {
      title: b.title,
      body: html`${header(b, 'overview')}
${b.description ? html`<p>${b.description}</p>` : ''}
<dl class="facts">
<dt>Voting opens</dt><dd>${when(b.opensAt, b.timeZone)}</dd><dt>Voting closes</dt><dd>${when(b.closesAt, b.timeZone)}</dd>
${b.openedAt ? html`<dt>Opened</dt><dd>${when(b.openedAt, b.timeZone)}</dd>` : ''}${b.closedAt ? html`<dt>Closed</dt><dd>${when(b.closedAt, b.timeZone)}</dd>` : ''}${b.publishedAt ? html`<dt>Published</dt><dd>${when(b.publishedAt, b.timeZone)}</dd>` : ''}
<dt>Receipts</dt><dd>${b.receiptPolicy === 'choices' ? 'codes with the answers' : 'codes only'}</dd>
<dt>Small branches</dt><dd>pooled below ${b.k} voters</dd>
<dt>Who has voted</dt><dd>${b.voterListVisible ? 'visible to organisers' : 'shown in aggregate only'}</dd>
<dt>Reminders</dt><dd>${b.reminderHours.length ? b.reminderHours.map((h) => `${h} h`).join(', ') + ' before closing' : 'none'}</dd>
<dt>Who may vote</dt><dd id="eligibility-rule">${eligibilityInWords(b.eligibility)}${mayAct(p, b, 'open') && rollVisible(p) ? ` (${members} ${members === 1 ? 'member' : 'members'} on the roll now)` : ''}</dd>
<dt>Delegate comparison</dt><dd>${delegateSummary((b.delegateSettings ?? null) as DelegateSettingsInput | null)}</dd>
${b.boxRoot ? html`<dt>Box root</dt><dd><code>${b.boxRoot}</code></dd>` : ''}
</dl>
<h2>Questions</h2>
${questionsList(b)}
${turnout && !r ? html`<h2>Turnout so far</h2><p>${turnout.voted} of ${turnout.eligible} members have voted (${turnout.percent}%).</p><progress max="${turnout.eligible || 1}" value="${turnout.voted}" aria-label="Turnout">${turnout.percent}%</progress><p><a href="/ballots/${b.id}/turnout">Turnout by branch</a> · <a href="/ballots/${b.id}/invitations">Delivery of the invitations</a></p>` : ''}
${
  r
    ? html`<h2>Result</h2><p>${r.turnout.voted} of ${r.turnout.eligible} members voted (${r.turnout.percent}%).</p>
<ul>${r.questions.map((q) => html`<li>${q.title}: <strong>${methodOf(q.method).motion ? (q.count.summary?.carried ? 'carried' : 'not carried') : q.elected.join(', ') || 'none'}</strong></li>`)}</ul>
<p><a class="button" href="/ballots/${b.id}/results">Full results, counts and downloads</a></p>`
    : ''
}
${
  organiser
    ? html`<h2>What next</h2>
${
  allows(b.status, 'open')
    ? html`<div class="actions"><a class="button" href="/ballots/${b.id}/edit">Edit</a><a class="button" href="/ballots/${b.id}/preview">Preview the email and the voting page</a></div>
${opening ? openingNow(b.id, opening) : ''}
<h3>Open the ballot</h3><p>Opening fixes the electorate — the ${members} members on the roll now${b.eligibility ? ` who meet the ballot's rule: ${eligibilityInWords(b.eligibility)}` : ''} — and emails each of them a personal voting link, at once or at the time you set. The ballot can no longer be edited.</p>
${postButton(ctx, req, `/ballots/${b.id}/open`, `Open the ballot and email ${members} members`, {
  confirm: `I have checked the ballot (${b.eligibility ? eligibilityInWords(b.eligibility) : 'every current member'}: ${members} ${members === 1 ? 'member' : 'members'}); open it now`,
  fields: html`<div class="field"><label for="sendAt">Send the invitations at (${b.timeZone}; leave blank for now)</label><br><input id="sendAt" name="sendAt" type="datetime-local"><input type="hidden" name="zone" value="${b.timeZone}"></div>`,
})}
<h3>Delete the draft</h3>${f('delete', 'Delete this draft', 'Yes, delete this draft', 'danger')}`
    : ''
}
${allows(b.status, 'close') ? html`<h3>Close the ballot now</h3><p>It closes by itself at ${when(b.closesAt, b.timeZone)}. Closing now stops voting for everyone and counts the votes.</p>${f('close', 'Close the ballot now', 'Yes, stop voting now')}` : ''}
${allows(b.status, 'publish') ? html`<h3>Publish the results</h3><p>The results and every receipt code go on a public page.</p>${f('publish', 'Publish the results', 'Yes, publish the results')}` : ''}`
    : ''
}
${allows(b.status, 'read-public-results') ? html`<p>Public results: <a href="/results/${b.id}">/results/${b.id}</a></p>` : ''}`,
    }),
  );
}

/**
 * "Send a reminder now": a box to tick that names the count, and a key drawn for this page,
 * so that a double click or a resent form sends once. Within the cooldown, its end instead.
 */
function reminderForm(ctx: AppContext, req: Request, b: BallotView, s: ballotsService.ReminderState): Html {
  if (s.cooldownEndsAt)
    return html`<p id="reminder-cooldown">The last reminder went out ${when(s.lastAt, b.timeZone)}. Another can be sent by hand from ${when(s.cooldownEndsAt, b.timeZone)}.</p>`;
  if (s.recipients === 0) return html`<p>Every member has voted, or has no live link: there is no one to remind.</p>`;
  const members = `${s.recipients} ${s.recipients === 1 ? 'member' : 'members'}`;
  return postButton(ctx, req, `/ballots/${b.id}/reminders`, 'Send the reminder now', {
    cls: 'secondary',
    hidden: { key: randomUUID() },
    confirm: `Send a reminder to ${members} who ${s.recipients === 1 ? 'has' : 'have'} not voted`,
  });
}

const KIND_LABEL: Record<string, string> = {
  invitation: 'Invitations',
  reminder: 'Reminders',
  'open-commitment': 'Commitment at open to auditors',
  'box-root': 'Box root to auditors',
  'verifiable-open': 'Election fingerprint at open to auditors',
  'verifiable-close': 'Board hash at close to auditors',
  'trustee-decrypt': 'Trustees asked to decrypt',
  'problem-report': 'Problems reported, to auditors',
  'staff-invitation': 'Auditor invitations',
};

async function invitationsPage(ctx: AppContext, req: Request, res: Response, p: Principal, id: string): Promise<void> {
  const b = await ballotsService.getBallot(ctx, p, id);
  if (!allows(b.status, 'read-delivery')) return void res.redirect(303, `/ballots/${b.id}`);
  const [progress, failed, log] = await Promise.all([
    invitations.invitationProgress(ctx, b.id),
    invitations.failedDeliveries(ctx, b.id),
    audit.readLog(ctx, p),
  ]);
  const waiting = Object.values(progress).reduce((n, x) => n + x.queued + x.sending, 0);
  // Which automatic reminders went out: the log records each, with its hours before closing.
  const reminders = log.entries.filter((e) => e.subject === b.id && e.action === 'reminders.send');
  const scheduled = b.reminderHours.map((h) => {
    const at = new Date(b.closesAt.getTime() - h * 3_600_000);
    const sent = reminders.find((e) => e.details.hoursBefore === h);
    const state = sent
      ? `sent ${when(sent.at, b.timeZone)} (${String(sent.details.queued)} members)`
      : b.openedAt && b.openedAt > at
        ? 'not sent: the ballot opened after this time'
        : allows(b.status, 'send-reminders')
          ? 'due'
          : 'not sent';
    return { h, at, state };
  });
  const manual = reminders.filter((e) => e.details.hoursBefore === undefined);
  const search = typeof req.query.member === 'string' ? req.query.member.slice(0, 200) : '';
  const found =
    search && mayAct(p, b, 'reissue-link')
      ? await rollService.searchMembers(ctx, p, { search, limit: 20, offset: 0 })
      : [];
  const inElectorate = found.length
    ? await ballotsService.membersInElectorate(
        ctx,
        p,
        b.id,
        found.map((m) => m.id),
      )
    : new Set<string>();
  res.type('html').send(
    staffPage(ctx, req, {
      title: `Invitations: ${b.title}`,
      body: html`${header(b, 'invitations')}
<h2>Delivery</h2>
<div data-progress-url="/api/v1/ballots/${b.id}/invitations" data-waiting="${waiting}">
${Object.keys(progress).length === 0 ? html`<p>Nothing has been queued for this ballot.</p>` : ''}
${Object.entries(progress).map(([kind, x]) => {
  const total = x.queued + x.sending + x.sent + x.failed + x.bounced;
  return html`<div class="field"><label for="progress-${kind}">${KIND_LABEL[kind] ?? kind}</label><br>
<progress id="progress-${kind}" data-kind="${kind}" max="${total || 1}" value="${x.sent}">${x.sent} of ${total}</progress>
<span data-kind-text="${kind}">${x.sent} of ${total} sent, ${x.queued + x.sending} waiting, ${x.failed} failed${x.bounced ? `, ${x.bounced} bounced` : ''}.</span></div>`;
})}
${waiting ? html`<p class="hint" role="status" data-updates="progress">Sending. <a href="/ballots/${b.id}/invitations">Update the progress</a></p>` : ''}
</div>
<h2>Reminders</h2>
${
  scheduled.length
    ? html`<div class="scroll" tabindex="0"><table><caption>Automatic reminders, to members who have not voted</caption><thead><tr><th scope="col">Before closing</th><th scope="col">When</th><th scope="col">State</th></tr></thead><tbody>
${scheduled.map((s) => html`<tr><th scope="row">${s.h} hours</th><td>${when(s.at, b.timeZone)}</td><td>${s.state}</td></tr>`)}</tbody></table></div>`
    : html`<p>No automatic reminders are set for this ballot.</p>`
}
${manual.length ? html`<p>Reminders sent by hand: ${manual.map((e) => `${when(e.at, b.timeZone)} (${String(e.details.queued)} members)`).join('; ')}.</p>` : ''}
${mayAct(p, b, 'send-reminders') ? reminderForm(ctx, req, b, await ballotsService.reminderState(ctx, p, b.id)) : ''}
<h2>Failed deliveries</h2>
${
  failed.length
    ? html`<div class="scroll" tabindex="0"><table><thead><tr><th scope="col">To</th><th scope="col">Message</th><th class="num" scope="col">Attempts</th><th scope="col">Last error</th></tr></thead><tbody>
${failed.map((f) => html`<tr><th scope="row">${f.recipient}</th><td>${KIND_LABEL[f.kind] ?? f.kind}</td><td class="num">${f.attempts}</td><td>${f.lastError ?? ''}</td></tr>`)}</tbody></table></div>
<p class="hint">Correct the address on the roll, then send the member a new link below.</p>`
    : html`<p>None.</p>`
}
<p class="hint">${
        ctx.config.mailEventsSecret
          ? 'Messages the mail server accepted but could not deliver later show here as they are reported (bounce webhook on).'
          : 'Only messages the mail server refused show here. To see those it bounces later, turn on the bounce webhook (MAIL_EVENTS_SECRET; see the README).'
      }</p>
${
  mayAct(p, b, 'reissue-link')
    ? html`<h2 id="member">A member's link</h2>
<p>Send a member a new link (their old one stops working), or add a member who joined the roll after the ballot opened.</p>
<form method="get" action="/ballots/${b.id}/invitations#member" role="search" class="actions"><div class="field"><label for="member-search">Find the member</label><br><input type="search" id="member-search" name="member" value="${search}" placeholder="name, email or number"></div><button type="submit" class="secondary">Find</button></form>
${
  search
    ? found.length
      ? html`<div class="scroll" tabindex="0"><table><thead><tr><th scope="col">Member</th><th scope="col">Branch</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead><tbody>
${found.map(
  (m) =>
    html`<tr><th scope="row">${m.name}<br><span class="hint">${m.email}</span></th><td>${m.branch}</td><td><div class="actions">${
      // A member already on the ballot can only be sent a new link; one who is not, only added.
      inElectorate.has(m.id)
        ? postButton(ctx, req, `/ballots/${b.id}/reissue`, 'Send a new link', {
            cls: 'small',
            hidden: { memberId: m.id },
          })
        : postButton(ctx, req, `/ballots/${b.id}/electorate`, 'Add to this ballot', {
            cls: 'small secondary',
            hidden: { memberId: m.id },
          })
    }</div></td></tr>`,
)}
</tbody></table></div>`
      : html`<p>No current member matches “${search}”.</p>`
    : ''
}`
    : ''
}`,
    }),
  );
}

async function turnoutPage(ctx: AppContext, req: Request, res: Response, p: Principal, id: string): Promise<void> {
  const b = await ballotsService.getBallot(ctx, p, id);
  if (!allows(b.status, 'read-turnout')) return void res.redirect(303, `/ballots/${b.id}`);
  const t = await results.ballotTurnout(ctx, p, b.id);
  const voters = b.voterListVisible ? await results.voterList(ctx, p, b.id) : undefined;
  const history = await results.turnoutOverTime(ctx, p, b.id);
  res.type('html').send(
    staffPage(ctx, req, {
      title: `Turnout: ${b.title}`,
      body: html`${header(b, 'turnout')}
${allows(b.status, 'cast') ? html`<p class="hint" data-updates="page" data-every="30">As of ${when(new Date(), b.timeZone)}. <a href="/ballots/${b.id}/turnout">Update now</a></p>` : ''}
${turnoutSection(t)}
<h2>Over time</h2>
${turnoutChart(history, t.eligible, b.timeZone)}
<p class="hint">Counts taken every minute while the ballot is open: how many had voted, never who.</p>
${
  voters
    ? html`<h2>Who has voted</h2><p class="hint">This ballot lets staff see it (the election record says so).</p>
<div class="scroll" tabindex="0"><table><thead><tr><th scope="col">Member</th><th scope="col">Branch</th><th scope="col">Voted</th></tr></thead><tbody>
${voters.map((v) => html`<tr><th scope="row">${v.name}</th><td>${v.branch}</td><td>${v.voted ? 'yes' : 'no'}</td></tr>`)}</tbody></table></div>`
    : ''
}`,
    }),
  );
}

async function resultsPage(ctx: AppContext, req: Request, res: Response, p: Principal, id: string): Promise<void> {
  const b = await ballotsService.getBallot(ctx, p, id);
  if (!allows(b.status, 'read-results')) {
    return void res
      .status(409)
      .type('html')
      .send(
        staffPage(ctx, req, {
          title: b.title,
          body: html`${header(b, 'results')}<p>The results come when the ballot is closed.</p>`,
        }),
      );
  }
  const r = await results.ballotResults(ctx, p, b.id);
  res.type('html').send(
    staffPage(ctx, req, {
      title: `Results: ${b.title}`,
      wide: true,
      body: html`${header(b, 'results')}
<h2>Downloads</h2>
<ul>
<li><a href="/ballots/${b.id}/results.csv" download>Results as CSV</a> (every option, overall and by voting unit)</li>
<li><a href="/ballots/${b.id}/results.json" download>Results as JSON</a> (everything on this page, including every round)</li>
${r.questions.filter((q) => q.count.rounds.length && methodOf(q.method).answer === 'ranking').map((q) => html`<li><a href="/ballots/${b.id}/questions/${q.id}/ballots.blt" download>Papers of “${q.title}” as BLT</a></li>`)}
<li><a href="/api/v1/ballots/${b.id}/record" download>The election record</a> (every vote, the turnout, the units, the box root, the results and the audit log; check it with <a href="/verify">omov verify</a>)</li>
<li><a href="/board/${b.id}">The bulletin board</a> (public)${allows(b.status, 'read-public-results') ? html` and <a href="/results/${b.id}">the public results</a>` : ''}</li>
</ul>
${b.boxRoot ? html`<p>Box root: <code>${b.boxRoot}</code></p>` : ''}
<p>Results hash (counted once, at close; the election record's <code>resultsHash</code>): <code>${r.ballot.resultsHash}</code></p>
${mayAct(p, b, 'publish') ? postButton(ctx, req, `/ballots/${b.id}/publish`, 'Publish the results', { confirm: 'Yes, publish the results' }) : ''}
${resultsBody(r, { downloads: true })}`,
    }),
  );
}

async function previewPageHtml(ctx: AppContext, req: Request, res: Response, p: Principal, id: string): Promise<void> {
  const pv = await preview.invitationPreview(ctx, p, id);
  const b = pv.ballot;
  res.type('html').send(
    staffPage(ctx, req, {
      title: `Preview: ${b.title}`,
      body: html`${header(b, 'preview')}
<h2>The invitation email</h2>
<p class="hint">With sample values: each member's own name and link go in their copy.</p>
<dl class="facts"><dt>Subject</dt><dd>${pv.email.subject}</dd></dl>
<pre>${pv.email.text}</pre>
<p><a href="/ballots/${b.id}/preview/invitation.html">See the email as HTML</a></p>
${
  isOrganiser(p)
    ? html`<h3>A test email</h3><p>Sends this invitation to you (${p.email}), marked as a test. Its link is an example: it does not vote.</p>
${postButton(ctx, req, `/ballots/${b.id}/preview/test-email`, 'Send a test email to me', { cls: 'secondary' })}`
    : ''
}
<h2>The voting page</h2>
<p><a class="button" href="/ballots/${b.id}/preview/paper">See the voting page as a member sees it</a></p>`,
    }),
  );
}

/** The optional "send the invitations at" field, typed in the ballot's zone (which the form carries). */
const sendAtOf = (req: Request): { sendAt?: string } => {
  const v = String(bodyOf(req).sendAt ?? '').trim();
  if (!v) return {};
  const zone = String(bodyOf(req).zone ?? '');
  const r = localToIso(v, isTimeZone(zone) ? zone : 'UTC');
  if (!r.ok)
    throw new ServiceError('invalid', `send the invitations at: ${r.message}`, [
      { path: 'sendAt', message: r.message },
    ]);
  return { sendAt: r.iso };
};

const questionParams = z.object({ id: uuid, qid: uuid });
const mustConfirm = confirmed('tick the box to confirm, then press the button again');

export function ballotPageRoutes(ctx: AppContext): PageRoute[] {
  /** The ballot's pages for staff, each drawn by its function above. */
  const tabPages: Array<[string, string, typeof overview]> = [
    ['', 'A ballot: its questions, settings and actions', overview],
    ['/invitations', "Delivery of the invitations; a member's new link", invitationsPage],
    ['/turnout', 'Turnout, overall and by branch', turnoutPage],
    ['/results', 'Results, with downloads', resultsPage],
    ['/preview', 'Preview of the invitation and the voting page', previewPageHtml],
  ];
  // After opening, the delivery page; after closing, the results; after publishing, the overview.
  const lifecycle: Array<
    [string, string, (ctx: AppContext, p: Principal, id: string, req: Request) => Promise<unknown>, string]
  > = [
    [
      'open',
      'Open the ballot: issue the links, send the invitations',
      (c, p, id, req) => ballotsService.openBallot(c, p, id, sendAtOf(req)),
      'opened',
    ],
    ['close', 'Close the ballot and count it', ballotsService.closeBallot, 'closed'],
    ['publish', 'Publish the results', ballotsService.publishBallot, 'published'],
  ];
  const download = (
    path: string,
    summary: string,
    file: (p: Principal, id: string) => Promise<{ type: string; name: string; body: string }>,
  ) =>
    pageRoute({
      method: 'get',
      path,
      who: 'staff',
      summary,
      params: idParams,
      handler: async ({ res, params, principal: p }) => {
        const f = await file(p, params.id);
        res.type(f.type).set('Content-Disposition', `attachment; filename="${f.name}"`).send(f.body);
      },
    });
  return [
    ...tabPages.map(([tail, summary, draw]) =>
      pageRoute({
        method: 'get',
        path: `/ballots/:id${tail}`,
        who: 'staff',
        summary,
        params: idParams,
        handler: ({ req, res, params, principal: p }) => draw(ctx, req, res, p, params.id),
      }),
    ),
    pageRoute({
      method: 'get',
      path: '/ballots/:id/preview/paper',
      who: 'staff',
      summary: 'The voting page as a member sees it',
      params: idParams,
      handler: async ({ res, params, principal: p }) => {
        const pv = await preview.invitationPreview(ctx, p, params.id);
        res.type('html').send(paperPreviewPage(pv.ballot, pv.organisationName));
      },
    }),
    pageRoute({
      method: 'get',
      path: '/ballots/:id/preview/invitation.html',
      who: 'staff',
      summary: 'The invitation email as HTML',
      params: idParams,
      handler: async ({ res, params, principal: p }) => {
        const pv = await preview.invitationPreview(ctx, p, params.id);
        // The email's own HTML, inline styles and all: allowed for this response only, in a sandbox with no script.
        res.set(
          'Content-Security-Policy',
          "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        );
        res.type('html').send(pv.email.html);
      },
    }),
    pageRoute({
      method: 'post',
      path: '/ballots/:id/preview/test-email',
      who: 'organiser',
      summary: 'Send the invitation to yourself, marked as a test',
      params: idParams,
      back: ({ id }) => `/ballots/${id}/preview`,
      handler: async ({ req, res, params: { id }, principal: p }) => {
        await act(
          ctx,
          req,
          res,
          `/ballots/${id}/preview`,
          () => preview.sendTestEmail(ctx, p, id),
          `/ballots/${id}/preview?done=test-email`,
        );
      },
    }),
    ...lifecycle.map(([name, summary, run, done]) =>
      pageRoute({
        method: 'post',
        path: `/ballots/:id/${name}`,
        who: 'organiser',
        summary,
        params: idParams,
        form: mustConfirm,
        back: ({ id }) => `/ballots/${id}`,
        handler: async ({ req, res, params: { id }, principal: p }) => {
          await act(
            ctx,
            req,
            res,
            `/ballots/${id}`,
            () => run(ctx, p, id, req),
            `/ballots/${id}${name === 'open' ? '/invitations' : name === 'close' ? '/results' : ''}?done=${done}`,
          );
        },
      }),
    ),
    pageRoute({
      method: 'post',
      path: '/ballots/:id/delete',
      who: 'organiser',
      summary: 'Delete a draft',
      params: idParams,
      form: mustConfirm,
      back: ({ id }) => `/ballots/${id}`,
      handler: async ({ req, res, params: { id }, principal: p }) => {
        await act(ctx, req, res, `/ballots/${id}`, () => ballotsService.deleteDraft(ctx, p, id), '/?done=deleted');
      },
    }),
    pageRoute({
      method: 'post',
      path: '/ballots/:id/reminders',
      who: 'organiser',
      summary: 'Remind those who have not voted',
      params: idParams,
      form: z.object({
        confirm: z.literal('yes', {
          error: 'tick the box that names the members to remind, then press the button again',
        }),
        key: idempotencyKey,
      }),
      back: ({ id }) => `/ballots/${id}/invitations`,
      handler: async ({ req, res, params: { id }, principal: p, form }) => {
        await act(
          ctx,
          req,
          res,
          `/ballots/${id}/invitations`,
          () => ballotsService.sendReminders(ctx, p, id, { key: form.key }),
          `/ballots/${id}/invitations?done=reminders`,
        );
      },
    }),
    ...(
      [
        ['reissue', "A member's new link (the old one dies)", ballotsService.reissueLink, 'reissued'],
        ['electorate', 'Add a member who joined while the ballot is open', ballotsService.addToElectorate, 'added'],
      ] as const
    ).map(([path, summary, run, done]) =>
      pageRoute({
        method: 'post',
        path: `/ballots/:id/${path}`,
        who: 'organiser',
        summary,
        params: idParams,
        back: ({ id }) => `/ballots/${id}/invitations#member`,
        handler: async ({ req, res, params: { id }, principal: p }) => {
          const memberId = bodyOf(req).memberId ?? '';
          if (!/^[0-9a-f-]{36}$/i.test(memberId))
            return refused(
              ctx,
              req,
              res,
              new ServiceError('not-found', 'member not found'),
              `/ballots/${id}/invitations`,
            );
          await act(
            ctx,
            req,
            res,
            `/ballots/${id}/invitations#member`,
            () => run(ctx, p, id, memberId),
            `/ballots/${id}/invitations?done=${done}`,
          );
        },
      }),
    ),
    download('/ballots/:id/results.csv', 'The results as CSV', async (p, id) => {
      const r = await results.ballotResults(ctx, p, id);
      return { type: 'text/csv; charset=utf-8', name: `results-${r.ballot.id}.csv`, body: resultsCsv(r) };
    }),
    download('/ballots/:id/results.json', 'The results as JSON', async (p, id) => {
      const r = await results.ballotResults(ctx, p, id);
      return { type: 'application/json', name: `results-${r.ballot.id}.json`, body: `${JSON.stringify(r, null, 2)}\n` };
    }),
    pageRoute({
      method: 'get',
      path: '/ballots/:id/questions/:qid/ballots.blt',
      who: 'staff',
      summary: "One question's papers as a BLT file",
      params: questionParams,
      handler: async ({ res, params, principal: p }) => {
        const f = await exportsService.questionBlt(ctx, p, params.id, params.qid);
        res
          .type('text/plain; charset=utf-8')
          .set('Content-Disposition', `attachment; filename="${f.fileName}"`)
          .send(f.text);
      },
    }),
  ];
}

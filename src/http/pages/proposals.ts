import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import {
  type ProposalRules,
  type ProposalStage,
  AMENDMENT_TEXT_MAX,
  AMENDMENT_TITLE_MAX,
  amendmentInputSchema,
  proposalInputSchema,
  proposalRulesSchema,
  STATEMENT_MAX,
  statementText,
} from '@omov/core/domain/proposals';
import * as ballotsService from '../../services/ballots';
import type { AppContext } from '../../services/context';
import { ServiceError } from '../../services/errors';
import * as proposals from '../../services/proposals';
import type { AgendaView, ProposalView } from '../../services/proposals';
import { hashSecret } from '../../platform/secrets';
import { clientAddress } from '../auth';
import { type Html, html } from '../html';
import { idParams, type PageRoute, pageRoute } from '../page-routes';
import { page } from './layout';
import { act, csrfField, isOrganiser, postButton, refusalStatus, staffPage, when } from './organiser/common';
import { linkRequestRoutes } from './public';
import { voterHeaders } from './voting/routes';

/**
 * Member proposals' pages (docs/proposals.md), all working without JavaScript:
 *   /proposals/link        a member asks for their proposals link by email
 *   /p/:token              the member's own page: draft, start, sign (the token stays in the path, never in a redirect)
 *   /proposals/:id         a started proposal for anyone: wording, stage, support per branch (pooled)
 *   /organisations/:id/proposals  an organisation's started proposals, for anyone
 *   /proposals             staff: the rules, the proposals, scheduling (organisers)
 */

const STAGE: Record<ProposalStage, string> = {
  draft: 'Draft (only you can see it)',
  gathering: 'Gathering support',
  lapsed: 'Lapsed: its time to gather support ran out',
  qualified: 'Qualified: waiting to be put on a ballot',
  overdue: 'Overdue: qualified, and the office has not put it on a ballot in time',
  scheduled: 'On a ballot',
};

function needsText(v: ProposalView): string {
  if (!v.needs) return '';
  const parts = [
    v.needs.supporters === null ? null : `${v.needs.supporters} supporters`,
    v.needs.branches === null ? null : `supporters in ${v.needs.branches} branches`,
  ].filter((x): x is string => x !== null);
  return parts.join(v.needs.combine === 'both' ? ' and ' : ' or ');
}

function rulesText(r: ProposalRules): string {
  const t = [
    r.sharePercent === null ? null : `${r.sharePercent}% of members`,
    r.minBranches === null ? null : `supporters in at least ${r.minBranches} branches`,
  ].filter((x): x is string => x !== null);
  const amendments =
    r.amendmentDays === null
      ? ''
      : ` Once a motion or a question qualifies, members may table amendments to it for ${r.amendmentDays} days; each amendment needs the same support. The office’s time to put the motion on a ballot starts when that period closes.`;
  return `A proposal qualifies with ${t.join(r.combine === 'both' ? ' and ' : ' or ')} within ${r.windowDays} days of starting. The office must then put it on a ballot within ${r.scheduleDays} days.${amendments}`;
}

/** A proposal's wording, stage and support, as every page shows it. */
function proposalBody(v: ProposalView, level: 'h1' | 'h2' | 'h3', extra: Html | '' = ''): Html {
  const heading =
    level === 'h1' ? html`<h1>${v.title}</h1>` : level === 'h2' ? html`<h2>${v.title}</h2>` : html`<h3>${v.title}</h3>`;
  const overdue = v.stage === 'overdue';
  return html`<article class="proposal">${heading}
<p><strong>${STAGE[v.stage]}</strong>${v.stage === 'qualified' || overdue ? html` (by ${when(v.scheduleBy)})` : ''}${v.stage === 'gathering' ? html` until ${when(v.closesAt)}` : ''}</p>
${overdue ? html`<p class="problem" role="alert">The office has not put this proposal on a ballot by ${when(v.scheduleBy)}, as the organisation’s rules require.</p>` : ''}
${v.text.split(/\n{2,}/).map((para) => html`<p>${para}</p>`)}
${v.amends ? html`<p class="hint">An amendment to <a href="/proposals/${v.parentId ?? ''}">the question “${v.amends.title}”</a>: it replaces the question’s options. With enough support it goes on the ballot as a version of the question: members rank the versions, and the options of every version.</p>${optionsDiff(v.amends, v)}` : v.options ? html`<p>The question’s options:</p><ul>${v.options.map((o) => html`<li>${o}</li>`)}</ul>` : v.kind === 'against' && v.question ? answeredText(v.question) : v.kind === 'against' ? html`<p class="hint">A members’ case against <a href="/proposals/${v.parentId ?? ''}">a proposal</a>. With the same support as the proposal needed, it is the case against on the ballot, beside the proposers’ case for. The first to gather it stands.</p>` : v.kind === 'amendment' ? html`<p class="hint">An amendment: the whole text of <a href="/proposals/${v.parentId ?? ''}">the motion</a> as amended. With enough support it goes on the ballot beside the motion, and members rank them.</p>` : html`<p class="hint">A motion: members will vote Yes or No, or, with amendments, rank its variants.</p>`}
${v.tabledBy ? html`<p>Tabled by ${v.tabledBy} branch, through its secretary.</p>` : ''}
${v.amendmentsOpen ? html`<p>Members may table amendments to this ${v.kind === 'question' ? 'question' : 'motion'} until ${when(v.amendmentsCloseAt)}.</p>` : ''}
${v.needs ? html`<p>${v.supporters} supporters in ${v.branches} branches. It needs ${needsText(v)}.</p>` : ''}
${v.caseAgainst ? html`<section class="statement">${level === 'h1' ? html`<h2>The members’ case against</h2>` : level === 'h2' ? html`<h3>The members’ case against</h3>` : html`<h4>The members’ case against</h4>`}<p class="hint">Written by members who gathered the same support (${when(v.caseAgainst.qualifiedAt)}); on the ballot beside the case for.</p>${v.caseAgainst.text.split(/\n{2,}/).map((para) => html`<p>${para}</p>`)}</section>` : ''}
${extra}</article>`;
}

/** What a members' case against an office question answers. */
function answeredText(q: NonNullable<ProposalView['question']>): Html {
  const what =
    q.title && q.ballotTitle
      ? html`the question “${q.title}” on the ballot “${q.ballotTitle}”`
      : q.ballotTitle
        ? html`a question the office has since removed from the draft ballot “${q.ballotTitle}”`
        : html`a question of a draft ballot the office has since deleted`;
  return html`<p class="hint">A members’ case against ${what}, which the office put to the vote. With the same support as a members’ proposal needs, it is the case against on the ballot, in place of the office’s. The first to gather it stands.</p>`;
}

function supportTable(v: ProposalView): Html {
  if (v.byBranch.length === 0) return html`<p>No supporters yet.</p>`;
  return html`<table><caption>Supporters by branch (branches with fewer than ${v.k} supporters are shown together)</caption>
<thead><tr><th scope="col">Branch</th><th scope="col" class="num">Supporters</th></tr></thead>
<tbody>${v.byBranch.map((b) => html`<tr><td>${b.name}</td><td class="num">${b.supporters}</td></tr>`)}</tbody></table>`;
}

/* The member's own page. */

const memberCsrf = (ctx: AppContext, token: string) => ctx.keys.mac('proposal-form', hashSecret(token).toString('hex'));

type Draft = { kind: string; title: string; text: string; options: string };
const EMPTY: Draft = { kind: 'motion', title: '', text: '', options: '' };

function draftForm(csrf: string, token: string, d: Draft): Html {
  return html`<form method="post" action="/p/${token}"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="action" value="draft">
<fieldset><legend>What kind of proposal</legend>
<label class="choice"><input type="radio" name="kind" value="motion"${d.kind !== 'question' ? html` checked` : ''}><span>A motion: members vote Yes or No</span></label>
<label class="choice"><input type="radio" name="kind" value="question"${d.kind === 'question' ? html` checked` : ''}><span>A question with options: each member picks one</span></label>
</fieldset>
<p><label for="title">Title</label><br><input id="title" name="title" type="text" required maxlength="200" value="${d.title}"></p>
<p><label for="text">Text</label><br><span class="hint" id="text-hint">What the members will read on the ballot, in your words. It cannot be changed once you start gathering support.</span><br><textarea id="text" name="text" rows="8" required maxlength="5000" aria-describedby="text-hint">${d.text}</textarea></p>
<p><label for="options">Options (for a question: one on each line)</label><br><textarea id="options" name="options" rows="4">${d.options}</textarea></p>
<button type="submit">Save as a draft</button></form>`;
}

/** A member (not the proposer) writes a case against a proposal; it gathers support like a proposal. */
function caseAgainstForm(csrf: string, token: string, p: ProposalView, text: string | undefined): Html {
  const id = `case-against-${p.id}`;
  return html`<form method="post" action="/p/${token}"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="action" value="against"><input type="hidden" name="proposal" value="${p.id}">
<fieldset><legend>Write the case against “${p.title}”</legend>
<p><label for="${id}">The case against</label><br><span class="hint" id="${id}-hint">At most ${String(STATEMENT_MAX)} characters, the same space as the case for. Saved as your draft; once you start it, it needs the same support as the proposal, and the first case against to gather it goes on the ballot, in place of the office’s. Nobody can change it then, you included.</span><br><textarea id="${id}" name="caseAgainst" rows="6" required maxlength="${String(STATEMENT_MAX)}" aria-describedby="${id}-hint">${text ?? ''}</textarea></p>
<button type="submit" class="secondary">Save the case against as a draft</button></fieldset></form>`;
}

/** The office's own question on a draft ballot: the members' case against it, or the form to write one. */
function officeQuestion(
  csrf: string,
  token: string,
  q: proposals.OfficeQuestionView,
  text: string | undefined,
  mine: Array<ProposalView & { mine: boolean }>,
): Html {
  const id = `question-against-${q.questionId}`;
  const drafted = mine.filter((p) => p.mine && p.question?.questionId === q.questionId);
  return html`<article class="proposal"><h3>${q.title}</h3>
<p class="hint">On the draft ballot “${q.ballotTitle}”.</p>
${q.description ? q.description.split(/\n{2,}/).map((para) => html`<p>${para}</p>`) : ''}
<p>The options:</p><ul>${q.options.map((o) => html`<li>${o}</li>`)}</ul>
${q.caseAgainst ? html`<section class="statement"><h4>The members’ case against</h4><p class="hint">Written by members who gathered the same support (${when(q.caseAgainst.qualifiedAt)}); on the ballot in place of the office’s.</p>${q.caseAgainst.text.split(/\n{2,}/).map((para) => html`<p>${para}</p>`)}</section>` : ''}
${drafted.length ? html`<p>You have written a case against this question: see ${drafted.some((p) => p.stage === 'draft') ? 'your drafts' : 'the proposals'} above.</p>` : ''}
${
  q.caseAgainstOpen
    ? html`<form method="post" action="/p/${token}"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="action" value="against-question"><input type="hidden" name="ballot" value="${q.ballotId}"><input type="hidden" name="question" value="${q.questionId}">
<fieldset><legend>Write the case against “${q.title}”</legend>
<p><label for="${id}">The case against</label><br><span class="hint" id="${id}-hint">At most ${String(STATEMENT_MAX)} characters. Saved as your draft; once you start it, it needs the same support as a members’ proposal, and the first case against to gather it goes on the ballot, in place of the office’s. Nobody can change it then, the office and you included.</span><br><textarea id="${id}" name="caseAgainst" rows="6" required maxlength="${String(STATEMENT_MAX)}" aria-describedby="${id}-hint">${text ?? ''}</textarea></p>
<button type="submit" class="secondary">Save the case against as a draft</button></fieldset></form>`
    : ''
}</article>`;
}

/** An amendment as typed, with what was wrong with one field (`field`: title, text or options). */
type AmendmentDraft = { title: string; text: string; options?: string; field?: string; message?: string };

/** The options typed one a line, as a list (blank lines left out). */
export const linesOf = (text: string) =>
  text
    .split(/\r?\n/)
    .map((o) => o.trim())
    .filter(Boolean);

/**
 * Tabling an amendment to a motion or a question whose amendment period is open. A
 * question's amendment gives the whole option list as amended, prefilled with the
 * question's own. A refused field is marked and its reason given beside it.
 */
function amendmentForm(csrf: string, token: string, p: ProposalView, d: AmendmentDraft | undefined): Html {
  const id = `amend-${p.id}`;
  const question = p.kind === 'question';
  const error = (field: string) =>
    d?.field === field ? html`<br><span class="problem" id="${id}-${field}-error">${d.message ?? ''}</span>` : '';
  const described = (field: string, hint?: string) => {
    const ids = [hint, d?.field === field ? `${id}-${field}-error` : undefined].filter(Boolean).join(' ');
    return html`${ids ? html` aria-describedby="${ids}"` : ''}${d?.field === field ? html` aria-invalid="true"` : ''}`;
  };
  return html`<form method="post" action="/p/${token}" novalidate><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="action" value="amend"><input type="hidden" name="proposal" value="${p.id}">
<fieldset><legend>Table an amendment to “${p.title}”</legend>
<p><label for="${id}-title">The amendment’s title</label>${error('title')}<br><input id="${id}-title" name="amendmentTitle" type="text" required maxlength="${String(AMENDMENT_TITLE_MAX)}" value="${d?.title ?? ''}"${described('title')}></p>
<p><label for="${id}-text">${question ? 'The question’s text as amended' : 'The motion’s whole text as amended'}</label>${error('text')}<br><span class="hint" id="${id}-hint">${question ? html`Keep it as it is to change only the options. With the options, at most ${String(AMENDMENT_TEXT_MAX)} characters: it goes on the ballot word for word.` : html`It replaces the motion’s text: write it in full, at most ${String(AMENDMENT_TEXT_MAX)} characters. It goes on the ballot word for word.`}</span><br><textarea id="${id}-text" name="amendmentText" rows="${question ? '4' : '8'}" required maxlength="${String(AMENDMENT_TEXT_MAX)}"${described('text', `${id}-hint`)}>${d?.text ?? p.text}</textarea></p>
${question ? html`<p><label for="${id}-options">The options as amended, one on each line</label>${error('options')}<br><span class="hint" id="${id}-options-hint">They replace the question’s options: add, remove or reword them. The ballot shows your list beside the question’s own.</span><br><textarea id="${id}-options" name="amendmentOptions" rows="6" required${described('options', `${id}-options-hint`)}>${d?.options ?? (p.options ?? []).join('\n')}</textarea></p>` : ''}
<button type="submit">Save the amendment as a draft</button></fieldset></form>`;
}

/**
 * An amendment to a question, against the question it amends: the options kept, added
 * and removed, and the text if it was reworded.
 */
function optionsDiff(original: NonNullable<ProposalView['amends']>, a: Pick<ProposalView, 'text' | 'options'>): Html {
  const before = original.options ?? [];
  const after = a.options ?? [];
  const removed = before.filter((o) => !after.includes(o));
  return html`<table><caption>The options as amended, against the question’s own</caption><thead><tr><th scope="col">Option</th><th scope="col">Change</th></tr></thead><tbody>
${after.map((o) => html`<tr><td>${before.includes(o) ? o : html`<ins>${o}</ins>`}</td><td>${before.includes(o) ? 'kept' : 'added'}</td></tr>`)}
${removed.map((o) => html`<tr><td><del>${o}</del></td><td>removed</td></tr>`)}
</tbody></table>
${a.text === original.text ? html`<p class="hint">The question’s text is unchanged.</p>` : html`<p>The question’s text is reworded; it was: “${original.text}”.</p>`}`;
}

/** The proposer's case for, shown beside the question on the ballot and in the same space as the case against. */
function caseForForm(csrf: string, token: string, p: ProposalView): Html {
  const id = `case-for-${p.id}`;
  return html`<form method="post" action="/p/${token}"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="action" value="case-for"><input type="hidden" name="proposal" value="${p.id}">
<p><label for="${id}">The case for “${p.title}”</label><br><span class="hint" id="${id}-hint">Shown on the ballot beside the case against, which has the same space: at most ${String(STATEMENT_MAX)} characters. You can change it until the ballot opens.</span><br><textarea id="${id}" name="caseFor" rows="6" maxlength="${String(STATEMENT_MAX)}" aria-describedby="${id}-hint">${p.caseFor ?? ''}</textarea></p>
<button type="submit" class="secondary">Save the case for</button></form>`;
}

async function memberPageHtml(
  ctx: AppContext,
  token: string,
  address: string,
  opts: {
    notice?: string;
    problem?: string;
    draft?: Draft;
    amendment?: AmendmentDraft & { parent: string };
    against?: { parent: string; text: string };
  } = {},
): Promise<string> {
  const m = await proposals.memberPage(ctx, token, address);
  const csrf = memberCsrf(ctx, token);
  const button = (action: string, id: string, label: string) =>
    html`<form method="post" action="/p/${token}"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="action" value="${action}"><input type="hidden" name="proposal" value="${id}"><button type="submit">${label}</button></form>`;
  const drafts = m.proposals.filter((p) => p.stage === 'draft');
  const started = m.proposals.filter((p) => p.stage !== 'draft');
  const canSign = (p: ProposalView) => p.stage !== 'lapsed' && p.closesAt !== null;
  return page({
    title: `${opts.problem ? 'There is a problem: ' : ''}Members’ proposals`,
    site: m.member.organisationName,
    body: html`<h1>Members’ proposals</h1>
<p>You are signed in by your own link as ${m.member.name}, ${m.member.branch} branch. Do not pass the link on.</p>
<p>Elections: <a href="/p/${token}/elections">nominate members</a>.</p>
${opts.notice ? html`<p class="notice" role="status">${opts.notice}</p>` : ''}
${opts.problem ? html`<p class="problem" role="alert">${opts.problem}</p>` : ''}
${m.rules ? html`<p>${rulesText(m.rules)} Who supports a proposal is never shown: only how many in each branch.</p>` : html`<p>The organisation has not set its rules for proposals yet.</p>`}
<h2>Proposals</h2>
${started.length ? started.map((p) => proposalBody(p, 'h3', html`${p.signed ? html`<p class="notice">You support this proposal.</p>` : p.outside ? html`<p>You cannot support it: ${p.outside}.</p>` : canSign(p) ? button('sign', p.id, `Support “${p.title}”`) : ''}${p.mine && (p.kind === 'motion' || p.kind === 'question') ? caseForForm(csrf, token, p) : ''}${p.amendmentsOpen ? amendmentForm(csrf, token, p, opts.amendment?.parent === p.id ? opts.amendment : undefined) : ''}${p.caseAgainstOpen && !p.mine ? caseAgainstForm(csrf, token, p, opts.against?.parent === p.id ? opts.against.text : undefined) : ''}<p><a href="/proposals/${p.id}">Its public page</a></p>`)) : html`<p>No proposals yet.</p>`}
${m.questions.length && m.rules ? html`<h2>The office’s questions on coming ballots</h2><p>The office writes the case against its own questions, unless members write it: a case against that gathers the same support as a members’ proposal goes on the ballot in place of the office’s.</p>${m.questions.map((q) => officeQuestion(csrf, token, q, opts.against?.parent === q.questionId ? opts.against.text : undefined, m.proposals))}` : ''}
${drafts.length ? html`<h2>Your drafts</h2>${drafts.map((p) => proposalBody(p, 'h3', button('start', p.id, `Start gathering support for “${p.title}”`)))}` : ''}
${m.rules ? html`<h2>Put forward a proposal</h2>${draftForm(csrf, token, opts.draft ?? EMPTY)}` : ''}`,
  });
}

function linkForm(csrf: string, error?: string): string {
  return page({
    title: `${error ? 'There is a problem: ' : ''}Your proposals link`,
    body: html`<h1>Your proposals link</h1><p>Members put forward proposals and support them from their own link. Give the email address the organisation has for you, and we send you yours.</p>
${error ? html`<p class="problem" role="alert">${error}</p>` : ''}
<form method="post" action="/proposals/link"><input type="hidden" name="csrf" value="${csrf}">
<p><label for="email">Your email address</label><br><input id="email" name="email" type="email" required autocomplete="email"></p>
<button type="submit">Send me my link</button></form>`,
  });
}

/* Staff. */

/** An agenda order that came back refused: its motion, the order as chosen, and why. */
type AgendaTyped = { id: string; order: string[]; problems: string[] };

/** A motion scheduled with amendments: the agenda's order, as a form while its ballot is a draft. */
function agendaBlock(ctx: AppContext, req: Request, v: ProposalView, a: AgendaView, typed?: AgendaTyped): Html {
  const intro = html`<h4>The agenda’s order</h4>
<p class="hint">The conference’s agenda puts each amendment, in this order, against the text as it stands; the result is computed from members’ rankings. By default the order is the order of tabling. It is fixed with the question when the ballot opens.</p>`;
  const errorId = `agenda-${v.id}-error`;
  const problem = typed
    ? html`<div class="problem" role="alert" id="${errorId}"><p>The order is not declared:</p><ul>${typed.problems.map((m) => html`<li>${m}</li>`)}</ul></div>`
    : '';
  if (!isOrganiser(req.principal!) || !a.editable)
    return html`${intro}${problem}<ol>${a.order.map((x) => html`<li>${x.label}</li>`)}</ol>${a.editable ? '' : html`<p>The ballot has opened: the order is fixed.</p>`}`;
  const chosen = typed?.order ?? a.order.map((x) => x.id);
  const amendments = [...a.order].sort((x, y) => x.label.localeCompare(y.label, 'en', { numeric: true }));
  return html`${intro}<form method="post" action="/proposals/${v.id}/agenda-order" novalidate>${csrfField(ctx, req)}
${problem}
<fieldset${typed ? html` aria-describedby="${errorId}"` : ''}><legend>The order of the amendments to “${v.title}”</legend>
${a.order.map(
  (_, i) =>
    html`<p><label for="agenda-${v.id}-${String(i)}">Step ${String(i + 1)}</label><br><select class="wide" id="agenda-${v.id}-${String(i)}" name="step${String(i)}"${typed ? html` aria-invalid="true"` : ''}>${amendments.map((x) => html`<option value="${x.id}"${x.id === chosen[i] ? html` selected` : ''}>${x.label}</option>`)}</select></p>`,
)}</fieldset>
<button type="submit">Declare this order for “${v.title}”</button></form>`;
}

async function staffHtml(ctx: AppContext, req: Request, agendaTyped?: AgendaTyped): Promise<string> {
  const p = req.principal!;
  const [rules, list, drafts] = await Promise.all([
    proposals.getRules(ctx, p),
    proposals.staffProposals(ctx, p),
    isOrganiser(p) ? ballotsService.listBallots(ctx, p) : Promise.resolve([]),
  ]);
  const agendas = new Map<string, AgendaView>();
  for (const v of list.filter((x) => (x.kind === 'motion' || x.kind === 'question') && x.stage === 'scheduled')) {
    const a = await proposals.agendaOf(ctx, p, v.id);
    if (a) agendas.set(v.id, a);
  }
  const agenda = (v: ProposalView) => {
    const a = agendas.get(v.id);
    return a ? agendaBlock(ctx, req, v, a, agendaTyped?.id === v.id ? agendaTyped : undefined) : '';
  };
  const draftBallots = drafts.filter((b) => b.status === 'draft');
  const r = rules.inForce;
  const schedule = (v: ProposalView) =>
    isOrganiser(p) && (v.stage === 'qualified' || v.stage === 'overdue')
      ? draftBallots.length
        ? postButton(ctx, req, `/proposals/${v.id}/schedule`, `Put “${v.title}” on this ballot`, {
            fields: html`<p><label for="ballot-${v.id}">Draft ballot</label><br><select id="ballot-${v.id}" name="ballotId">${draftBallots.map((b) => html`<option value="${b.id}">${b.title}</option>`)}</select></p>`,
          })
        : html`<p>Create a draft ballot to put it on.</p>`
      : '';
  const num = (id: string, label: string, value: number | null, hint: string) =>
    html`<p><label for="${id}">${label}</label><br><span class="hint" id="${id}-hint">${hint}</span><br><input id="${id}" name="${id}" type="text" inputmode="decimal" value="${value === null ? '' : String(value)}" aria-describedby="${id}-hint"></p>`;
  return staffPage(ctx, req, {
    title: 'Members’ proposals',
    body: html`<h1>Members’ proposals</h1>
<p>Members put forward proposals and support them from their own links. A proposal that reaches the rules qualifies by itself. The office can then only put it on a ballot, in its own words, within the set time: it cannot reword it or withdraw it.</p>
<h2>The rules</h2>
${r ? html`<p>${rulesText(r)} Branches with fewer than ${r.k} supporters are shown together. Set ${when(r.setAt)} by ${r.setBy}.</p>` : html`<p>No rules yet: members cannot put forward proposals until you set them.</p>`}
${
  isOrganiser(p)
    ? html`<form method="post" action="/proposals/rules">${csrfField(ctx, req)}
${num('sharePercent', 'Share of members (%)', r?.sharePercent ?? null, 'Leave empty for no such threshold.')}
${num('minBranches', 'Supporters in at least this many branches', r?.minBranches ?? null, 'Leave empty for no such threshold.')}
<fieldset><legend>With both thresholds</legend>
<label class="choice"><input type="radio" name="combine" value="either"${r?.combine !== 'both' ? html` checked` : ''}><span>Either one is enough</span></label>
<label class="choice"><input type="radio" name="combine" value="both"${r?.combine === 'both' ? html` checked` : ''}><span>Both are needed</span></label></fieldset>
${num('windowDays', 'Days to gather support', r?.windowDays ?? 42, 'From when the proposer starts it.')}
${num('scheduleDays', 'Days the office has to put a qualified proposal on a ballot', r?.scheduleDays ?? 30, 'After that its public page says it is overdue.')}
${num('k', 'Show branches with fewer supporters than this together', r?.k ?? 5, 'As results pool small branches.')}
${num('amendmentDays', 'Days to table amendments once a motion qualifies', r?.amendmentDays ?? null, 'Leave empty to take no amendments. The office’s time to put the motion on a ballot starts when they close.')}
<p class="hint">New rules apply to proposals started from now on; each proposal is judged by the rules in force when it started. Every change is in the audit log.</p>
<button type="submit">Set the rules</button></form>
${postButton(ctx, req, '/proposals/links', 'Mail every member their proposals link', { cls: 'secondary' })}`
    : ''
}
<h2>Proposals</h2>
${list.length ? list.map((v) => proposalBody(v, 'h3', html`<p><a href="/proposals/${v.id}">Its public page</a></p>${schedule(v)}${agenda(v)}`)) : html`<p>No proposals yet.</p>`}`,
  });
}

/** The rules form: numbers as typed, an empty field a threshold not set. */
const rulesForm = z.preprocess((raw) => {
  const f = (raw ?? {}) as Record<string, string | undefined>;
  const n = (v: string | undefined) => (v === undefined || v.trim() === '' ? null : Number(v));
  return {
    sharePercent: n(f.sharePercent),
    minBranches: n(f.minBranches),
    combine: f.combine ?? 'either',
    windowDays: n(f.windowDays),
    scheduleDays: n(f.scheduleDays),
    k: n(f.k) ?? 5,
    amendmentDays: n(f.amendmentDays),
  };
}, proposalRulesSchema);

export function proposalPageRoutes(ctx: AppContext): PageRoute[] {
  /** Runs a member's action and shows their page again, with what happened (never a redirect: the token is in the path). */
  const memberAction = async (req: Request, res: Response) => {
    voterHeaders(res);
    const token = String(req.params.token);
    const address = clientAddress(req);
    const body = (req.body ?? {}) as Record<string, string>;
    if (body.csrf !== memberCsrf(ctx, token) || req.headers['sec-fetch-site'] === 'cross-site') {
      return void res
        .status(403)
        .type('html')
        .send(
          page({
            title: 'This form has expired',
            body: html`<h1>This form has expired</h1><p class="problem">Go back, reload the page and try again.</p>`,
          }),
        );
    }
    const isId = (v: unknown): v is string => typeof v === 'string' && idParams.shape.id.safeParse(v).success;
    const id = isId(body.proposal) ? body.proposal : '';
    const draft: Draft = {
      kind: body.kind === 'question' ? 'question' : 'motion',
      title: body.title ?? '',
      text: body.text ?? '',
      options: body.options ?? '',
    };
    try {
      let notice: string;
      let status = 200;
      if (body.action === 'draft') {
        const parsed = proposalInputSchema.safeParse({
          kind: draft.kind,
          title: draft.title,
          text: draft.text,
          ...(draft.kind === 'question' ? { options: linesOf(draft.options) } : {}),
        });
        if (!parsed.success) {
          const i = parsed.error.issues[0]!;
          const problem = `${String(i.path[0] ?? 'proposal')}: ${i.message}`;
          return void res
            .status(422)
            .type('html')
            .send(await memberPageHtml(ctx, token, address, { problem, draft }));
        }
        await proposals.draftProposal(ctx, token, address, parsed.data);
        notice = 'Your draft is saved. Read it again, then start gathering support: its wording is then fixed.';
        status = 201;
      } else if (body.action === 'amend' && id) {
        const amendment = {
          title: body.amendmentTitle ?? '',
          text: body.amendmentText ?? '',
          parent: id,
          ...(body.amendmentOptions === undefined ? {} : { options: body.amendmentOptions }),
        };
        const refused = async (field: string, message: string) => {
          const name = field === 'text' ? 'text' : field === 'options' ? 'options' : 'title';
          const problem = `The amendment’s ${name}: ${message}`;
          res
            .status(422)
            .type('html')
            .send(
              await memberPageHtml(ctx, token, address, {
                problem,
                amendment: { ...amendment, field: name, message },
              }),
            );
        };
        const parsed = amendmentInputSchema.safeParse({
          title: amendment.title,
          text: amendment.text,
          ...(amendment.options === undefined ? {} : { options: linesOf(amendment.options) }),
        });
        if (!parsed.success) {
          const i = parsed.error.issues[0]!;
          return void (await refused(String(i.path[0] ?? 'title'), i.message));
        }
        try {
          await proposals.draftAmendment(ctx, token, address, id, parsed.data);
        } catch (err) {
          if (err instanceof ServiceError && err.kind === 'invalid' && err.issues[0])
            return void (await refused(String(err.issues[0].path), err.issues[0].message));
          throw err;
        }
        notice =
          'Your amendment is saved as a draft. Read it again, then start gathering support: its wording is then fixed.';
        status = 201;
      } else if (body.action === 'against' && id) {
        const against = { parent: id, text: body.caseAgainst ?? '' };
        const text = statementText.safeParse(against.text);
        if (!text.success)
          return void res
            .status(422)
            .type('html')
            .send(
              await memberPageHtml(ctx, token, address, {
                problem: `The case against: ${text.error.issues[0]!.message}`,
                against,
              }),
            );
        await proposals.draftCaseAgainst(ctx, token, address, id, text.data);
        notice =
          'Your case against is saved as a draft. Read it again, then start gathering support: its wording is then fixed.';
        status = 201;
      } else if (body.action === 'against-question' && isId(body.ballot) && isId(body.question)) {
        const against = { parent: body.question, text: body.caseAgainst ?? '' };
        const text = statementText.safeParse(against.text);
        if (!text.success)
          return void res
            .status(422)
            .type('html')
            .send(
              await memberPageHtml(ctx, token, address, {
                problem: `The case against: ${text.error.issues[0]!.message}`,
                against,
              }),
            );
        await proposals.draftCaseAgainstQuestion(ctx, token, address, body.ballot, body.question, text.data);
        notice =
          'Your case against is saved as a draft. Read it again, then start gathering support: its wording is then fixed.';
        status = 201;
      } else if (body.action === 'start' && id) {
        await proposals.startProposal(ctx, token, address, id);
        notice = 'Your proposal is gathering support. You are its first supporter.';
      } else if (body.action === 'case-for' && id) {
        const text = statementText.safeParse(body.caseFor ?? '');
        if (!text.success)
          return void res
            .status(422)
            .type('html')
            .send(
              await memberPageHtml(ctx, token, address, { problem: `The case for: ${text.error.issues[0]!.message}` }),
            );
        await proposals.setCaseFor(ctx, token, address, id, text.data);
        notice = 'The case for is saved.';
      } else if (body.action === 'sign' && id) {
        await proposals.signProposal(ctx, token, address, id);
        notice = 'You support this proposal. Nobody can see who supports it; only the number in each branch.';
        status = 201;
      } else {
        return void res
          .status(422)
          .type('html')
          .send(await memberPageHtml(ctx, token, address, { problem: 'Choose what to do.' }));
      }
      res
        .status(status)
        .type('html')
        .send(await memberPageHtml(ctx, token, address, { notice }));
    } catch (err) {
      if (!(err instanceof ServiceError) || err.kind === 'not-found' || err.kind === 'rate-limited') throw err;
      res
        .status(err.kind === 'conflict' ? 409 : 422)
        .type('html')
        .send(await memberPageHtml(ctx, token, address, { problem: err.message, draft }));
    }
  };

  return [
    ...linkRequestRoutes(ctx, {
      path: '/proposals/link',
      what: 'their proposals link',
      form: linkForm,
      badEmail: 'Give an email address, such as name@example.org.',
      request: (email, address) => proposals.requestProposalLink(ctx, email, address),
      done: () =>
        page({
          title: 'Your proposals link',
          body: html`<h1>Your proposals link</h1><p class="notice">If this address is on the organisation’s roll, your link is on its way. Check your inbox.</p>`,
        }),
    }),
    pageRoute({
      method: 'get',
      path: '/p/:token',
      who: 'voting link',
      summary: "The member's proposals page, by their own link: draft, start and support proposals",
      handler: async ({ req, res }) => {
        voterHeaders(res);
        res.type('html').send(await memberPageHtml(ctx, String(req.params.token), clientAddress(req)));
      },
    }),
    pageRoute({
      method: 'post',
      path: '/p/:token',
      who: 'voting link',
      summary: "The member's proposals page posted back: save a draft, start it, or support a proposal",
      parsers: [express.urlencoded({ extended: false, limit: '100kb' })],
      csrf: { check: 'voting link' },
      handler: ({ req, res }) => memberAction(req, res),
    }),
    pageRoute({
      method: 'get',
      path: '/proposals',
      who: 'roll reader',
      summary: "Members' proposals: the rules, every started proposal, scheduling a qualified one",
      handler: async ({ req, res }) => void res.type('html').send(await staffHtml(ctx, req)),
    }),
    pageRoute({
      method: 'post',
      path: '/proposals/rules',
      who: 'organiser',
      summary: 'Set the rules for proposals',
      form: rulesForm,
      back: () => '/proposals',
      handler: async ({ req, res, principal, form }) =>
        act(
          ctx,
          req,
          res,
          '/proposals',
          () => proposals.setRules(ctx, principal, form),
          '/proposals?done=proposal-rules',
        ),
    }),
    pageRoute({
      method: 'post',
      path: '/proposals/links',
      who: 'organiser',
      summary: 'Mail every member their proposals link',
      back: () => '/proposals',
      handler: async ({ req, res, principal }) =>
        act(
          ctx,
          req,
          res,
          '/proposals',
          () => proposals.sendProposalLinks(ctx, principal),
          '/proposals?done=proposal-links',
        ),
    }),
    pageRoute({
      method: 'post',
      path: '/proposals/:id/schedule',
      who: 'organiser',
      summary: 'Put a qualified proposal on a draft ballot, word for word',
      params: idParams,
      form: z.object({ ballotId: z.uuid({ error: 'choose a draft ballot' }) }),
      back: () => '/proposals',
      handler: async ({ req, res, principal, params, form }) =>
        act(
          ctx,
          req,
          res,
          '/proposals',
          () => proposals.scheduleProposal(ctx, principal, params.id, form.ballotId),
          '/proposals?done=proposal-scheduled',
        ),
    }),
    pageRoute({
      method: 'post',
      path: '/proposals/:id/agenda-order',
      who: 'organiser',
      summary:
        "Declare the order in which the agenda takes a scheduled motion's amendments, while its ballot is a draft",
      params: idParams,
      back: () => '/proposals',
      handler: async ({ req, res, principal, params }) => {
        const f = (req.body ?? {}) as Record<string, unknown>;
        const order: string[] = [];
        for (let i = 0; typeof f[`step${i}`] === 'string'; i++) order.push(f[`step${i}`] as string);
        try {
          await proposals.setAgendaOrder(ctx, principal, params.id, order);
        } catch (err) {
          if (!(err instanceof ServiceError) || err.kind === 'not-found') throw err;
          const problems = err.issues.length ? err.issues.map((i) => `${err.message}: ${i.message}`) : [err.message];
          return void res
            .status(refusalStatus(err))
            .type('html')
            .send(await staffHtml(ctx, req, { id: params.id, order, problems }));
        }
        res.redirect(303, '/proposals?done=agenda-order');
      },
    }),
    pageRoute({
      method: 'get',
      path: '/proposals/:id',
      who: 'anyone',
      summary: 'A started proposal: its wording, stage and support by branch (pooled); never who supported it',
      params: idParams,
      handler: async ({ params, res }) => {
        const v = await proposals.publicProposal(ctx, params.id);
        res.type('html').send(
          page({
            title: `${v.title} · members’ proposal`,
            site: v.organisationName,
            body: html`<p class="hint">A members’ proposal to ${v.organisationName}. Started ${when(v.startedAt)}, judged by the organisation’s rules of ${when(v.rules.setAt)}.</p>
${proposalBody(v, 'h1')}
<h2>Support</h2>${supportTable(v)}
<p><a href="/organisations/${v.organisationId}/proposals">Every proposal to ${v.organisationName}</a></p>`,
          }),
        );
      },
    }),
    pageRoute({
      method: 'get',
      path: '/organisations/:id/proposals',
      who: 'anyone',
      summary: "An organisation's started proposals, for anyone",
      params: idParams,
      handler: async ({ params, res }) => {
        const o = await proposals.publicProposals(ctx, params.id);
        res.type('html').send(
          page({
            title: `Members’ proposals · ${o.organisationName}`,
            site: o.organisationName,
            body: html`<h1>Members’ proposals</h1>
${o.proposals.length ? o.proposals.map((v) => proposalBody(v, 'h2', html`<p><a href="/proposals/${v.id}">Its page and support by branch</a></p>`)) : html`<p>No proposals yet.</p>`}
<p><a href="/proposals/link">Get your own link to put forward or support a proposal</a></p>`,
          }),
        );
      },
    }),
  ];
}

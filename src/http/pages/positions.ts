import express, { type Request } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../services/context';
import { ServiceError } from '../../services/errors';
import * as positions from '../../services/positions';
import * as proposals from '../../services/proposals';
import type { ProposalView } from '../../services/proposals';
import { AMENDMENT_TEXT_MAX, AMENDMENT_TITLE_MAX, amendmentInputSchema } from '@omov/core/domain/proposals';
import type { PositionQuestion, SecretaryBallot } from '../../services/positions';
import { hashSecret } from '../../platform/secrets';
import { clientAddress } from '../auth';
import { type Html, html } from '../html';
import { type PageRoute, pageRoute } from '../page-routes';
import { page } from './layout';
import { act, csrfField, isOrganiser, staffPage, when } from './organiser/common';
import { voterHeaders } from './voting/routes';
import { linesOf } from './proposals';

/**
 * Branch meetings' positions (docs/proposals.md, "Branch positions"), working without JavaScript:
 *   /s/:token        the branch secretary's own page: record the meeting's position and attendance
 *                    on each question of a draft ballot (the token stays in the path, never in a redirect)
 *   /secretaries     staff: the branches' secretaries; organisers name one (a link is mailed)
 */

const secretaryCsrf = (ctx: AppContext, token: string) =>
  ctx.keys.mac('secretary-form', hashSecret(token).toString('hex'));

/** How a recorded position reads. */
export function positionText(position: string | null): string {
  return position === null ? 'took no position' : `supported: ${position}`;
}

const present = (n: number) => `${n} present`;

/** An amended question's versions have no "against" (a question is always answered); an amended motion's variants do. */
const amendedWhat = (q: PositionQuestion) => (q.against === null ? 'question' : 'motion');

/** How a recorded position reads on this question: on an amended motion, for the motion unamended, for an amendment, or against. */
function positionOn(q: PositionQuestion, position: string | null): string {
  if (position === null || !q.amendments) return positionText(position);
  const what = amendedWhat(q);
  if (position === q.unamended)
    return what === 'question'
      ? `supported the question as proposed (${position})`
      : `supported the motion unamended (${position})`;
  if (position === q.against) return `opposed the motion (${position})`;
  return q.amendments.some((a) => a.option === position)
    ? `supported ${position} (the ${what} as this amendment words it)`
    : positionText(position);
}

/** A radio's words: on an amended motion or question each variant says what supporting it means. */
function choiceLabel(q: PositionQuestion, option: string): string {
  if (!q.amendments) return option;
  const what = amendedWhat(q);
  if (option === q.unamended)
    return what === 'question' ? `For the question as proposed (${option})` : `For the motion unamended (${option})`;
  if (option === q.against) return `Against: the motion falls (${option})`;
  return q.amendments.some((a) => a.option === option)
    ? `For ${option} (the ${what} as this amendment words it)`
    : option;
}

function questionForm(csrf: string, token: string, b: SecretaryBallot, q: PositionQuestion): Html {
  const id = `q-${q.id}`;
  const r = q.recorded;
  const radio = (value: string, label: string, checked: boolean, n: number) =>
    html`<label class="choice"><input type="radio" id="${id}-${String(n)}" name="position" value="${value}"${checked ? html` checked` : ''}><span>${label}</span></label>`;
  return html`<form method="post" action="/s/${token}"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="ballot" value="${b.id}"><input type="hidden" name="question" value="${q.id}">
<fieldset><legend>${q.position + 1}. ${q.title}: the meeting’s position</legend>
${
  q.amendments
    ? amendedWhat(q) === 'question'
      ? html`<p class="hint">An amended question: members rank its versions, the question as proposed and as each amendment words it. Your meeting may support one version.</p>`
      : html`<p class="hint">An amended motion: members rank its variants on one question. Your meeting may support the motion unamended, one amendment (the motion as it words it), or oppose the motion.</p>`
    : ''
}
${q.options.map((o, i) => radio(o, choiceLabel(q, o), r?.position === o, i))}
${radio('', 'No position', r !== undefined && r.position === null, q.options.length)}
</fieldset>
<p><label for="${id}-attendance">How many attended the meeting</label><br><input id="${id}-attendance" name="attendance" type="text" inputmode="numeric" required value="${r ? String(r.attendance) : ''}"></p>
<button type="submit">Record the position on “${q.title}”</button></form>`;
}

/** Tabling an amendment for the branch to a motion or a question whose amendment period is open. */
function amendmentForm(csrf: string, token: string, branch: string, m: ProposalView): Html {
  const id = `amend-${m.id}`;
  if (m.kind === 'question')
    return html`<form method="post" action="/s/${token}"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="action" value="amend"><input type="hidden" name="motion" value="${m.id}">
<fieldset><legend>Table an amendment to “${m.title}” for ${branch} branch</legend>
<p><label for="${id}-title">The amendment’s title</label><br><input id="${id}-title" name="amendmentTitle" type="text" required maxlength="${String(AMENDMENT_TITLE_MAX)}"></p>
<p><label for="${id}-text">The question’s text as amended</label><br><span class="hint" id="${id}-hint">Keep it as it is to change only the options. With the options, at most ${String(AMENDMENT_TEXT_MAX)} characters. It starts gathering support at once, needs the same support from members as a member’s amendment, and cannot be changed.</span><br><textarea id="${id}-text" name="amendmentText" rows="4" required maxlength="${String(AMENDMENT_TEXT_MAX)}" aria-describedby="${id}-hint">${m.text}</textarea></p>
<p><label for="${id}-options">The options as amended, one on each line</label><br><span class="hint" id="${id}-options-hint">They replace the question’s options: add, remove or reword them.</span><br><textarea id="${id}-options" name="amendmentOptions" rows="6" required aria-describedby="${id}-options-hint">${(m.options ?? []).join('\n')}</textarea></p>
<button type="submit">Table the amendment for ${branch} branch</button></fieldset></form>`;
  return html`<form method="post" action="/s/${token}"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="action" value="amend"><input type="hidden" name="motion" value="${m.id}">
<fieldset><legend>Table an amendment to “${m.title}” for ${branch} branch</legend>
<p><label for="${id}-title">The amendment’s title</label><br><input id="${id}-title" name="amendmentTitle" type="text" required maxlength="${String(AMENDMENT_TITLE_MAX)}"></p>
<p><label for="${id}-text">The motion’s whole text as amended</label><br><span class="hint" id="${id}-hint">It replaces the motion’s text: write it in full, at most ${String(AMENDMENT_TEXT_MAX)} characters. It starts gathering support at once, needs the same support from members as a member’s amendment, and cannot be changed.</span><br><textarea id="${id}-text" name="amendmentText" rows="8" required maxlength="${String(AMENDMENT_TEXT_MAX)}" aria-describedby="${id}-hint">${m.text}</textarea></p>
<button type="submit">Table the amendment for ${branch} branch</button></fieldset></form>`;
}

function recordedLine(q: PositionQuestion): Html {
  return html`<li>${q.position + 1}. ${q.title}: ${q.recorded ? html`the meeting (${present(q.recorded.attendance)}) ${positionOn(q, q.recorded.position)}` : 'nothing recorded'}</li>`;
}

async function secretaryHtml(
  ctx: AppContext,
  token: string,
  address: string,
  opts: { notice?: string | ((s: positions.SecretaryPage) => string); problem?: string } = {},
): Promise<string> {
  const s = await positions.secretaryPage(ctx, token, address);
  const notice = typeof opts.notice === 'function' ? opts.notice(s) : opts.notice;
  const amendments = await proposals.secretaryAmendments(ctx, token, address);
  const csrf = secretaryCsrf(ctx, token);
  const drafts = s.ballots.filter((b) => b.open);
  const fixed = s.ballots.filter((b) => !b.open);
  return page({
    title: `${opts.problem ? 'There is a problem: ' : ''}${s.secretary.branch} branch: meeting positions`,
    site: s.secretary.organisationName,
    body: html`<h1>${s.secretary.branch} branch: meeting positions</h1>
<p>You are signed in by your own link as ${s.secretary.name}, secretary of ${s.secretary.branch} branch. Do not pass the link on.</p>
<p>Elections: <a href="/s/${token}/elections">nominate members for your branch</a>.</p>
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
${opts.problem ? html`<p class="problem" role="alert">${opts.problem}</p>` : ''}
<p>Record the position your branch meeting adopted on each question, and how many attended. You can change a position until the ballot opens; then it is fixed, your branch’s members see it on their voting page, and the results set it beside their own votes. Every change is in the organisation’s audit log.</p>
<h2>Ballots not yet open</h2>
${drafts.length ? drafts.map((b) => html`<section><h3>${b.title}</h3><p class="hint">Opens ${when(b.opensAt)}.</p>${b.questions.map((q) => questionForm(csrf, token, b, q))}</section>`) : html`<p>No ballot is being prepared.</p>`}
${fixed.length ? html`<h2>Open ballots (positions fixed)</h2>${fixed.map((b) => html`<section><h3>${b.title}</h3><ul>${b.questions.map(recordedLine)}</ul></section>`)}` : ''}
<h2>Amendments from the branch</h2>
<p>While members may table amendments to a motion, you may table one on behalf of your branch, as your branch meeting decided. It needs members’ support like any amendment.</p>
${amendments.open.length ? amendments.open.map((m) => html`<section><h3>${m.title}</h3><p class="hint">Amendments until ${when(m.amendmentsCloseAt)}. <a href="/proposals/${m.id}">The ${m.kind === 'question' ? 'question' : 'motion'}’s public page</a></p>${amendmentForm(csrf, token, s.secretary.branch, m)}</section>`) : html`<p>No motion takes amendments now.</p>`}
${amendments.tabled.length ? html`<h3>Tabled by ${s.secretary.branch} branch</h3><ul>${amendments.tabled.map((a) => html`<li><a href="/proposals/${a.id}">${a.title}</a>: ${a.supporters} supporters in ${a.branches} branches (${a.stage})</li>`)}</ul>` : ''}`,
  });
}

async function staffHtml(ctx: AppContext, req: Request): Promise<string> {
  const p = req.principal!;
  const list = await positions.listSecretaries(ctx, p);
  return staffPage(ctx, req, {
    title: 'Branch secretaries',
    body: html`<h1>Branch secretaries</h1>
<p>A branch’s secretary records the position its branch meeting adopted on each question of a ballot before it opens, and the meeting’s attendance, from a personal link sent by email. Only they can record or change their branch’s positions, and nobody can once the ballot opens.</p>
${
  list.length
    ? html`<table><caption>Secretaries</caption><thead><tr><th scope="col">Branch</th><th scope="col">Secretary</th><th scope="col">Email</th><th scope="col">Named</th><th scope="col">Link works until</th>${isOrganiser(p) ? html`<th scope="col"><span class="sr-only">Withdraw</span></th>` : ''}</tr></thead>
<tbody>${list.map(
        (s) =>
          html`<tr><td>${s.branch}</td><td>${s.name}</td><td>${s.email}</td><td>${when(s.namedAt)} by ${s.namedBy}</td><td>${s.linkExpiresAt.getTime() <= Date.now() ? html`<strong>expired</strong> ${when(s.linkExpiresAt)}` : when(s.linkExpiresAt)}</td>${
            isOrganiser(p)
              ? html`<td><form method="post" action="/secretaries/withdraw">${csrfField(ctx, req)}<input type="hidden" name="branch" value="${s.branch}"><button type="submit" class="small secondary">Withdraw<span class="sr-only"> ${s.name}, secretary of ${s.branch}</span></button></form></td>`
              : ''
          }</tr>`,
      )}</tbody></table>
<p class="hint">A secretary’s link works for ${ctx.config.secretaryLinkDays} days after they are named; name them again for a new one. Withdrawing a secretary stops their link at once; the positions they recorded stay.</p>`
    : html`<p>No secretary is named yet.</p>`
}
${
  isOrganiser(p)
    ? html`<h2>Name a secretary</h2><form method="post" action="/secretaries">${csrfField(ctx, req)}
<p><label for="branch">Branch</label><br><input id="branch" name="branch" type="text" required></p>
<p><label for="name">Name</label><br><input id="name" name="name" type="text" required autocomplete="off"></p>
<p><label for="email">Email address</label><br><input id="email" name="email" type="email" required autocomplete="off"></p>
<p class="hint">They are mailed a new link; a link mailed before for the branch stops working.</p>
<button type="submit">Name the secretary and mail the link</button></form>`
    : ''
}`,
  });
}

const nameForm = z.object({
  branch: z.string().trim().min(1, { error: 'give the branch' }),
  name: z.string().trim().min(1, { error: 'give the secretary’s name' }).max(200),
  email: z.email({ error: 'give an email address, such as name@example.org' }),
});

export function positionPageRoutes(ctx: AppContext): PageRoute[] {
  return [
    pageRoute({
      method: 'get',
      path: '/s/:token',
      who: 'voting link',
      summary: "The branch secretary's page, by their own link: record the branch meeting's positions",
      handler: async ({ req, res }) => {
        voterHeaders(res);
        res.type('html').send(await secretaryHtml(ctx, String(req.params.token), clientAddress(req)));
      },
    }),
    pageRoute({
      method: 'post',
      path: '/s/:token',
      who: 'voting link',
      summary:
        "The branch secretary's page posted back: record one question's position and attendance, or table an amendment for the branch",
      parsers: [express.urlencoded({ extended: false, limit: '100kb' })],
      csrf: { check: 'voting link' },
      handler: async ({ req, res }) => {
        voterHeaders(res);
        const token = String(req.params.token);
        const address = clientAddress(req);
        const body = (req.body ?? {}) as Record<string, string | undefined>;
        if (body.csrf !== secretaryCsrf(ctx, token) || req.headers['sec-fetch-site'] === 'cross-site') {
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
        const problem = async (status: number, text: string) =>
          void res
            .status(status)
            .type('html')
            .send(await secretaryHtml(ctx, token, address, { problem: text }));
        if (body.action === 'amend') {
          const motion = z.uuid().safeParse(body.motion);
          if (!motion.success) return problem(422, 'Choose a motion.');
          const parsed = amendmentInputSchema.safeParse({
            title: body.amendmentTitle ?? '',
            text: body.amendmentText ?? '',
            ...(body.amendmentOptions === undefined ? {} : { options: linesOf(body.amendmentOptions) }),
          });
          const field = (path: unknown) => (path === 'text' ? 'text' : path === 'options' ? 'options' : 'title');
          if (!parsed.success) {
            const i = parsed.error.issues[0]!;
            return problem(422, `The amendment’s ${field(i.path[0])}: ${i.message}`);
          }
          try {
            const a = await proposals.tableBranchAmendment(ctx, token, address, motion.data, parsed.data);
            return void res
              .status(201)
              .type('html')
              .send(
                await secretaryHtml(ctx, token, address, {
                  notice: `Tabled for the branch: “${a.title}”. It is gathering members’ support.`,
                }),
              );
          } catch (err) {
            if (!(err instanceof ServiceError) || err.kind === 'rate-limited') throw err;
            if (err.kind === 'not-found' && err.message.startsWith('this branch secretary link')) throw err;
            if (err.kind === 'invalid' && err.issues[0])
              return problem(422, `The amendment’s ${field(err.issues[0].path)}: ${err.issues[0].message}`);
            return problem(err.kind === 'conflict' ? 409 : err.kind === 'not-found' ? 404 : 422, err.message);
          }
        }
        const ids = z.object({ ballot: z.uuid(), question: z.uuid() }).safeParse(body);
        if (!ids.success) return problem(422, 'Choose a question.');
        if (body.position === undefined) return problem(422, 'Choose the meeting’s position, or “No position”.');
        const attendance = (body.attendance ?? '').trim();
        if (!/^\d{1,7}$/.test(attendance))
          return problem(422, 'How many attended the meeting: give a whole number, such as 23.');
        try {
          const r = await positions.recordPosition(ctx, token, address, {
            ballotId: ids.data.ballot,
            questionId: ids.data.question,
            position: body.position === '' ? null : body.position,
            attendance: Number(attendance),
          });
          res
            .status(200)
            .type('html')
            .send(
              await secretaryHtml(ctx, token, address, {
                notice: (page) => {
                  const q = page.ballots.flatMap((b) => b.questions).find((x) => x.id === r.questionId);
                  return `Recorded: the meeting (${present(r.attendance)}) ${q ? positionOn(q, r.position) : positionText(r.position)}.`;
                },
              }),
            );
        } catch (err) {
          if (!(err instanceof ServiceError) || err.kind === 'rate-limited') throw err;
          if (err.kind === 'not-found' && err.message.startsWith('this branch secretary link')) throw err;
          return problem(err.kind === 'conflict' ? 409 : err.kind === 'not-found' ? 404 : 422, err.message);
        }
      },
    }),
    pageRoute({
      method: 'get',
      path: '/secretaries',
      who: 'roll reader',
      summary: "The branches' secretaries; organisers name one",
      handler: async ({ req, res }) => void res.type('html').send(await staffHtml(ctx, req)),
    }),
    pageRoute({
      method: 'post',
      path: '/secretaries',
      who: 'organiser',
      summary: "Name a branch's secretary and mail them their link",
      form: nameForm,
      back: () => '/secretaries',
      handler: async ({ req, res, principal, form }) =>
        act(
          ctx,
          req,
          res,
          '/secretaries',
          () => positions.nameSecretary(ctx, principal, form),
          '/secretaries?done=branch-secretary',
        ),
    }),
    pageRoute({
      method: 'post',
      path: '/secretaries/withdraw',
      who: 'organiser',
      summary: "Withdraw a branch's secretary: their link stops working",
      form: z.object({ branch: z.string().trim().min(1, { error: 'give the branch' }) }),
      back: () => '/secretaries',
      handler: async ({ req, res, principal, form }) =>
        act(
          ctx,
          req,
          res,
          '/secretaries',
          () => positions.withdrawSecretary(ctx, principal, form.branch),
          '/secretaries?done=secretary-withdrawn',
        ),
    }),
  ];
}

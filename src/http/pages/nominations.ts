import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../services/context';
import { ServiceError } from '../../services/errors';
import * as nominations from '../../services/nominations';
import type { ElectionView, NominatorPage, NomineePage } from '../../services/nominations';
import { hashSecret } from '../../platform/secrets';
import { clientAddress } from '../auth';
import { type Html, html } from '../html';
import { type PageRoute, pageRoute } from '../page-routes';
import { page } from './layout';
import { when } from './organiser/common';
import { voterHeaders } from './voting/routes';

/**
 * Elections with nominations (docs/elections.md, "Nominations"), working without JavaScript:
 *   /elections/:id          anyone: the election, who stands, their statements and counts (pooled)
 *   /p/:token/elections     a member, by their proposals link: nominate
 *   /s/:token/elections     a branch secretary, by their link: nominate for the branch
 *   /n/:token               a nominee, by their link: accept (statement, groups) or decline
 * Tokens stay in the path, never in a redirect; the pages send no-store and no-referrer.
 */

const idParams = z.object({ id: z.uuid() });
const formCsrf = (ctx: AppContext, purpose: string, token: string) =>
  ctx.keys.mac(purpose, hashSecret(token).toString('hex'));

export const STAGE_WORDS: Record<ElectionView['stage'], string> = {
  upcoming: 'Nominations are not open yet',
  open: 'Nominations are open',
  closed: 'Nominations have closed',
  scheduled: 'On a ballot',
};

/** The STV rules an election's question is counted by, as its pages name them. */
export const RULES_WORDS: Record<ElectionView['rules'], string> = {
  scottish: 'Scottish STV rules (2007)',
  meek: 'Meek’s rules',
  ers97: 'ERS97 rules (Electoral Reform Society)',
};

function thresholdText(e: ElectionView): string {
  const parts = [
    e.threshold.members === null
      ? null
      : `${e.threshold.members} ${e.threshold.members === 1 ? 'member’s nomination' : 'members’ nominations'}`,
    e.threshold.branches === null
      ? null
      : `the nominations of ${e.threshold.branches} branch${e.threshold.branches === 1 ? '' : 'es'} (through their secretaries)`,
  ].filter((x): x is string => x !== null);
  return parts.join(e.threshold.combine === 'both' ? ' and ' : ' or ');
}

function groupText(g: ElectionView['groups'][number]): string {
  const bounds = [
    g.min !== undefined ? `at least ${g.min}` : null,
    g.max !== undefined ? `at most ${g.max}` : null,
  ].filter(Boolean);
  return `${g.group}: ${bounds.join(' and ')} seat${(g.max ?? g.min) === 1 ? '' : 's'}`;
}

/** A statement as the nominee wrote it: paragraphs at blank lines, line breaks kept within them. */
const paragraphs = (text: string): Html[] =>
  text
    .split(/\n{2,}/)
    .filter((p) => p.trim() !== '')
    .map((p) => html`<p class="lines">${p.trim()}</p>`);

/** The election: its rules and the nominees who accepted (no one who nominated is ever named). */
function electionBody(
  e: ElectionView,
  heading: 'h1' | 'h2',
  extra: (n: ElectionView['nominees'][number]) => Html | string = () => '',
): Html {
  const title = heading === 'h1' ? html`<h1>${e.title}</h1>` : html`<h2>${e.title}</h2>`;
  const sub = heading === 'h1' ? 'h2' : 'h3';
  const h = (text: string) => (sub === 'h2' ? html`<h2>${text}</h2>` : html`<h3>${text}</h3>`);
  return html`<article>${title}
<p><strong>${STAGE_WORDS[e.stage]}.</strong> An election of ${e.seats} to the committee by single transferable vote, counted by the ${RULES_WORDS[e.rules]}. Nominations open ${when(e.opensAt)} and close ${when(e.closesAt)}.</p>
${e.description ? html`<p>${e.description}</p>` : ''}
<p>A nominee stands when they accept and have ${thresholdText(e)}.</p>
${e.groups.length ? html`<p>Balance rules: ${e.groups.map(groupText).join('; ')}. Candidates declare their groups when they accept.</p>` : ''}
${h('Nominees who accepted')}
${
  e.nominees.length
    ? html`<ul class="nominees">${e.nominees.map(
        (
          n,
        ) => html`<li><p><strong>${n.name}</strong> (${n.branch})${n.groups.length ? html`, ${n.groups.join(', ')}` : ''}: ${String(n.members)} ${n.members === 1 ? 'member’s' : 'members’'} nominations${n.branches ? html`, nominated by ${n.nominatingBranches.join(', ')}` : ''}. ${n.reaches ? 'Reaches the threshold.' : 'Does not reach the threshold yet.'}</p>
${n.statement ? html`<blockquote>${paragraphs(n.statement)}</blockquote>` : ''}${extra(n)}</li>`,
      )}</ul>`
    : html`<p>No nominee has accepted yet.</p>`
}
<p class="hint">${String(e.pending)} nominee${e.pending === 1 ? ' has' : 's have'} not answered yet; ${String(e.declined)} declined. Members’ nominations are counted per branch, and branches with fewer than ${String(e.k)} are counted together; who nominated is never shown.</p>
${e.candidates ? html`${h('The candidates on the ballot, in the order drawn')}<ol>${e.candidates.map((c) => html`<li>${c.label}</li>`)}</ol><p class="hint">Drawn by lot from the seed ${e.orderSeed ?? ''} (committed in the audit log).</p>` : ''}
</article>`;
}

/* The nominator's page: a member, or a branch secretary. */

async function nominatorHtml(
  ctx: AppContext,
  kind: 'p' | 's',
  token: string,
  address: string,
  opts: { notice?: string; problem?: string } = {},
): Promise<string> {
  const v: NominatorPage =
    kind === 'p'
      ? await nominations.memberElections(ctx, token, address)
      : await nominations.branchElections(ctx, token, address);
  const csrf = formCsrf(ctx, `nominate-form-${kind}`, token);
  const action = `/${kind}/${token}/elections`;
  const branch = v.who.kind === 'branch';
  const heading = branch ? `${v.who.branch} branch: nominations` : 'Nominations';
  const form = (e: ElectionView & { nominated: string[] }) =>
    e.stage === 'open'
      ? html`<form method="post" action="${action}"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="election" value="${e.id}">
<p><label for="email-${e.id}">Nominate a member for “${e.title}”: their email address, as the roll has it</label><br><input id="email-${e.id}" name="email" type="email" required autocomplete="off"></p>
<p class="hint">They are mailed a link to accept or decline. ${branch ? 'A branch’s nomination is public.' : 'Who nominated them is never shown.'}</p>
<button type="submit">Nominate</button></form>`
      : '';
  const second = (e: ElectionView & { nominated: string[] }) => (n: ElectionView['nominees'][number]) =>
    e.nominated.includes(n.id)
      ? html`<p class="notice">${branch ? 'Your branch' : 'You'} nominated ${n.name}.</p>`
      : e.stage === 'open'
        ? html`<form method="post" action="${action}"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="election" value="${e.id}"><input type="hidden" name="nominee" value="${n.id}"><button type="submit">Nominate ${n.name}</button></form>`
        : '';
  return page({
    title: `${opts.problem ? 'There is a problem: ' : ''}${heading}`,
    site: v.who.organisationName,
    body: html`<h1>${heading}</h1>
<p>You are signed in by your own link as ${v.who.name}${branch ? html`, secretary of ${v.who.branch} branch` : html` (${v.who.branch})`}. Do not pass the link on.</p>
${opts.notice ? html`<p class="notice" role="status">${opts.notice}</p>` : ''}
${opts.problem ? html`<p class="problem" role="alert">${opts.problem}</p>` : ''}
<p>${branch ? 'Nominate, for your branch, the members your branch meeting chose: once each.' : 'You may nominate any member, once each.'} A nominee stands when they accept and have enough nominations.</p>
${v.elections.length ? v.elections.map((e) => html`<section>${electionBody(e, 'h2', second(e))}${form(e)}</section>`) : html`<p>There is no election.</p>`}`,
  });
}

/* The nominee's page. */

async function nomineeHtml(
  ctx: AppContext,
  token: string,
  address: string,
  opts: { notice?: string; problem?: string; given?: { statement?: string; groups?: string[] } } = {},
): Promise<string> {
  const v: NomineePage = await nominations.nomineePage(ctx, token, address);
  const e = v.election;
  const csrf = formCsrf(ctx, 'nominee-form', token);
  const statement = opts.given?.statement ?? v.nominee.statement ?? '';
  const groups = opts.given?.groups ?? v.nominee.groups;
  const status = {
    pending: 'You have not answered yet.',
    accepted: 'You have accepted: you stand if your nominations reach the threshold when nominations close.',
    declined: 'You have declined.',
  }[v.nominee.status];
  return page({
    title: `${opts.problem ? 'There is a problem: ' : ''}Your nomination: ${e.title}`,
    site: e.organisationName,
    body: html`<h1>Your nomination: ${e.title}</h1>
<p>You are signed in by your own link as ${v.nominee.name} (${v.nominee.branch}). Do not pass the link on.</p>
${opts.notice ? html`<p class="notice" role="status">${opts.notice}</p>` : ''}
${opts.problem ? html`<p class="problem" role="alert">${opts.problem}</p>` : ''}
<p>You have been nominated by ${String(v.nominee.members)} member${v.nominee.members === 1 ? '' : 's'}${v.nominee.branches ? html` and ${String(v.nominee.branches)} branch${v.nominee.branches === 1 ? '' : 'es'}` : ''}. To stand you need ${thresholdText(e)}. Nominations close ${when(e.closesAt)}.</p>
<p><strong>${status}</strong></p>
${
  v.open
    ? html`<form method="post" action="/n/${token}"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="answer" value="accept">
<h2>Accept</h2>
<p><label for="statement">Your statement to the members (at most ${String(e.statementMax)} characters): it is shown beside your name on the ballot</label><br><span class="hint" id="statement-hint">Leave a blank line between paragraphs: they are kept.</span><br><textarea aria-describedby="statement-hint" id="statement" name="statement" rows="8" cols="60" maxlength="${String(e.statementMax)}" required>${statement}</textarea></p>
${
  e.groups.length
    ? html`<fieldset><legend>The groups you are in, for the balance rules (${e.groups.map(groupText).join('; ')})</legend>
${e.groups.map((g, i) => html`<label class="choice"><input type="checkbox" id="group-${String(i)}" name="groups" value="${g.group}"${groups.includes(g.group) ? html` checked` : ''}><span>${g.group}</span></label>`)}
</fieldset>`
    : ''
}
<button type="submit">Accept the nomination</button></form>
<form method="post" action="/n/${token}"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="answer" value="decline">
<h2>Decline</h2><p>You can change your answer until nominations close.</p>
<button type="submit">Decline the nomination</button></form>`
    : html`<p>Nominations have closed: your answer can no longer change.</p>`
}
<h2>The election</h2>
${electionBody(e, 'h2')}`,
  });
}

function expired(res: Response): void {
  res
    .status(403)
    .type('html')
    .send(
      page({
        title: 'This form has expired',
        body: html`<h1>This form has expired</h1><p class="problem">Go back, reload the page and try again.</p>`,
      }),
    );
}

const statusOf = (err: ServiceError) =>
  err.kind === 'conflict' ? 409 : err.kind === 'not-found' ? 404 : err.kind === 'forbidden' ? 403 : 422;

export function nominationPageRoutes(ctx: AppContext): PageRoute[] {
  const nominatorPost = (kind: 'p' | 's') => async (req: Request, res: Response) => {
    voterHeaders(res);
    const token = String(req.params.token);
    const address = clientAddress(req);
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    if (body.csrf !== formCsrf(ctx, `nominate-form-${kind}`, token) || req.headers['sec-fetch-site'] === 'cross-site')
      return expired(res);
    const problem = async (status: number, text: string) =>
      void res
        .status(status)
        .type('html')
        .send(await nominatorHtml(ctx, kind, token, address, { problem: text }));
    const election = z.uuid().safeParse(body.election);
    if (!election.success) return problem(422, 'Choose an election.');
    const nomineeId = body.nominee ? z.uuid().safeParse(body.nominee) : undefined;
    const email = (body.email ?? '').trim();
    if (!nomineeId?.success && !z.email().safeParse(email).success)
      return problem(422, 'Give the member’s email address, such as name@example.org.');
    const target = nomineeId?.success ? { nomineeId: nomineeId.data } : { email };
    try {
      const act = kind === 'p' ? nominations.nominateAsMember : nominations.nominateAsBranch;
      const r = await act(ctx, token, address, election.data, target);
      res
        .status(200)
        .type('html')
        .send(
          await nominatorHtml(ctx, kind, token, address, {
            notice: `You nominated ${r.name}.${r.isNew ? ' They are mailed a link to accept or decline.' : ''}`,
          }),
        );
    } catch (err) {
      if (!(err instanceof ServiceError) || err.kind === 'rate-limited') throw err;
      if (err.kind === 'not-found' && err.message.includes('link')) throw err;
      return problem(statusOf(err), err.issues[0]?.message ?? err.message);
    }
  };
  return [
    pageRoute({
      method: 'get',
      path: '/elections/:id',
      who: 'anyone',
      summary:
        'An election with nominations: its rules, the nominees who accepted, their statements and counts (pooled); never who nominated',
      params: idParams,
      handler: async ({ params, res }) => {
        const e = await nominations.publicElection(ctx, params.id);
        res
          .type('html')
          .send(page({ title: `${e.title} · nominations`, site: e.organisationName, body: electionBody(e, 'h1') }));
      },
    }),
    ...(['p', 's'] as const).flatMap((kind) => [
      pageRoute({
        method: 'get',
        path: `/${kind}/:token/elections`,
        who: 'voting link',
        summary:
          kind === 'p'
            ? "A member's nominations page, by their proposals link: nominate members, once each"
            : "A branch secretary's nominations page, by their link: nominate for the branch",
        handler: async ({ req, res }) => {
          voterHeaders(res);
          res.type('html').send(await nominatorHtml(ctx, kind, String(req.params.token), clientAddress(req)));
        },
      }),
      pageRoute({
        method: 'post',
        path: `/${kind}/:token/elections`,
        who: 'voting link',
        summary: kind === 'p' ? "A member's nomination, posted" : "A branch's nomination, posted by its secretary",
        parsers: [express.urlencoded({ extended: false, limit: '100kb' })],
        csrf: { check: 'voting link' },
        handler: ({ req, res }) => nominatorPost(kind)(req, res),
      }),
    ]),
    pageRoute({
      method: 'get',
      path: '/n/:token',
      who: 'voting link',
      summary: "The nominee's page, by their own link: accept (with a statement and groups) or decline",
      handler: async ({ req, res }) => {
        voterHeaders(res);
        res.type('html').send(await nomineeHtml(ctx, String(req.params.token), clientAddress(req)));
      },
    }),
    pageRoute({
      method: 'post',
      path: '/n/:token',
      who: 'voting link',
      summary: "The nominee's answer, posted",
      parsers: [express.urlencoded({ extended: true, limit: '100kb' })],
      csrf: { check: 'voting link' },
      handler: async ({ req, res }) => {
        voterHeaders(res);
        const token = String(req.params.token);
        const address = clientAddress(req);
        const body = (req.body ?? {}) as Record<string, string | string[] | undefined>;
        if (body.csrf !== formCsrf(ctx, 'nominee-form', token) || req.headers['sec-fetch-site'] === 'cross-site')
          return expired(res);
        const accept = body.answer === 'accept';
        const statement = typeof body.statement === 'string' ? body.statement : '';
        const groups = ([] as string[]).concat(body.groups ?? []).filter((g) => typeof g === 'string');
        try {
          await nominations.answerNomination(ctx, token, address, { accept, statement, groups });
          res
            .status(200)
            .type('html')
            .send(
              await nomineeHtml(ctx, token, address, {
                notice: accept ? 'You have accepted the nomination. Thank you.' : 'You have declined the nomination.',
              }),
            );
        } catch (err) {
          if (!(err instanceof ServiceError) || err.kind === 'rate-limited') throw err;
          if (err.kind === 'not-found') throw err;
          res
            .status(statusOf(err))
            .type('html')
            .send(
              await nomineeHtml(ctx, token, address, {
                problem: err.issues.length ? err.issues.map((i) => `${i.path}: ${i.message}`).join('; ') : err.message,
                given: { statement, groups },
              }),
            );
        }
      },
    }),
  ];
}

import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Question } from '@omov/core/domain/ballot';
import { STATEMENT_MAX, type StatementSide, statementText } from '@omov/core/domain/proposals';
import type { Principal } from '../../../data/organisations';
import * as ballotsService from '../../../services/ballots';
import type { AppContext } from '../../../services/context';
import { ServiceError } from '../../../services/errors';
import * as proposals from '../../../services/proposals';
import type { StatementSlot } from '../../../services/proposals';
import { type Html, html } from '../../html';
import { type PageRoute, pageRoute, uuid } from '../../page-routes';
import { header } from './ballot';
import {
  addIssue,
  bodyOf,
  csrfField,
  errorSummary,
  type FieldIssues,
  fieldError,
  isOrganiser,
  refusalStatus,
  staffPage,
} from './common';

/**
 * A ballot's statements (docs/proposals.md, "The case for and the case against"), working
 * without JavaScript:
 *   /ballots/:id/statements            staff: each question's case for and against, with who writes each
 *   /ballots/:id/statements/:qid       organisers: the office writes a question's statements while the
 *                                      ballot is a draft (the same service as the API); a refusal comes
 *                                      back on the page with what was typed
 */

const SIDES = ['for', 'against'] as const;
const MAX = STATEMENT_MAX.toLocaleString('en-GB');

/** A form that came back: its question, what was typed, and what is wrong. */
type Typed = {
  qid: string;
  values: Partial<Record<StatementSide, string>>;
  issues: FieldIssues;
  general: string[];
  status: number;
};

const sideName = (side: StatementSide) => (side === 'for' ? 'The case for' : 'The case against');
const fieldId = (side: StatementSide, qid: string) => `${side}-${qid}`;
const paragraphs = (text: string) => text.split(/\n{2,}/).map((para) => html`<p>${para}</p>`);

/** Who writes this side, in words: why the office may or may not. */
function writerText(side: StatementSide, slot: StatementSlot): Html {
  if (slot.writer === 'proposers')
    return html`Written by the proposers of the member’s proposal “<a href="/proposals/${slot.proposal!.id}">${slot.proposal!.title}</a>”, from their own page, until the ballot opens. The office cannot write it: the case for a member’s proposal is its proposers’.`;
  if (slot.writer === 'members')
    return html`Written by a group of members who gathered the same support as a proposal needs (<a href="/proposals/${slot.caseId!}">their case against</a>). The first members’ case against to qualify stands: the office cannot write over it or remove it.`;
  return side === 'against'
    ? html`Written by the office, unless members write it: a members’ case against that gathers the same support as a proposal needs takes its place.`
    : html`Written by the office.`;
}

/** One side: read-only (with who wrote it), or the office's field. */
function sideBlock(
  side: StatementSide,
  q: { id: string; title: string },
  slot: StatementSlot,
  writable: boolean,
  issues: FieldIssues,
  typed: string | undefined,
): Html {
  const heading = html`<h3>${sideName(side)}</h3><p class="hint">${writerText(side, slot)}</p>`;
  if (!writable)
    return html`${heading}${slot.statement ? html`<blockquote>${paragraphs(slot.statement.text)}</blockquote>` : html`<p>None${slot.writer === 'proposers' ? ' yet' : ''}.</p>`}`;
  const id = fieldId(side, q.id);
  const e = fieldError(issues, id);
  return html`${heading}<div class="field"><label for="${id}">${sideName(side)} “${q.title}”</label><br><span class="hint" id="${id}-hint">At most ${MAX} characters; an empty line starts a new paragraph. Leave it empty for none.</span><br>${e.message}
<textarea id="${id}" name="${side}" rows="6"${e.attrs}${issues.get(id) ? '' : html` aria-describedby="${id}-hint"`}>${typed ?? slot.statement?.text ?? ''}</textarea></div>`;
}

/** An election's question: its candidates and their own statements, read-only, and why the office writes none. */
function electionSection(q: Question, election: { id: string; title: string }, i: number): Html {
  return html`<section aria-labelledby="q-${q.id}"><h2 id="q-${q.id}">Question ${String(i + 1)}: ${q.title}</h2>
<p class="hint">The candidates of the election with nominations “<a href="/elections/${election.id}">${election.title}</a>”. Members vote for people here, not for or against a text: each candidate’s own statement, written when they accepted their nomination, is what members read under their name on the voting page. The office writes no case for or against this question, and cannot change the candidates or their statements.</p>
<h3>The candidates and their statements</h3>
<dl>${q.options.map((o) => html`<dt>${o.label}</dt><dd>${o.description ? paragraphs(o.description) : html`<p>No statement.</p>`}</dd>`)}</dl></section>`;
}

async function statementsPage(
  ctx: AppContext,
  req: Request,
  res: Response,
  p: Principal,
  id: string,
  typed?: Typed,
): Promise<void> {
  const b = await ballotsService.getBallot(ctx, p, id);
  const { editable, questions } = await proposals.statementSlots(ctx, p, id);
  const writes = isOrganiser(p) && editable;
  const labels = new Map<string, string>();
  const sections = questions.map(({ question: q, election, ...slots }, i) => {
    if (election) return electionSection(q, election, i);
    const writable = (side: StatementSide) => writes && slots[side].writer === 'office';
    for (const side of SIDES) labels.set(fieldId(side, q.id), `${sideName(side)} “${q.title}”`);
    const mine = typed?.qid === q.id ? typed : undefined;
    const blocks = SIDES.map((side) =>
      sideBlock(side, q, slots[side], writable(side), mine?.issues ?? new Map(), mine?.values[side]),
    );
    return html`<section aria-labelledby="q-${q.id}"><h2 id="q-${q.id}">Question ${String(i + 1)}: ${q.title}</h2>
${
  SIDES.some(writable)
    ? html`<form method="post" action="/ballots/${b.id}/statements/${q.id}" novalidate>${csrfField(ctx, req)}${blocks}
<button type="submit">Save the statements on “${q.title}”</button></form>`
    : blocks
}</section>`;
  });
  res
    .status(typed?.status ?? 200)
    .type('html')
    .send(
      staffPage(ctx, req, {
        title: `${typed ? 'There is a problem: ' : ''}Statements · ${b.title}`,
        body: html`${header(b, 'statements')}
<p>Each question may carry a case for and a case against, at most ${MAX} characters each. Members see both side by side before the questions on the voting page, and in the invitation and the reminders, each with who wrote it.</p>
${
  editable
    ? isOrganiser(p)
      ? html`<p>The office writes them while the ballot is a draft, except where members write them. They are fixed when the ballot opens.</p>`
      : html`<p>The office writes them while the ballot is a draft. Auditors read them here and change nothing.</p>`
    : html`<p><strong>The ballot has opened: its statements are fixed, as members see them.</strong></p>`
}
${typed ? errorSummary(typed.issues, (f) => labels.get(f) ?? f, typed.general) : ''}
${questions.length ? sections : html`<p>This ballot has no questions yet.</p>`}`,
      }),
    );
}

const statementParams = z.object({ id: uuid, qid: uuid });

/** The fields posted, read as the API's body: an empty field removes that side, a side not posted is left alone. */
function readStatements(
  qid: string,
  f: Record<string, string>,
): { body: Partial<Record<StatementSide, string | null>>; values: Typed['values']; issues: FieldIssues } {
  const body: Partial<Record<StatementSide, string | null>> = {};
  const values: Typed['values'] = {};
  const issues: FieldIssues = new Map();
  for (const side of SIDES) {
    const v = f[side];
    if (v === undefined) continue;
    values[side] = v;
    if (v.trim() === '') {
      body[side] = null;
      continue;
    }
    const parsed = statementText.safeParse(v);
    if (parsed.success) body[side] = parsed.data;
    else
      addIssue(
        issues,
        fieldId(side, qid),
        v.trim().length > STATEMENT_MAX
          ? `it is ${v.trim().length.toLocaleString('en-GB')} characters long: at most ${MAX}`
          : (parsed.error.issues[0]?.message ?? 'not a statement'),
      );
  }
  return { body, values, issues };
}

export function statementPageRoutes(ctx: AppContext): PageRoute[] {
  return [
    pageRoute({
      method: 'get',
      path: '/ballots/:id/statements',
      who: 'staff',
      summary: "A ballot's case for and against each question, with who writes each; organisers write the office's",
      params: z.object({ id: uuid }),
      handler: ({ req, res, params, principal: p }) => statementsPage(ctx, req, res, p, params.id),
    }),
    pageRoute({
      method: 'post',
      path: '/ballots/:id/statements/:qid',
      who: 'organiser',
      summary: "The office writes a question's case for and/or against while the ballot is a draft",
      params: statementParams,
      back: ({ id }) => `/ballots/${id}/statements`,
      handler: async ({ req, res, params: { id, qid }, principal: p }) => {
        const { body, values, issues } = readStatements(qid, bodyOf(req));
        const again = (status: number, general: string[], found = issues) =>
          statementsPage(ctx, req, res, p, id, { qid, values, issues: found, general, status });
        if (issues.size) return again(422, []);
        try {
          await proposals.setStatements(ctx, p, id, qid, body);
        } catch (err) {
          if (!(err instanceof ServiceError) || err.kind === 'not-found') throw err;
          return again(refusalStatus(err), [err.message], new Map());
        }
        res.redirect(303, `/ballots/${id}/statements?done=statements-saved`);
      },
    }),
  ];
}

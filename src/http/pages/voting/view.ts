import { closingTime } from '@omov/core/domain/lifecycle';
import type { Answer, Question } from '@omov/core/domain/ballot';
import { type AnswerKind, methodOf } from '@omov/core/methods/index';
import { formatTime } from '@omov/core/domain/zones';
import { drawOrder } from '@omov/core/tally/lot';
import type { AppContext } from '../../../services/context';
import type { Statements } from '../../../services/proposals';
import { statementOrder } from '@omov/core/domain/proposals';
import { memberBranchPositions } from '../../../services/positions';
import { positionWords } from '@omov/core/domain/positions';
import { paperSeed } from '../../../services/questions';
import type { BallotForVoter, viewLink } from '../../../services/voting';
import { type Html, html, raw } from '../../html';
import { messages as t, scriptTexts } from '../../messages';
import { page } from '../layout';
import {
  abstainId,
  csrfFor,
  field,
  firstOf,
  type FormValues,
  hiddenInputs,
  inputId,
  leftBlank,
  maxMarks,
  maxScore,
  rankField,
  valuesOf,
} from './form';

/**
 * What the member sees: the ballot paper (also the organiser's preview), the review of
 * their answers, the receipt, and the pages that say why a link cannot vote.
 */

export const naturalOrder = (q: Question) => q.options.map((_, i) => i);

const SIDE_HEADING = { for: 'The case for', against: 'The case against' } as const;
const AUTHOR = { office: 'the office', proposers: 'the proposers', members: 'a group of members' } as const;

/**
 * The case for and against each question that has them, side by side, in an order drawn
 * for each member from their link (as the options' order is), the same each time they look.
 */
export function statementsBlock(questions: Question[], statements: Statements, seed: string): Html {
  const withAny = questions.filter((q) => Object.keys(statements.get(q.id) ?? {}).length > 0);
  if (withAny.length === 0) return html``;
  return html`<section class="statements" aria-labelledby="statements-heading"><h2 id="statements-heading">The case for and against</h2>
${withAny.map((q) => {
  const s = statements.get(q.id)!;
  const sides = statementOrder(seed, q.id).filter((side) => s[side]);
  return html`<h3>${q.position + 1}. ${q.title}</h3><div class="sides">${sides.map((side) => html`<div class="side"><h4>${SIDE_HEADING[side]}</h4>${s[side]!.text.split(/\n{2,}/).map((para) => html`<p>${para}</p>`)}<p class="hint">Written by ${AUTHOR[s[side]!.author]}.</p></div>`)}</div>`;
})}
</section>`;
}

/**
 * The member's own branch meeting's position on each question it took one on, recorded by
 * the branch's secretary before the ballot opened: "Your branch meeting (Leeds, 23 present)
 * supported: Yes". Nothing when the branch recorded none.
 */
export function branchPositionsBlock(questions: Question[], branch: string): Html {
  const found = memberBranchPositions(questions, branch);
  if (found.length === 0) return html``;
  return html`<section class="branch-positions" aria-labelledby="branch-positions-heading"><h2 id="branch-positions-heading">Your branch meeting</h2>
<ul>${found.map((f) => html`<li><strong>${f.question.position + 1}. ${f.question.title}</strong>: Your branch meeting (${branch}, ${String(f.attendance)} present) ${positionWords(f.question, f.position)}${f.position === null ? '.' : ''}</li>`)}</ul>
<p class="hint">Your vote is your own: you may vote as your branch meeting decided or otherwise. Nobody sees how you vote.</p></section>`;
}

/**
 * The order a member sees a question's options in. With randomiseOptions each member has
 * their own order (against ballot-order bias), the same on every visit: drawn from a MAC of
 * their link, which nobody can link back to a vote. Yes/no questions keep Yes, No.
 */
export function optionOrder(
  ctx: AppContext,
  token: string,
  b: Pick<BallotForVoter, 'randomiseOptions'>,
): (q: Question) => number[] {
  if (!b.randomiseOptions) return naturalOrder;
  const seed = paperSeed(ctx.keys, token);
  return (q) => (methodOf(q.method).motion ? naturalOrder(q) : drawOrder(naturalOrder(q), seed, q.id));
}

function kindHint(q: Question, kind: AnswerKind): string {
  const seats = methodOf(q.method).seats(q.settings);
  const elect = seats > 1 ? ` ${t.toElect(seats)}` : '';
  switch (kind) {
    case 'choice':
      return t.chooseOne;
    case 'marks':
      return `${t.markUpTo(maxMarks(q))}${elect}`;
    case 'ranking':
      return `${t.rankHint}${elect}`;
    case 'scores':
      return `${t.scoreHint(maxScore(q))}${elect}`;
  }
}

/** A question's inputs in three parts, so that its options can be put in any order between head and tail. */
export type QuestionParts = { head: string; options: string[]; tail: string };

export function questionParts(q: Question, form: FormValues, problem: string | undefined): QuestionParts {
  const kind = methodOf(q.method).answer;
  const name = field(q);
  const hintId = `hint_${q.position}`;
  const errId = `err_${q.position}`;
  const describedBy = problem ? `${errId} ${hintId}` : hintId;
  const given = valuesOf(form, name);
  const abstaining = given.includes('abstain');
  // An option's description keeps its line breaks (a candidate's statement, in paragraphs).
  const optionText = (o: Question['options'][number]) =>
    html`${o.label}${o.description ? html`<span class="hint lines"> ${o.description}</span>` : ''}`;
  // Each option keeps its own index as its value, whatever place it is shown in.
  let options: Html[];
  if (kind === 'choice' || kind === 'marks') {
    const type = kind === 'choice' ? 'radio' : 'checkbox';
    options = q.options.map(
      (o, i) =>
        html`<label class="choice"><input type="${type}" id="${inputId(q, i)}" name="${name}" value="${i}"${given.includes(String(i)) ? html` checked` : ''} aria-describedby="${describedBy}"><span>${optionText(o)}</span></label>`,
    );
  } else {
    const isRank = kind === 'ranking';
    const values = isRank
      ? Array.from({ length: q.options.length }, (_, i) => i + 1)
      : Array.from({ length: maxScore(q) + 1 }, (_, i) => i);
    options = q.options.map((o, i) => {
      const current = firstOf(form, rankField(q, i));
      return html`<div class="rank"><select id="${inputId(q, i)}" name="${rankField(q, i)}" aria-describedby="${describedBy}">
<option value="">${isRank ? t.notRanked : t.noScore}</option>${values.map((v) => html`<option value="${v}"${current === String(v) ? html` selected` : ''}>${v}</option>`)}
</select><label for="${inputId(q, i)}">${optionText(o)}</label></div>`;
    });
  }
  // A radio group takes its abstention as one more radio; elsewhere a checkbox that can be unticked without JavaScript.
  const abstainType = kind === 'choice' ? 'radio' : 'checkbox';
  const head = html`<fieldset id="q_${q.position}" data-kind="${kind}"${kind === 'marks' ? html` data-max="${maxMarks(q)}"` : ''}>
<legend>${q.position + 1}. ${q.title}</legend>
${q.description ? html`<p>${q.description}</p>` : ''}
${problem ? html`<p class="error" id="${errId}">${problem}</p>` : ''}
<p class="hint" id="${hintId}">${kindHint(q, kind)}</p>
`;
  const tail = html`
<label class="choice"><input type="${abstainType}" id="${abstainId(q)}" name="${name}" value="abstain"${abstaining ? html` checked` : ''}><span>${kind === 'choice' ? t.abstain : t.abstainMany}</span></label>
</fieldset>`;
  return { head: head.value, options: options.map((h) => h.value), tail: tail.value };
}

function questionInputs(q: Question, form: FormValues, problem: string | undefined, order: number[]): Html {
  const p = questionParts(q, form, problem);
  return raw(p.head + order.map((i) => p.options[i]!).join('') + p.tail);
}

/** What the ballot paper needs to know of its ballot (a member's view, or an organiser's preview). */
export type PaperBallot = Pick<
  BallotForVoter,
  'title' | 'description' | 'closesAt' | 'closedAt' | 'timeZone' | 'questions'
>;

export function ballotHeader(b: Pick<BallotForVoter, 'title' | 'description'>): Html {
  return html`<h1>${b.title}</h1>${b.description ? html`<p>${b.description}</p>` : ''}`;
}

/** The element that loads the enhancement script (tap-to-rank, marking limits) in a page's head. */
export const VOTE_SCRIPT = html`<script src="/assets/vote.js" defer></script>`;

/**
 * The ballot paper: heading, closing time, problems, every question and the review button.
 * The member's page posts it with its csrf field; the organiser's preview (no link, no
 * vote) shows the very same markup with a form of its own. Put VOTE_SCRIPT in the head.
 */
export function ballotPaperBody(
  b: PaperBallot,
  form: { method: 'post'; csrf: string; statements?: Html } | { method: 'get'; action: string },
  values: FormValues = {},
  problems: Map<string, string> = new Map(),
  orderOf: (q: Question) => number[] = naturalOrder,
  questionHtml: (q: Question) => Html = (q) => questionInputs(q, values, problems.get(q.id), orderOf(q)),
): Html {
  const firstInput = (q: Question) => {
    const first = orderOf(q)[0];
    return first === undefined ? abstainId(q) : inputId(q, first);
  };
  return html`${ballotHeader(b)}
<p class="notice">${t.closesAt(formatTime(closingTime(b), b.timeZone))}</p>
<h2>${t.stepPaper}</h2>
<p class="hint">${t.paperIntro}</p>
${problems.size ? html`<div class="problem" role="alert"><p><strong>${t.formProblems}</strong></p><ul>${b.questions.filter((q) => problems.has(q.id)).map((q) => html`<li><a href="#${firstInput(q)}">${q.position + 1}. ${q.title}</a>: ${problems.get(q.id)}</li>`)}${[...problems].filter(([key]) => !b.questions.some((q) => q.id === key)).map(([, p]) => html`<li>${p}</li>`)}</ul></div>` : ''}
${
  form.method === 'post'
    ? html`<form method="post" id="ballot" data-texts="${JSON.stringify(scriptTexts(t))}">
<input type="hidden" name="csrf" value="${form.csrf}">${form.statements ?? ''}`
    : html`<form method="get" action="${form.action}" id="ballot" data-texts="${JSON.stringify(scriptTexts(t))}">`
}
${b.questions.map(questionHtml)}
<button type="submit" name="step" value="review">${t.review}</button>
</form>`;
}

function describeAnswer(q: Question, a: Answer, blank: boolean): Html {
  const label = (i: number) => q.options[i]?.label ?? '?';
  switch (a.kind) {
    case 'abstain':
      return html`${blank ? t.leftBlank : t.abstained}`;
    case 'choice':
      return html`<strong>${label(a.option)}</strong>`;
    case 'marks':
      return html`<ul>${a.options.map((o) => html`<li><strong>${label(o)}</strong></li>`)}</ul>`;
    case 'ranking':
      return html`<ol>${a.options.map((o) => html`<li><strong>${label(o)}</strong></li>`)}</ol>`;
    case 'scores':
      return html`<ul>${a.scores.map((s, i) => html`<li>${label(i)}: <strong>${s === null ? t.noScoreGiven : String(s)}</strong></li>`)}</ul>`;
  }
}

export function reviewPage(
  ctx: AppContext,
  token: string,
  b: BallotForVoter,
  answers: Record<string, Answer>,
  form: FormValues,
): string {
  return page({
    title: `${t.reviewTitle}: ${b.title}`,
    site: b.organisationName,
    body: html`${ballotHeader(b)}
<h2>${t.stepReview}</h2>
<p class="notice">${t.reviewTitle}. ${t.reviewHint}</p>
<dl>
${b.questions.map(
  (q) => html`<dt><strong>${q.position + 1}. ${q.title}</strong></dt>
<dd>${describeAnswer(q, answers[q.id]!, leftBlank(q, form))}</dd>`,
)}
</dl>
<form method="post">
<input type="hidden" name="csrf" value="${csrfFor(ctx, token)}">
${hiddenInputs(form)}
<div class="actions"><button type="submit" name="step" value="cast">${t.castNow}</button>
<button type="submit" name="step" value="edit" class="secondary">${t.change}</button></div>
</form>`,
  });
}

/** The board's full address, breakable after each / and - so that it wraps on a phone. */
function boardLink(ctx: AppContext, b: BallotForVoter): Html {
  const url = `${ctx.config.publicUrl}/board/${b.id}`;
  const parts = url.split(/(?<=[/-])/);
  return html`<a href="/board/${b.id}">${parts.map((p, i) => html`${i ? html`<wbr>` : ''}${p}`)}</a>`;
}

/** A mailto: address that opens the member's own mail program with the code, the board and the ballot id. */
function receiptMailto(ctx: AppContext, b: BallotForVoter, receipt: string): string {
  const board = `${ctx.config.publicUrl}/board/${b.id}`;
  const subject = encodeURIComponent(t.receiptEmailSubject(b.title));
  const body = encodeURIComponent(t.receiptEmailBody(b.title, receipt, board, b.id));
  return `mailto:?subject=${subject}&body=${body}`;
}

/** The receipt: with the paper's script, copy and print buttons appear (print uses the print stylesheet). */
export function receiptPage(ctx: AppContext, b: BallotForVoter, receipt: string): string {
  return page({
    title: `${t.castTitle}: ${b.title}`,
    site: b.organisationName,
    head: VOTE_SCRIPT,
    body: html`${ballotHeader(b)}
<h2>${t.castTitle}</h2>
<p>${t.receiptIntro}</p>
<p id="receipt-code" class="receipt">${receipt}</p>
<div class="actions" data-receipt-actions hidden><button type="button" class="secondary" data-copy="receipt-code">${t.receiptCopy}</button><button type="button" class="secondary" data-print>${t.receiptPrint}</button><span role="status" data-copied="${t.receiptCopied}"></span></div>
<p class="no-print"><a href="${receiptMailto(ctx, b, receipt)}">${t.receiptEmail}</a></p>
<p>${t.receiptKeep}</p>
<h3>${t.receiptHowTitle}</h3>
<ol>
<li>${t.receiptStepClose(formatTime(closingTime(b), b.timeZone))}</li>
<li>${t.receiptStepBoard}<br>${boardLink(ctx, b)}</li>
<li>${b.receiptPolicy === 'choices' ? t.receiptStepFindChoices : t.receiptStepFindInclusion}</li>
</ol>
<p>${t.receiptMissing}</p>
<p><a href="/report/${b.id}">${t.reportLink}</a></p>
<p class="hint">${t.ballotId(b.id)}</p>`,
  });
}

export function statePage(title: string, paragraphs: Html[], b?: BallotForVoter): string {
  return page({
    title: b ? `${title}: ${b.title}` : title,
    site: b?.organisationName,
    body: b ? html`${ballotHeader(b)}<h2>${title}</h2>${paragraphs}` : html`<h1>${title}</h1>${paragraphs}`,
  });
}

export type Refusal = Exclude<Awaited<ReturnType<typeof viewLink>>['state'], 'open'>;

export function refusalPage(ctx: AppContext, state: Refusal, b?: BallotForVoter): { status: number; body: string } {
  const p = (x: string | Html) => html`<p>${x}</p>`;
  switch (state) {
    case 'unknown':
      return {
        status: 404,
        body: statePage(t.linkUnknownTitle, [
          p(t.linkUnknownBody),
          p(html`<a href="/link">${t.newLinkLink}</a>`),
          p(html`<a href="/report">${t.reportLink}</a>`),
        ]),
      };
    case 'used':
      return {
        status: 409,
        body: statePage(
          t.linkUsedTitle,
          [
            p(t.linkUsedBody),
            ...(b ? [p(html`${t.linkUsedCheck}<br>${boardLink(ctx, b)}`)] : []),
            html`<p class="notice">${t.linkUsedAlarm}</p>`,
            p(html`<a href="/report${b ? `/${b.id}` : ''}">${t.reportLink}</a>`),
          ],
          b,
        ),
      };
    case 'not-yet-open':
      return {
        status: 403,
        body: statePage(
          t.notYetOpenTitle,
          [
            p(t.notYetOpenBody(b ? formatTime(b.opensAt, b.timeZone) : '')),
            ...(b ? [p(t.closesAt(formatTime(closingTime(b), b.timeZone)))] : []),
            p(t.notYetOpenKeep),
          ],
          b,
        ),
      };
    case 'closed':
      return {
        status: 410,
        body: statePage(
          t.closedTitle,
          [
            p(t.closedBody(b ? formatTime(closingTime(b), b.timeZone) : '')),
            ...(b ? [p(html`${t.closedBoard}<br>${boardLink(ctx, b)}`)] : []),
          ],
          b,
        ),
      };
  }
}

import crypto from 'node:crypto';
import type { Request, Response, Router } from 'express';
import express from 'express';
import { ANSWER_KIND, type Answer, type AnswerKind, type Question, settingNumber } from '@omov/core/domain/ballot';
import type { AppContext } from '../../services/context';
import { ServiceError } from '../../services/errors';
import { formatTime } from '@omov/core/domain/zones';
import { type BallotForVoter, CastRefused, cast, checkAnswers, viewLink } from '../../services/voting';
import { hashSecret } from '../../platform/secrets';
import { drawOrder } from '@omov/core/tally/lot';
import { type Html, html, raw } from '../html';
import { messages as t, scriptTexts } from '../messages';
import { page } from './layout';
import { clientAddress } from '../auth';

/**
 * The member's voting pages: GET shows the ballot paper (and never uses the link up);
 * POST "review" shows the answers back; POST "cast" with the confirmation casts. Works
 * without JavaScript: radio buttons, checkboxes, numbered selects. public/vote.js only
 * adds tap-to-rank and a live count of marks. The link's token stays in the path, never
 * in a redirect.
 */

type FormValues = Record<string, string | string[] | undefined>;

/** Form field names: q_N for a question's choice, marks or abstention; q_N_i for option i's rank or score. */
const field = (q: Question) => `q_${q.position}`;
const rankField = (q: Question, o: number) => `q_${q.position}_${o}`;
/** Element ids: q_N_i for option i's input (radio, checkbox or select), q_N_abstain for the abstention. */
const inputId = (q: Question, o: number) => `q_${q.position}_${o}`;
const abstainId = (q: Question) => `q_${q.position}_abstain`;

const SCRIPT = html`<script src="/assets/vote.js" defer></script>`;

function csrfFor(ctx: AppContext, token: string): string {
  return ctx.keys.mac('vote-form', hashSecret(token).toString('hex'));
}

const naturalOrder = (q: Question) => q.options.map((_, i) => i);

/**
 * The order a member sees a question's options in. With randomiseOptions each member has
 * their own order (against ballot-order bias), the same on every visit: drawn from a MAC of
 * their link, which nobody can link back to a vote. Yes/no questions keep Yes, No.
 */
function optionOrder(
  ctx: AppContext,
  token: string,
  b: Pick<BallotForVoter, 'randomiseOptions'>,
): (q: Question) => number[] {
  if (!b.randomiseOptions) return naturalOrder;
  const seed = ctx.keys.mac('option-order', hashSecret(token).toString('hex'));
  return (q) => (q.method === 'yesno' ? naturalOrder(q) : drawOrder(naturalOrder(q), seed, q.id));
}

const valuesOf = (form: FormValues, name: string): string[] => {
  const v = form[name];
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
};
const firstOf = (form: FormValues, name: string): string => valuesOf(form, name)[0] ?? '';

const maxMarks = (q: Question) =>
  q.method === 'block' ? settingNumber(q, 'seats', 1) : settingNumber(q, 'maxMarks', q.options.length);
const maxScore = (q: Question) => settingNumber(q, 'maxScore', 5);

/** Whether the voter gave this question nothing at all (a blank counts as abstaining). */
function leftBlank(q: Question, form: FormValues): boolean {
  if (valuesOf(form, field(q)).some((v) => v !== '')) return false;
  return q.options.every((_, o) => firstOf(form, rankField(q, o)) === '');
}

/**
 * Reads the form into answers; a question left blank is an abstention. Problems are in
 * the voter's words (the message catalogue), keyed by question id.
 */
export function answersFromForm(
  questions: Question[],
  form: FormValues,
): { answers: Record<string, Answer>; problems: Map<string, string> } {
  const answers: Record<string, Answer> = {};
  const problems = new Map<string, string>();
  for (const q of questions) {
    const n = q.options.length;
    const kind = ANSWER_KIND[q.method];
    const raw = valuesOf(form, field(q));
    const abstaining = raw.includes('abstain');
    const integers = (list: string[]) =>
      list
        .filter((v) => v !== '' && v !== 'abstain')
        .map(Number)
        .filter(Number.isInteger);
    if (kind === 'choice') {
      const [choice] = integers(raw);
      // A radio group sends one value: abstaining and choosing cannot both arrive from the page.
      answers[q.id] = abstaining || choice === undefined ? { kind: 'abstain' } : { kind: 'choice', option: choice };
      continue;
    }
    if (kind === 'marks') {
      const marks = integers(raw);
      if (abstaining && marks.length) problems.set(q.id, t.problemAbstainAndAnswer);
      else if (marks.length > maxMarks(q)) problems.set(q.id, t.problemTooManyMarks(maxMarks(q), marks.length));
      answers[q.id] = marks.length && !abstaining ? { kind: 'marks', options: marks } : { kind: 'abstain' };
      continue;
    }
    const given = Array.from({ length: n }, (_, o) => firstOf(form, rankField(q, o)));
    const any = given.some((v) => v !== '');
    if (abstaining && any) problems.set(q.id, t.problemAbstainAndAnswer);
    if (kind === 'ranking') {
      const ranks: Array<[number, number]> = [];
      given.forEach((v, o) => {
        if (v !== '') ranks.push([Number(v), o]);
      });
      const seen = new Map<number, number>();
      for (const [r] of ranks) seen.set(r, (seen.get(r) ?? 0) + 1);
      const dup = [...seen].find(([, c]) => c > 1);
      ranks.sort((a, b) => a[0] - b[0]);
      const gap = ranks.findIndex(([r], i) => r !== i + 1);
      if (!problems.has(q.id) && dup) problems.set(q.id, t.problemRankTwice(dup[0]));
      else if (!problems.has(q.id) && gap >= 0) problems.set(q.id, t.problemRankGap(gap + 1));
      answers[q.id] =
        ranks.length && !abstaining ? { kind: 'ranking', options: ranks.map(([, o]) => o) } : { kind: 'abstain' };
    } else {
      const scores = given.map((v) => (v === '' ? null : Number(v)));
      answers[q.id] = any && !abstaining ? { kind: 'scores', scores } : { kind: 'abstain' };
    }
  }
  // Anything the page itself cannot produce (a tampered form) is still refused, in plain words.
  for (const i of checkAnswers(questions, answers)) {
    const qid = i.path.replace(/^answers\./, '');
    if (!problems.has(qid)) problems.set(qid, t.problemOther(i.message.replace(/^question \d+: /, '')));
  }
  return { answers, problems };
}

function kindHint(q: Question, kind: AnswerKind): string {
  const seats = settingNumber(q, 'seats', 1);
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
type QuestionParts = { head: string; options: string[]; tail: string };

function questionParts(q: Question, form: FormValues, problem: string | undefined): QuestionParts {
  const kind = ANSWER_KIND[q.method];
  const name = field(q);
  const hintId = `hint_${q.position}`;
  const errId = `err_${q.position}`;
  const describedBy = problem ? `${errId} ${hintId}` : hintId;
  const given = valuesOf(form, name);
  const abstaining = given.includes('abstain');
  const optionText = (o: Question['options'][number]) =>
    html`${o.label}${o.description ? html`<span class="hint"> ${o.description}</span>` : ''}`;
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
export type PaperBallot = Pick<BallotForVoter, 'title' | 'description' | 'closesAt' | 'timeZone' | 'questions'>;

function ballotHeader(b: Pick<BallotForVoter, 'title' | 'description'>): Html {
  return html`<h1>${b.title}</h1>${b.description ? html`<p>${b.description}</p>` : ''}`;
}

/** The element that loads the enhancement script (tap-to-rank, marking limits) in a page's head. */
export const VOTE_SCRIPT = SCRIPT;

/**
 * The ballot paper: heading, closing time, problems, every question and the review button.
 * The member's page posts it with its csrf field; the organiser's preview (no link, no
 * vote) shows the very same markup with a form of its own. Put VOTE_SCRIPT in the head.
 */
export function ballotPaperBody(
  b: PaperBallot,
  form: { method: 'post'; csrf: string } | { method: 'get'; action: string },
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
<p class="notice">${t.closesAt(formatTime(b.closesAt, b.timeZone))}</p>
<h2>${t.stepPaper}</h2>
<p class="hint">${t.paperIntro}</p>
${problems.size ? html`<div class="problem" role="alert"><p><strong>${t.formProblems}</strong></p><ul>${b.questions.filter((q) => problems.has(q.id)).map((q) => html`<li><a href="#${firstInput(q)}">${q.position + 1}. ${q.title}</a>: ${problems.get(q.id)}</li>`)}</ul></div>` : ''}
${
  form.method === 'post'
    ? html`<form method="post" id="ballot" data-texts="${JSON.stringify(scriptTexts(t))}">
<input type="hidden" name="csrf" value="${form.csrf}">`
    : html`<form method="get" action="${form.action}" id="ballot" data-texts="${JSON.stringify(scriptTexts(t))}">`
}
${b.questions.map(questionHtml)}
<button type="submit" name="step" value="review">${t.review}</button>
</form>`;
}

/**
 * The ballot paper as a member first sees it (nothing filled in) is the same for every
 * member but for the form's csrf value and, where the ballot randomises it, the order of
 * each question's options. So it is built once per ballot as bytes (UTF-8 encoding the
 * whole page took more time than anything else left) in segments around those slots, and
 * a member's page is a MAC and a copy of bytes. Kept with the list of questions (which
 * questionsOf keeps while the ballot is open) and checked against the rest of what the
 * page shows. The slot is a marker no text can contain.
 */
const SLOT = `slot-${crypto.randomUUID()}`;
type PaperTemplate = {
  shows: string;
  /** Around the slots: before the csrf value, then before each question, then the end. */
  segments: Buffer[];
  questions: Array<{ head: Buffer; options: Buffer[]; tail: Buffer }>;
};
const pristinePapers = new WeakMap<Question[], PaperTemplate>();

function pristinePaper(b: BallotForVoter, csrf: string, orderOf: (q: Question) => number[]): Buffer {
  const shows = JSON.stringify([b.id, b.title, b.description, b.closesAt.getTime(), b.timeZone, b.organisationName]);
  let paper = pristinePapers.get(b.questions);
  if (paper?.shows !== shows) {
    const whole = page({
      title: b.title,
      site: b.organisationName,
      head: SCRIPT,
      body: ballotPaperBody(b, { method: 'post', csrf: SLOT }, {}, new Map(), naturalOrder, () => raw(SLOT)),
    });
    const utf8 = (s: string) => Buffer.from(s);
    paper = {
      shows,
      segments: whole.split(SLOT).map(utf8),
      questions: b.questions.map((q) => {
        const p = questionParts(q, {}, undefined);
        return { head: utf8(p.head), options: p.options.map(utf8), tail: utf8(p.tail) };
      }),
    };
    pristinePapers.set(b.questions, paper);
  }
  const parts: Buffer[] = [paper.segments[0]!, Buffer.from(csrf, 'latin1')];
  b.questions.forEach((q, n) => {
    const qp = paper.questions[n]!;
    parts.push(paper.segments[n + 1]!, qp.head, ...orderOf(q).map((i) => qp.options[i]!), qp.tail);
  });
  parts.push(paper.segments[b.questions.length + 1]!);
  return Buffer.concat(parts);
}

function formPage(
  ctx: AppContext,
  token: string,
  b: BallotForVoter,
  form: FormValues,
  problems: Map<string, string>,
): string | Buffer {
  if (problems.size === 0 && Object.keys(form).length === 0)
    return pristinePaper(b, csrfFor(ctx, token), optionOrder(ctx, token, b));
  return page({
    title: `${problems.size ? `${t.formProblems} ` : ''}${b.title}`,
    site: b.organisationName,
    head: SCRIPT,
    body: ballotPaperBody(b, { method: 'post', csrf: csrfFor(ctx, token) }, form, problems, optionOrder(ctx, token, b)),
  });
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

function hiddenInputs(form: FormValues): Html[] {
  const out: Html[] = [];
  for (const [k, v] of Object.entries(form)) {
    if (!/^q_\d+(_\d+)?$/.test(k)) continue;
    for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v])
      out.push(html`<input type="hidden" name="${k}" value="${one}">`);
  }
  return out;
}

function reviewPage(
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

function receiptPage(ctx: AppContext, b: BallotForVoter, receipt: string): string {
  return page({
    title: `${t.castTitle}: ${b.title}`,
    site: b.organisationName,
    body: html`${ballotHeader(b)}
<h2>${t.castTitle}</h2>
<p>${t.receiptIntro}</p>
<p class="receipt">${receipt}</p>
<p>${t.receiptKeep}</p>
<h3>${t.receiptHowTitle}</h3>
<ol>
<li>${t.receiptStepClose(formatTime(b.closesAt, b.timeZone))}</li>
<li>${t.receiptStepBoard}<br>${boardLink(ctx, b)}</li>
<li>${b.receiptPolicy === 'choices' ? t.receiptStepFindChoices : t.receiptStepFindInclusion}</li>
</ol>
<p>${t.receiptMissing}</p>
<p class="hint">${t.ballotId(b.id)}</p>`,
  });
}

function statePage(title: string, paragraphs: Html[], b?: BallotForVoter): string {
  return page({
    title: b ? `${title}: ${b.title}` : title,
    site: b?.organisationName,
    body: b ? html`${ballotHeader(b)}<h2>${title}</h2>${paragraphs}` : html`<h1>${title}</h1>${paragraphs}`,
  });
}

type Refusal = Exclude<Awaited<ReturnType<typeof viewLink>>['state'], 'open'>;

function refusalPage(ctx: AppContext, state: Refusal, b?: BallotForVoter): { status: number; body: string } {
  const p = (x: string | Html) => html`<p>${x}</p>`;
  switch (state) {
    case 'unknown':
      return {
        status: 404,
        body: statePage(t.linkUnknownTitle, [p(t.linkUnknownBody), p(html`<a href="/link">${t.newLinkLink}</a>`)]),
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
            ...(b ? [p(t.closesAt(formatTime(b.closesAt, b.timeZone)))] : []),
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
            p(t.closedBody(b ? formatTime(b.closesAt, b.timeZone) : '')),
            ...(b ? [p(html`${t.closedBoard}<br>${boardLink(ctx, b)}`)] : []),
          ],
          b,
        ),
      };
  }
}

function voterHeaders(res: Response): void {
  // A voting page must not leak its URL (the token) to other sites, nor be cached.
  res.set('Referrer-Policy', 'no-referrer');
  res.set('Cache-Control', 'no-store');
  res.set('X-Robots-Tag', 'noindex');
}

export function mountVotingPages(router: Router, ctx: AppContext): void {
  router.get('/v/:token', async (req: Request, res: Response) => {
    voterHeaders(res);
    const token = String(req.params.token);
    const s = await viewLink(ctx, token, clientAddress(req));
    if (s.state !== 'open') {
      const r = refusalPage(ctx, s.state, 'ballot' in s ? s.ballot : undefined);
      return void res.status(r.status).type('html').send(r.body);
    }
    res.type('html').send(formPage(ctx, token, s.ballot, {}, new Map()));
  });

  router.post(
    '/v/:token',
    express.urlencoded({ extended: false, limit: '100kb' }),
    async (req: Request, res: Response) => {
      voterHeaders(res);
      const token = String(req.params.token);
      const form = (req.body ?? {}) as FormValues;
      const s = await viewLink(ctx, token, clientAddress(req));
      if (s.state !== 'open') {
        const r = refusalPage(ctx, s.state, 'ballot' in s ? s.ballot : undefined);
        return void res.status(r.status).type('html').send(r.body);
      }
      const b = s.ballot;
      if (
        typeof form.csrf !== 'string' ||
        form.csrf !== csrfFor(ctx, token) ||
        req.headers['sec-fetch-site'] === 'cross-site'
      ) {
        return void res
          .status(403)
          .type('html')
          .send(
            statePage(
              t.expiredTitle,
              [html`<p>${t.expiredBody}</p><p><a href="/v/${token}">${t.expiredLink}</a></p>`],
              b,
            ),
          );
      }
      const { answers, problems } = answersFromForm(b.questions, form);
      if (form.step === 'edit' || problems.size) {
        return void res
          .status(problems.size ? 422 : 200)
          .type('html')
          .send(formPage(ctx, token, b, form, problems));
      }
      if (form.step !== 'cast') return void res.type('html').send(reviewPage(ctx, token, b, answers, form));
      try {
        const { receipt } = await cast(ctx, token, answers, clientAddress(req), {
          ballotId: b.id,
          questions: b.questions,
        });
        res
          .status(201)
          .type('html')
          .send(receiptPage(ctx, b, receipt));
      } catch (err) {
        if (err instanceof CastRefused) {
          const r = refusalPage(ctx, err.link, b);
          return void res.status(r.status).type('html').send(r.body);
        }
        if (err instanceof ServiceError && err.kind === 'invalid') {
          const again = new Map(err.issues.map((i) => [i.path.replace(/^answers\./, ''), t.problemOther(i.message)]));
          return void res
            .status(422)
            .type('html')
            .send(formPage(ctx, token, b, form, again));
        }
        throw err;
      }
    },
  );
}

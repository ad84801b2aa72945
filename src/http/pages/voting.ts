import type { Request, Response, Router } from 'express';
import express from 'express';
import { ANSWER_KIND, type Answer, type Question, settingNumber } from '../../domain/ballot';
import type { AppContext } from '../../services/context';
import { ServiceError } from '../../services/errors';
import { formatTime } from '../../services/invitations';
import { type BallotForVoter, CastRefused, cast, checkAnswers, viewLink } from '../../services/voting';
import { hashSecret } from '../../secrets';
import { type Html, html } from '../html';
import { messages as t } from '../messages';
import { page } from './layout';
import { clientAddress } from '../auth';

/**
 * The member's voting pages: GET shows the ballot paper (and never uses the link up);
 * POST "review" shows the answers back; POST "cast" with the confirmation casts. Works
 * without JavaScript. The link's token stays in the path, never in a redirect.
 */

type FormValues = Record<string, string | string[] | undefined>;

const field = (q: Question) => `q_${q.position}`;
const rankField = (q: Question, o: number) => `q_${q.position}_${o}`;

function csrfFor(ctx: AppContext, token: string): string {
  return ctx.keys.mac('vote-form', hashSecret(token).toString('hex'));
}

/** Reads the form into answers; a question left blank is an abstention. */
export function answersFromForm(questions: Question[], form: FormValues): { answers: Record<string, Answer>; problems: Map<string, string> } {
  const answers: Record<string, Answer> = {};
  const problems = new Map<string, string>();
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  for (const q of questions) {
    const n = q.options.length;
    const kind = ANSWER_KIND[q.method];
    const raw = form[field(q)];
    if (one(raw) === 'abstain') { answers[q.id] = { kind: 'abstain' }; continue; }
    if (kind === 'choice') {
      const v = one(raw);
      const i = v === undefined || v === '' ? NaN : Number(v);
      answers[q.id] = Number.isInteger(i) ? { kind: 'choice', option: i } : { kind: 'abstain' };
    } else if (kind === 'marks') {
      const list = (Array.isArray(raw) ? raw : raw ? [raw] : []).map(Number).filter(Number.isInteger);
      answers[q.id] = list.length ? { kind: 'marks', options: list } : { kind: 'abstain' };
    } else if (kind === 'ranking') {
      const ranks: Array<[number, number]> = [];
      for (let o = 0; o < n; o++) {
        const v = one(form[rankField(q, o)]);
        if (v) ranks.push([Number(v), o]);
      }
      const seen = new Map<number, number>();
      for (const [r] of ranks) seen.set(r, (seen.get(r) ?? 0) + 1);
      const dup = [...seen].find(([, c]) => c > 1);
      if (dup) problems.set(q.id, `You gave the number ${dup[0]} to more than one option. Give each number once.`);
      ranks.sort((a, b) => a[0] - b[0]);
      const gap = ranks.findIndex(([r], i) => r !== i + 1);
      if (!dup && gap >= 0) problems.set(q.id, `Number your choices 1, 2, 3… without gaps: number ${gap + 1} is missing.`);
      answers[q.id] = ranks.length ? { kind: 'ranking', options: ranks.map(([, o]) => o) } : { kind: 'abstain' };
    } else {
      const scores: Array<number | null> = [];
      for (let o = 0; o < n; o++) {
        const v = one(form[rankField(q, o)]);
        scores.push(v === undefined || v === '' ? null : Number(v));
      }
      answers[q.id] = scores.some((s) => s !== null) ? { kind: 'scores', scores } : { kind: 'abstain' };
    }
  }
  const issues = checkAnswers(questions, answers);
  for (const i of issues) {
    const qid = i.path.replace(/^answers\./, '');
    if (!problems.has(qid)) problems.set(qid, i.message.replace(/^question \d+: /, ''));
  }
  return { answers, problems };
}

function questionInputs(q: Question, a: Answer | undefined, problem: string | undefined): Html {
  const kind = ANSWER_KIND[q.method];
  const name = field(q);
  const errId = `err_${q.position}`;
  const describedBy = problem ? errId : undefined;
  const abstainChecked = a?.kind === 'abstain';
  let inputs: Html;
  if (kind === 'choice' || kind === 'marks') {
    const chosen = new Set(a?.kind === 'choice' ? [a.option] : a?.kind === 'marks' ? a.options : []);
    const type = kind === 'choice' ? 'radio' : 'checkbox';
    inputs = html`<p class="hint">${kind === 'choice' ? t.chooseOne : t.markUpTo(q.method === 'block' ? settingNumber(q, 'seats', 1) : settingNumber(q, 'maxMarks', q.options.length))}</p>
${q.options.map((o, i) => html`<label class="choice"><input type="${type}" name="${name}" value="${i}"${chosen.has(i) ? html` checked` : ''}${describedBy ? html` aria-describedby="${describedBy}"` : ''}><span>${o.label}${o.description ? html`<br><span class="hint">${o.description}</span>` : ''}</span></label>`)}`;
  } else {
    const isRank = kind === 'ranking';
    const max = isRank ? q.options.length : settingNumber(q, 'maxScore', 5);
    const current = (o: number): string => {
      if (a?.kind === 'ranking') { const r = a.options.indexOf(o); return r < 0 ? '' : String(r + 1); }
      if (a?.kind === 'scores') { const s = a.scores[o]; return s === null || s === undefined ? '' : String(s); }
      return '';
    };
    const values = isRank ? Array.from({ length: max }, (_, i) => i + 1) : Array.from({ length: max + 1 }, (_, i) => i);
    inputs = html`<p class="hint">${isRank ? t.rankHint : t.scoreHint(max)}</p>
${q.options.map((o, i) => html`<div class="rank"><select id="${rankField(q, i)}" name="${rankField(q, i)}"${describedBy ? html` aria-describedby="${describedBy}"` : ''}>
<option value="">${isRank ? t.notRanked : t.noScore}</option>${values.map((v) => html`<option value="${v}"${current(i) === String(v) ? html` selected` : ''}>${v}</option>`)}
</select><label for="${rankField(q, i)}">${o.label}${o.description ? html` <span class="hint">${o.description}</span>` : ''}</label></div>`)}`;
  }
  return html`<fieldset>
<legend>${q.position + 1}. ${q.title}</legend>
${q.description ? html`<p>${q.description}</p>` : ''}
${problem ? html`<p class="error" id="${errId}">${problem}</p>` : ''}
${inputs}
<label class="choice"><input type="${kind === 'marks' ? 'checkbox' : 'radio'}" name="${name}" value="abstain"${abstainChecked ? html` checked` : ''}><span>${t.abstain}</span></label>
</fieldset>`;
}

function ballotHeader(b: BallotForVoter): Html {
  return html`<p class="hint">${b.organisationName}</p><h1>${b.title}</h1>${b.description ? html`<p>${b.description}</p>` : ''}`;
}

function formPage(ctx: AppContext, token: string, b: BallotForVoter, answers: Record<string, Answer>, problems: Map<string, string>): string {
  return page({
    title: b.title, site: b.organisationName,
    body: html`${ballotHeader(b)}
<p class="notice">${t.closesAt(formatTime(b.closesAt))}</p>
${problems.size ? html`<div class="problem" role="alert"><p><strong>${t.formProblems}</strong></p><ul>${b.questions.filter((q) => problems.has(q.id)).map((q) => html`<li><a href="#${rankField(q, 0)}">${q.position + 1}. ${q.title}</a>: ${problems.get(q.id)}</li>`)}</ul></div>` : ''}
<form method="post" action="">
<input type="hidden" name="csrf" value="${csrfFor(ctx, token)}">
${b.questions.map((q) => questionInputs(q, answers[q.id], problems.get(q.id)))}
<button type="submit" name="step" value="review">${t.review}</button>
</form>`,
  });
}

function describeAnswer(q: Question, a: Answer): string {
  const label = (i: number) => q.options[i]?.label ?? '?';
  switch (a.kind) {
    case 'abstain': return t.abstained;
    case 'choice': return label(a.option);
    case 'marks': return a.options.map(label).join(', ');
    case 'ranking': return a.options.map((o, i) => `${i + 1}. ${label(o)}`).join('; ');
    case 'scores': return a.scores.map((s, i) => (s === null ? null : `${label(i)}: ${s}`)).filter(Boolean).join('; ');
  }
}

function hiddenInputs(form: FormValues): Html[] {
  const out: Html[] = [];
  for (const [k, v] of Object.entries(form)) {
    if (!/^q_\d+(_\d+)?$/.test(k)) continue;
    for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) out.push(html`<input type="hidden" name="${k}" value="${one}">`);
  }
  return out;
}

function reviewPage(ctx: AppContext, token: string, b: BallotForVoter, answers: Record<string, Answer>, form: FormValues): string {
  return page({
    title: `${t.reviewTitle}: ${b.title}`, site: b.organisationName,
    body: html`${ballotHeader(b)}
<h2>${t.reviewTitle}</h2>
<table><thead><tr><th scope="col">Question</th><th scope="col">${t.youChose}</th></tr></thead><tbody>
${b.questions.map((q) => html`<tr><td>${q.position + 1}. ${q.title}</td><td>${describeAnswer(q, answers[q.id]!)}</td></tr>`)}
</tbody></table>
<p class="hint">${t.reviewHint}</p>
<form method="post" action="">
<input type="hidden" name="csrf" value="${csrfFor(ctx, token)}">
${hiddenInputs(form)}
<p><button type="submit" name="step" value="cast">${t.castNow}</button></p>
<p><button type="submit" name="step" value="edit" class="secondary">${t.change}</button></p>
</form>`,
  });
}

function statePage(title: string, body: string, site?: string, b?: BallotForVoter): string {
  return page({ title, site, body: html`${b ? ballotHeader(b) : ''}<h2>${title}</h2><p>${body}</p>` });
}

function refusalPage(state: Exclude<Awaited<ReturnType<typeof viewLink>>['state'], 'open'>, b?: BallotForVoter): { status: number; body: string } {
  switch (state) {
    case 'unknown': return { status: 404, body: page({ title: t.linkUnknownTitle, body: html`<h1>${t.linkUnknownTitle}</h1><p>${t.linkUnknownBody}</p><p><a href="/link">${t.newLinkTitle}</a></p>` }) };
    case 'used': return { status: 409, body: statePage(t.linkUsedTitle, t.linkUsedBody, b?.organisationName, b) };
    case 'not-yet-open': return { status: 403, body: statePage(t.notYetOpenTitle, t.notYetOpenBody(b ? formatTime(b.opensAt) : ''), b?.organisationName, b) };
    case 'closed': return { status: 410, body: statePage(t.closedTitle, t.closedBody(b ? formatTime(b.closesAt) : ''), b?.organisationName, b) };
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
      const r = refusalPage(s.state, 'ballot' in s ? s.ballot : undefined);
      return void res.status(r.status).type('html').send(r.body);
    }
    res.type('html').send(formPage(ctx, token, s.ballot, {}, new Map()));
  });

  router.post('/v/:token', express.urlencoded({ extended: false, limit: '100kb' }), async (req: Request, res: Response) => {
    voterHeaders(res);
    const token = String(req.params.token);
    const form = (req.body ?? {}) as FormValues;
    const s = await viewLink(ctx, token, clientAddress(req));
    if (s.state !== 'open') {
      const r = refusalPage(s.state, 'ballot' in s ? s.ballot : undefined);
      return void res.status(r.status).type('html').send(r.body);
    }
    const b = s.ballot;
    if (typeof form.csrf !== 'string' || form.csrf !== csrfFor(ctx, token) || req.headers['sec-fetch-site'] === 'cross-site') {
      return void res.status(403).type('html').send(statePage(t.expired, t.expired, b.organisationName));
    }
    const { answers, problems } = answersFromForm(b.questions, form);
    if (form.step === 'edit' || problems.size) {
      return void res.status(problems.size ? 422 : 200).type('html').send(formPage(ctx, token, b, answers, problems));
    }
    if (form.step !== 'cast') return void res.type('html').send(reviewPage(ctx, token, b, answers, form));
    try {
      const { receipt } = await cast(ctx, token, answers, clientAddress(req), b.questions);
      res.status(201).type('html').send(page({
        title: t.castTitle, site: b.organisationName,
        body: html`${ballotHeader(b)}<h2>${t.castTitle}</h2><p>${t.receiptIntro}</p><p class="receipt">${receipt}</p><p>${t.receiptHow}</p>`,
      }));
    } catch (err) {
      if (err instanceof CastRefused) {
        const r = refusalPage(err.link, b);
        return void res.status(r.status).type('html').send(r.body);
      }
      if (err instanceof ServiceError && err.kind === 'invalid') {
        const again = new Map(err.issues.map((i) => [i.path.replace(/^answers\./, ''), i.message]));
        return void res.status(422).type('html').send(formPage(ctx, token, b, answers, again));
      }
      throw err;
    }
  });
}

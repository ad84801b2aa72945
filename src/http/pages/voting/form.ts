import type { Answer, Question } from '@omov/core/domain/ballot';
import { methodOf } from '@omov/core/methods/index';
import type { AppContext } from '../../../services/context';
import { checkAnswers } from '../../../services/voting';
import { hashSecret } from '../../../platform/secrets';
import { type Html, html } from '../../html';
import { messages as t } from '../../messages';

/**
 * The voting form: its field names, and reading a posted form into answers. The page
 * works without JavaScript (radio buttons, checkboxes, numbered selects), so what arrives
 * is plain form values, checked here and again by the service.
 */

export type FormValues = Record<string, string | string[] | undefined>;

/** Form field names: q_N for a question's choice, marks or abstention; q_N_i for option i's rank or score. */
export const field = (q: Question) => `q_${q.position}`;
export const rankField = (q: Question, o: number) => `q_${q.position}_${o}`;
/** Element ids: q_N_i for option i's input (radio, checkbox or select), q_N_abstain for the abstention. */
export const inputId = (q: Question, o: number) => `q_${q.position}_${o}`;
export const abstainId = (q: Question) => `q_${q.position}_abstain`;

export function csrfFor(ctx: AppContext, token: string): string {
  return ctx.keys.mac('vote-form', hashSecret(token).toString('hex'));
}

export const valuesOf = (form: FormValues, name: string): string[] => {
  const v = form[name];
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
};
/** A number as the page writes it: digits only, and few enough to be an option's index or rank. */
const wholeNumber = (v: string): number | undefined => (/^\d{1,6}$/.test(v) ? Number(v) : undefined);

export const firstOf = (form: FormValues, name: string): string => valuesOf(form, name)[0] ?? '';

/** The answer check's limits, from the question's method: what the paper offers and the script enforces. */
const limits = (q: Question) => methodOf(q.method).limits(q.settings, q.options.length);
export const maxMarks = (q: Question) => limits(q).marks ?? q.options.length;
export const maxScore = (q: Question) => limits(q).score ?? 0;

/** Whether the question takes a number per option (a rank or a score) rather than ticks. */
const ranked = (q: Question) => ['ranking', 'scores'].includes(methodOf(q.method).answer);

/** Whether the voter gave this question nothing at all (a blank counts as abstaining). */
export function leftBlank(q: Question, form: FormValues): boolean {
  if (valuesOf(form, field(q)).some((v) => v !== '')) return false;
  return q.options.every((_, o) => firstOf(form, rankField(q, o)) === '');
}

/**
 * Reads the form into answers; a question left blank is an abstention. Problems are in
 * the voter's words (the message catalogue), keyed by question id (or, for a field that
 * names no question of this ballot, by the field's name).
 */
export function answersFromForm(
  questions: Question[],
  form: FormValues,
): { answers: Record<string, Answer>; problems: Map<string, string> } {
  const answers: Record<string, Answer> = {};
  const problems = new Map<string, string>();
  for (const q of questions) {
    const n = q.options.length;
    const kind = methodOf(q.method).answer;
    const raw = valuesOf(form, field(q));
    const abstaining = raw.includes('abstain');
    // What the page can send: "abstain", a blank, or an option's number or rank in digits.
    // Anything else ("1.5", "NaN", 400 nines) is a tampered form: refused, never read as a blank.
    const picked = raw.filter((v) => v !== '' && v !== 'abstain');
    if (picked.some((v) => wholeNumber(v) === undefined)) problems.set(q.id, t.problemNotOffered);
    const numbers = picked.map(wholeNumber).filter((v): v is number => v !== undefined);
    if (kind === 'choice') {
      // A radio group sends one value: two choices, or a choice and "abstain", come from a tampered form.
      if (!problems.has(q.id) && (numbers.length > 1 || (abstaining && numbers.length)))
        problems.set(q.id, t.problemNotOffered);
      const [choice] = numbers;
      answers[q.id] = abstaining || choice === undefined ? { kind: 'abstain' } : { kind: 'choice', option: choice };
      continue;
    }
    if (kind === 'marks') {
      if (problems.has(q.id)) {
        // already refused: a value the page does not offer
      } else if (abstaining && numbers.length) problems.set(q.id, t.problemAbstainAndAnswer);
      else if (numbers.length > maxMarks(q)) problems.set(q.id, t.problemTooManyMarks(maxMarks(q), numbers.length));
      answers[q.id] = numbers.length && !abstaining ? { kind: 'marks', options: numbers } : { kind: 'abstain' };
      continue;
    }
    // A ranked or scored question's own field only ever says "abstain".
    if (numbers.length) problems.set(q.id, t.problemNotOffered);
    const given = Array.from({ length: n }, (_, o) => firstOf(form, rankField(q, o)));
    const any = given.some((v) => v !== '');
    if (!problems.has(q.id) && given.some((v) => v !== '' && wholeNumber(v) === undefined))
      problems.set(q.id, t.problemNotOffered);
    if (!problems.has(q.id) && abstaining && any) problems.set(q.id, t.problemAbstainAndAnswer);
    if (kind === 'ranking') {
      const ranks: Array<[number, number]> = [];
      given.forEach((v, o) => {
        const r = wholeNumber(v);
        if (r !== undefined) ranks.push([r, o]);
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
      const scores = given.map((v) => (v === '' ? null : (wholeNumber(v) ?? null)));
      answers[q.id] = any && !abstaining ? { kind: 'scores', scores } : { kind: 'abstain' };
    }
  }
  // A field the page does not have comes from a tampered form too: an option past the last,
  // a rank or score on a question that takes none, or a question this ballot does not have
  // (keyed by the field's name, as there is no question to name).
  const byPosition = new Map(questions.map((q) => [String(q.position), q]));
  for (const name of Object.keys(form)) {
    if (!name.startsWith('q_')) continue;
    const [, position, option] = /^q_(\d+)(?:_(\d+))?$/.exec(name) ?? [];
    const q = position === undefined ? undefined : byPosition.get(position);
    if (!q) problems.set(name, t.problemUnknownField(name));
    else if (option !== undefined && (!ranked(q) || Number(option) >= q.options.length))
      problems.set(q.id, t.problemNotOffered);
  }
  // Anything the page itself cannot produce (a tampered form) is still refused, in plain words.
  for (const i of checkAnswers(questions, answers)) {
    const qid = i.path.replace(/^answers\./, '');
    if (!problems.has(qid)) problems.set(qid, t.problemOther(i.message.replace(/^question \d+: /, '')));
  }
  return { answers, problems };
}

export function hiddenInputs(form: FormValues): Html[] {
  const out: Html[] = [];
  for (const [k, v] of Object.entries(form)) {
    if (!/^q_\d+(_\d+)?$/.test(k)) continue;
    for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v])
      out.push(html`<input type="hidden" name="${k}" value="${one}">`);
  }
  return out;
}

import type { Question } from './election';

/**
 * Score questions in Belenios's homomorphic format (docs/verifiable.md, "Score questions").
 * Belenios 2.0 has no score question, so each option of an omov score question becomes its
 * own homomorphic question, `TITLE — LABEL`, whose answers are the scores "0" to "MAX": the
 * voter chooses exactly one, or leaves it blank. Its decrypted totals are then, for each
 * score, the weight of the ballots that gave the option that score; the option's total is
 * Σ score × weight. The voting page and `omov vote` give every option a score, or leave every
 * option blank (an abstention on the question). Pure; no I/O.
 */

/** Between the question's title and the option's label in each option's question text. */
export const SCORE_SEPARATOR = ' — ';

/** The answers of one option's question: the scores, "0" to `max`. */
export const scoreAnswers = (max: number): string[] => Array.from({ length: max + 1 }, (_, s) => String(s));

/** One homomorphic question per option: choose one score from 0 to `max`, or none (blank). */
export const scoreQuestions = (title: string, labels: ReadonlyArray<string>, max: number): Question[] =>
  labels.map((label) => ({
    question: `${title}${SCORE_SEPARATOR}${label}`,
    answers: scoreAnswers(max),
    min: 1,
    max: 1,
    blank: true,
  }));

/** True for a question shaped as one option of a score question: scores "0"…"MAX", exactly one or blank. */
export function isScoreShaped(q: Question): boolean {
  return (
    !q.nonHomomorphic &&
    q.blank &&
    q.min === 1 &&
    q.max === 1 &&
    q.answers.length >= 2 &&
    q.answers.every((a, s) => a === String(s)) &&
    q.question.includes(SCORE_SEPARATOR)
  );
}

/**
 * The election's questions as a member answers them: a run of option questions of one score
 * question (the same title and highest score) as one group, every other question on its own.
 * The grouping is only how the questions are shown and typed: an option's question means
 * "choose one score or none" whichever group it is shown in, so a question read into the
 * wrong group still encrypts what the member chose for it.
 */
export type QuestionGroup =
  | { kind: 'single'; index: number }
  | { kind: 'score'; title: string; labels: string[]; maxScore: number; first: number };

export function questionGroups(questions: ReadonlyArray<Question>): QuestionGroup[] {
  const groups: QuestionGroup[] = [];
  questions.forEach((q, index) => {
    if (!isScoreShaped(q)) {
      groups.push({ kind: 'single', index });
      return;
    }
    const cut = q.question.lastIndexOf(SCORE_SEPARATOR);
    const title = q.question.slice(0, cut);
    const label = q.question.slice(cut + SCORE_SEPARATOR.length);
    const maxScore = q.answers.length - 1;
    const last = groups[groups.length - 1];
    if (
      last?.kind === 'score' &&
      last.title === title &&
      last.maxScore === maxScore &&
      last.first + last.labels.length === index
    )
      last.labels.push(label);
    else groups.push({ kind: 'score', title, labels: [label], maxScore, first: index });
  });
  return groups;
}

/**
 * The plaintexts of a score question's option questions (blank first, then one mark per
 * score): every option scored, or `null` for an abstention (every option blank).
 */
export function scorePlaintext(scores: ReadonlyArray<number> | null, options: number, max: number): number[][] {
  if (scores === null) return Array.from({ length: options }, () => [1, ...scoreAnswers(max).map(() => 0)]);
  if (scores.length !== options) throw new RangeError(`${options} scores expected, not ${scores.length}`);
  return scores.map((s) => {
    if (!Number.isInteger(s) || s < 0 || s > max) throw new RangeError(`scores go from 0 to ${max}, not ${s}`);
    return [0, ...scoreAnswers(max).map((_, t) => (t === s ? 1 : 0))];
  });
}

/**
 * One option's decrypted totals (Belenios's result row: the blank weight, then the weight
 * of each score from 0 to MAX) as the option's total score, the weight that scored it, and
 * the weight that left it blank.
 */
export function optionScoreTotals(row: ReadonlyArray<bigint>): { total: bigint; scored: bigint; blank: bigint } {
  const [blank = 0n, ...byScore] = row;
  let total = 0n;
  let scored = 0n;
  byScore.forEach((w, s) => {
    total += w * BigInt(s);
    scored += w;
  });
  return { total, scored, blank };
}

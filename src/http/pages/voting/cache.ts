import { closingTime } from '@omov/core/domain/lifecycle';
import crypto from 'node:crypto';
import type { Question } from '@omov/core/domain/ballot';
import type { BallotForVoter } from '../../../services/voting';
import { raw } from '../../html';
import { page } from '../layout';
import { ballotPaperBody, naturalOrder, questionParts, VOTE_SCRIPT } from './view';

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
  /** Around the slots: before the csrf value, before the statements, then before each question, then the end. */
  segments: Buffer[];
  questions: Array<{ head: Buffer; options: Buffer[]; tail: Buffer }>;
};
export const pristinePapers = new WeakMap<Question[], PaperTemplate>();

export function pristinePaper(
  b: BallotForVoter,
  csrf: string,
  orderOf: (q: Question) => number[],
  /** The member's case for and against (its order is theirs), after the csrf field. */
  statements = '',
): Buffer {
  const shows = JSON.stringify([
    b.id,
    b.title,
    b.description,
    closingTime(b).getTime(),
    b.timeZone,
    b.organisationName,
  ]);
  let paper = pristinePapers.get(b.questions);
  if (paper?.shows !== shows) {
    const whole = page({
      title: b.title,
      site: b.organisationName,
      head: VOTE_SCRIPT,
      body: ballotPaperBody(b, { method: 'post', csrf: SLOT, statements: raw(SLOT) }, {}, new Map(), naturalOrder, () =>
        raw(SLOT),
      ),
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
  const parts: Buffer[] = [
    paper.segments[0]!,
    Buffer.from(csrf, 'latin1'),
    paper.segments[1]!,
    Buffer.from(statements),
  ];
  b.questions.forEach((q, n) => {
    const qp = paper.questions[n]!;
    parts.push(paper.segments[n + 2]!, qp.head, ...orderOf(q).map((i) => qp.options[i]!), qp.tail);
  });
  parts.push(paper.segments[b.questions.length + 2]!);
  return Buffer.concat(parts);
}

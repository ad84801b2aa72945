import * as box from '../data/ballot-box';
import * as electorate from '../data/electorate';
import type { Tx } from '../db/database';
import type { Answer, Question } from '@omov/core/domain/ballot';
import type { VotingUnit } from '@omov/core/domain/pooling';
import type { Keyring } from '../platform/secrets';
import { voteLeaf } from '@omov/core/record/commitments';
import type { ReceiptPolicy } from '@omov/core/record/record';
import { type BallotPaper, openPaperWith } from './box-opening';
import type { CloseThread } from './close-thread';
import { ServiceError } from './errors';

/**
 * Sealing and opening the ballot box. A sealed vote is AES-256-GCM under a key derived
 * from the server secret and the ballot id: the database never holds the key, so a
 * database reader who links a sealed vote to a token (same transaction) learns nothing.
 */

const boxPurpose = (ballotId: string) => `ballot-box:${ballotId}`;

export type { BallotPaper };

/** Padded lengths are rounded up to a multiple of this many bytes. */
const PAD_TO = 1024;

/**
 * The longest answers a paper of these questions can hold, whatever the method and its
 * limits: a choice of the last option, every option ranked or marked, or a score slot for
 * each. An upper bound, so that no answer can be longer.
 */
function longestAnswers(questions: ReadonlyArray<Pick<Question, 'id' | 'options'>>): Record<string, Answer> {
  let longest = longestByQuestions.get(questions);
  if (!longest) {
    longest = findLongestAnswers(questions);
    longestByQuestions.set(questions, longest);
  }
  return longest;
}
/** By list of questions: an open ballot's list is one array, kept while it is open (questionsOf), so a cast seals without weighing candidates again. */
const longestByQuestions = new WeakMap<ReadonlyArray<Pick<Question, 'id' | 'options'>>, Record<string, Answer>>();

function findLongestAnswers(questions: ReadonlyArray<Pick<Question, 'id' | 'options'>>): Record<string, Answer> {
  const longest: Record<string, Answer> = {};
  for (const q of questions) {
    const all = q.options.map((_, i) => i).reverse();
    const candidates: Answer[] = [
      { kind: 'choice', option: Math.max(0, q.options.length - 1) },
      { kind: 'ranking', options: all },
      { kind: 'marks', options: all },
      { kind: 'scores', scores: q.options.map(() => null) },
    ];
    longest[q.id] = candidates.reduce((a, b) => (JSON.stringify(b).length > JSON.stringify(a).length ? b : a));
  }
  return longest;
}

/**
 * The answers as they are sealed: marks in option order, never in the order the member's
 * page showed the options (with options in each member's own order, that order would say
 * whose paper it is).
 */
function canonicalAnswers(answers: Record<string, Answer>): Record<string, Answer> {
  return Object.fromEntries(
    Object.entries(answers).map(([id, a]) => [
      id,
      a.kind === 'marks' ? { kind: 'marks', options: [...a.options].sort((x, y) => x - y) } : a,
    ]),
  );
}

/**
 * Seals a paper. Its length would tell how long the answers are (how many candidates a
 * member ranked or marked), so every paper of a ballot is padded with spaces to the length
 * of the longest paper its questions allow (rounded up to a multiple of PAD_TO).
 */
export function sealPaper(
  keys: Keyring,
  ballotId: string,
  paper: BallotPaper,
  questions: ReadonlyArray<Pick<Question, 'id' | 'options'>>,
): string {
  const text = JSON.stringify({ ...paper, answers: canonicalAnswers(paper.answers) });
  const longest = Buffer.byteLength(JSON.stringify({ ...paper, answers: longestAnswers(questions) }), 'utf8');
  const target = Math.ceil(Math.max(longest, Buffer.byteLength(text, 'utf8')) / PAD_TO) * PAD_TO;
  return keys.seal(boxPurpose(ballotId), text + ' '.repeat(target - Buffer.byteLength(text, 'utf8')));
}

export function openPaper(keys: Keyring, ballotId: string, sealed: string): BallotPaper {
  return openPaperWith(keys.key(boxPurpose(ballotId)), sealed);
}

export { voteLeaf };

/** The box does not match the used tokens: the close is refused and nothing changes. */
export class BoxMismatch extends ServiceError {
  constructor(readonly detail: string) {
    super(
      'conflict',
      `the ballot box does not reconcile with the used tokens, so the ballot was not closed: ${detail}`,
    );
    this.name = 'BoxMismatch';
  }
}

export type OpenedBox = {
  units: VotingUnit[];
  root: string;
  votes: number;
  byBranch: Record<string, { usedTokens: number; votes: number }>;
};

/** Sealed papers read from the box, and handed to the close's thread, at a time. */
const READ_BATCH = 2000;

/**
 * At close, inside the closing transaction: decrypt every sealed vote, check that each
 * branch has exactly as many votes as used tokens, pool small branches into units,
 * write the plain votes in the record's published order (numbered, so that the record is
 * exported from a cursor; an order anyone can compute from the votes, so it tells nothing
 * of when each was cast) and delete the sealed ones. Under the `inclusion`
 * policy the votes are written without their receipts, which go to a list of their own:
 * then nothing the office can read says which receipt goes with which answers. Any
 * mismatch aborts the close (the transaction rolls back and nothing changes).
 *
 * The decryption, the checks and the ordering run in the close's worker thread (see
 * box-opening.ts), which is handed this ballot's box key only; this thread reads the sealed
 * papers in batches, hands them over, and writes back the votes it is given in batches, so
 * that the event loop is never held for long. The thread keeps the votes for the count.
 */
export async function openBox(
  tx: Tx,
  keys: Keyring,
  ballotId: string,
  k: number,
  policy: ReceiptPolicy,
  thread: CloseThread,
): Promise<OpenedBox> {
  thread.post({ key: keys.key(boxPurpose(ballotId)) });
  let read = 0;
  for await (const sealed of box.sealedVoteBatches(tx, ballotId, READ_BATCH)) {
    thread.post({ sealed });
    read += sealed.length;
  }
  const turnout = await electorate.turnoutByBranch(tx, ballotId);
  const used = turnout.map((t) => ({ branchId: t.branchId, branch: t.branch, voted: Number(t.voted) }));
  const answer = await thread.request({ reconcile: { used, k, policy } });
  if ('unreconciled' in answer) throw new BoxMismatch(answer.unreconciled);
  if (!('opened' in answer)) throw new Error("the close's worker thread answered out of turn");
  const opened = answer.opened;
  let written = 0;
  for (;;) {
    const next = await thread.request({ next: true });
    if (!('batch' in next)) throw new Error("the close's worker thread answered out of turn");
    if (!next.batch) break;
    await box.insertVoteRows(tx, ballotId, next.batch.votes, written);
    if (policy !== 'choices') await box.insertReceipts(tx, ballotId, next.batch.codes);
    written += next.batch.votes.length;
  }
  if (written !== read || opened.votes !== read) throw new BoxMismatch(`${read} sealed votes read, ${written} written`);
  const deleted = await box.deleteSealedVotes(tx, ballotId);
  if (deleted !== read) throw new BoxMismatch(`${deleted} sealed votes deleted, ${read} read`);
  return { units: opened.units, root: opened.root, votes: written, byBranch: opened.byBranch };
}

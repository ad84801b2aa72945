import { z } from 'zod';
import * as box from '../data/ballot-box';
import type { StoredVote } from '../data/ballot-box';
import * as electorate from '../data/electorate';
import type { Tx } from '../db/database';
import { type Answer, answerSchema, type Question } from '@omov/core/domain/ballot';
import { poolBranches, type VotingUnit } from '@omov/core/domain/pooling';
import type { Keyring } from '../platform/secrets';
import { boxRoot, inclusionOrder, voteLeaf } from '@omov/core/record/commitments';
import { byCodeUnits, type ReceiptPolicy } from '@omov/core/record/record';
import { ServiceError } from './errors';

/**
 * Sealing and opening the ballot box. A sealed vote is AES-256-GCM under a key derived
 * from the server secret and the ballot id: the database never holds the key, so a
 * database reader who links a sealed vote to a token (same transaction) learns nothing.
 */

const boxPurpose = (ballotId: string) => `ballot-box:${ballotId}`;

export type BallotPaper = { branchId: string; weight: string; receipt: string; answers: Record<string, Answer> };

const paperSchema = z.object({
  branchId: z.string(),
  weight: z.string(),
  receipt: z.string(),
  answers: z.record(z.string(), answerSchema),
});

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
  return paperSchema.parse(JSON.parse(keys.open(boxPurpose(ballotId), sealed)));
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

/**
 * At close, inside the closing transaction: decrypt every sealed vote, check that each
 * branch has exactly as many votes as used tokens, pool small branches into units,
 * write the plain votes in the record's published order (numbered, so that the record is
 * exported from a cursor; an order anyone can compute from the votes, so it tells nothing
 * of when each was cast) and delete the sealed ones. Under the `inclusion`
 * policy the votes are written without their receipts, which go to a list of their own:
 * then nothing the office can read says which receipt goes with which answers. Any
 * mismatch aborts the close (the transaction rolls back and nothing changes).
 */
export async function openBox(
  tx: Tx,
  keys: Keyring,
  ballotId: string,
  k: number,
  policy: ReceiptPolicy,
): Promise<OpenedBox> {
  const papers = (await box.listSealedVotes(tx, ballotId)).map((s) => openPaper(keys, ballotId, s));
  const turnout = await electorate.turnoutByBranch(tx, ballotId);
  const byBranch: OpenedBox['byBranch'] = {};
  const nameOf = new Map(turnout.map((t) => [t.branchId, t.branch]));
  for (const t of turnout) byBranch[t.branch] = { usedTokens: Number(t.voted), votes: 0 };
  for (const p of papers) {
    const name = nameOf.get(p.branchId);
    if (name === undefined) throw new BoxMismatch(`a vote names a branch outside the electorate`);
    byBranch[name]!.votes++;
  }
  const receipts = new Set(papers.map((p) => p.receipt));
  if (receipts.size !== papers.length) throw new BoxMismatch('two votes carry the same receipt');
  for (const [branch, c] of Object.entries(byBranch)) {
    if (c.usedTokens !== c.votes)
      throw new BoxMismatch(`branch ${branch}: ${c.usedTokens} used tokens, ${c.votes} votes`);
  }
  const units = poolBranches(
    turnout.map((t) => ({ branch: t.branch, voters: Number(t.voted) })),
    k,
  );
  const unitOf = new Map(units.flatMap((u) => u.branches.map((b) => [b, u.name] as const)));
  const choices = policy === 'choices';
  const votes: StoredVote[] = papers.map((p) => ({
    unit: unitOf.get(nameOf.get(p.branchId)!)!,
    weight: p.weight,
    ...(choices ? { receipt: p.receipt } : {}),
    answers: p.answers,
  }));
  const codes = papers.map((p) => p.receipt).sort(byCodeUnits);
  const published = choices
    ? votes.sort((a, b) => byCodeUnits(a.receipt ?? '', b.receipt ?? ''))
    : inclusionOrder(votes);
  await box.insertVotes(tx, ballotId, published);
  if (!choices) await box.insertReceipts(tx, ballotId, codes);
  const deleted = await box.deleteSealedVotes(tx, ballotId);
  if (deleted !== papers.length) throw new BoxMismatch(`${deleted} sealed votes deleted, ${papers.length} read`);
  return { units, root: boxRoot(policy, published, codes), votes: published.length, byBranch };
}

import { queueVoteConfirmation } from './invitations';
import { batchLookups, type Lookup } from '../platform/batch';
import * as ballots from '../data/ballots';
import type { BallotRow, VotingTokenView } from '../data/ballots';
import type { Db } from '../db/database';
import * as box from '../data/ballot-box';
import * as electorate from '../data/electorate';
import * as orgs from '../data/organisations';
import { type Answer, answerProblem, type Question } from '@omov/core/domain/ballot';
import { allows, votingWindow } from '@omov/core/domain/lifecycle';
import { hashSecret, newReceiptCode, SECRET_PATTERN } from '../platform/secrets';
import type { AppContext } from './context';
import { sealPaper } from './ballot-box';
import { questionsOf } from './questions';
import { consume } from './rate-limits';
import { invalid, type Issue, ServiceError } from './errors';

/**
 * The member's side: looking at a ballot through a voting link, and casting. Looking
 * never uses up the link (mail scanners follow links); casting uses it up and stores
 * the vote in one transaction, judged by the database's clock.
 */

export type BallotForVoter = BallotRow & { organisationName: string; questions: Question[] };

export type LinkState =
  | { state: 'unknown' }
  | { state: 'used'; ballot: BallotForVoter }
  | { state: 'not-yet-open'; ballot: BallotForVoter }
  | { state: 'closed'; ballot: BallotForVoter }
  | {
      state: 'open';
      ballot: BallotForVoter;
      link: Pick<KnownLink, 'branchId' | 'weight'>;
      /** The member's branch, for its meeting's position on the paper. */
      branch: string;
    };

/** Why a cast was refused, for the page to explain. */
export class CastRefused extends ServiceError {
  constructor(readonly link: Exclude<LinkState['state'], 'open'>) {
    super(
      link === 'unknown' ? 'not-found' : 'conflict',
      {
        unknown: 'this voting link is not valid',
        used: 'this link has already been used to vote',
        'not-yet-open': 'voting has not opened yet',
        closed: 'voting has closed',
      }[link],
    );
  }
}

/** Someone holding an unknown link may be guessing: count it against their address. */
async function unknownLink(ctx: AppContext, address: string): Promise<{ state: 'unknown' }> {
  await consume(ctx, 'badLinkPerAddress', address);
  return { state: 'unknown' };
}

/**
 * Voting pages look their links up in batches: a hundred members opening their links at
 * once cost a few queries, not a hundred (see batchLookups). One batcher per database.
 */
const linkLookups = new WeakMap<Db, Lookup<VotingTokenView>>();
// One at a time measured best (bench:web): a burst of pages then costs two or three queries.
const LINK_LOOKUPS_IN_FLIGHT = 1;
const LINK_LOOKUP_BATCH = 200;

function lookUpLink(db: Db, tokenHash: Buffer): Promise<VotingTokenView | undefined> {
  let lookup = linkLookups.get(db);
  if (!lookup) {
    lookup = batchLookups(
      (hexes) =>
        ballots.findByVotingTokens(
          db,
          hexes.map((h) => Buffer.from(h, 'hex')),
        ),
      {
        maxInFlight: LINK_LOOKUPS_IN_FLIGHT,
        maxBatch: LINK_LOOKUP_BATCH,
      },
    );
    linkLookups.set(db, lookup);
  }
  return lookup(tokenHash.toString('hex'));
}

/**
 * At close the token hashes leave voting_tokens, so a link of a closed ballot is found only
 * among the ballot's issued tokens, which name no member: its page says that voting has
 * closed (and where the board is), whether or not the link was used or replaced.
 */
async function closedLink(ctx: AppContext, tokenHash: Buffer): Promise<LinkState | undefined> {
  const id = await electorate.findIssuedTokenBallot(ctx.db, tokenHash);
  const b = id === undefined ? undefined : await ballots.findBallotById(ctx.db, id);
  // A link replaced while the ballot is open is simply not valid.
  if (!b || !allows(b.status, 'read-receipts')) return undefined;
  const org = await orgs.findOrganisation(ctx.db, b.organisationId);
  return {
    state: 'closed',
    ballot: { ...b, organisationName: org?.name ?? '', questions: await questionsOf(ctx.db, b) },
  };
}

export async function viewLink(ctx: AppContext, token: string, address: string): Promise<LinkState> {
  if (!SECRET_PATTERN.test(token)) return unknownLink(ctx, address);
  const t = await lookUpLink(ctx.db, hashSecret(token));
  if (!t) return (await closedLink(ctx, hashSecret(token))) ?? unknownLink(ctx, address);
  const b = t.ballot;
  const ballot: BallotForVoter = {
    ...b,
    organisationName: t.organisationName,
    questions: await questionsOf(ctx.db, b),
  };
  if (t.used) return { state: 'used', ballot };
  const state = votingWindow(b, t.now);
  return state === 'open'
    ? { state, ballot, link: { branchId: t.branchId, weight: t.weight }, branch: t.branch }
    : { state, ballot };
}

/** Checks a full set of answers (one per question; abstaining is an answer). */
export function checkAnswers(questions: Question[], answers: Record<string, Answer>): Issue[] {
  const issues: Issue[] = [];
  const ids = new Set(questions.map((q) => q.id));
  for (const key of Object.keys(answers))
    if (!ids.has(key)) issues.push({ path: `answers.${key}`, message: 'no such question on this ballot' });
  for (const q of questions) {
    const a = answers[q.id];
    if (!a) {
      issues.push({
        path: `answers.${q.id}`,
        message: `question ${q.position + 1} is not answered (abstaining is an answer)`,
      });
      continue;
    }
    const problem = answerProblem(q, a);
    if (problem) issues.push({ path: `answers.${q.id}`, message: `question ${q.position + 1}: ${problem}` });
  }
  return issues;
}

/**
 * What the caller already read about the link moments ago (the voting page does): the
 * link's ballot never changes, nor its branch and weight, nor the questions once the
 * ballot is open (only drafts are editable), so reading them again would only cost time.
 * Whether the link is still unused and the ballot still open is decided by the cast's
 * own statement, as always.
 */
export type KnownLink = {
  ballotId: string;
  questions: Question[];
  branchId: string;
  weight: string;
  /** The ballot's, as read with the link: a "you voted" email is only for a ballot that shows it. */
  voterListVisible: boolean;
};

export async function cast(
  ctx: AppContext,
  token: string,
  answers: Record<string, Answer>,
  address: string,
  known?: KnownLink,
): Promise<{ receipt: string }> {
  const tokenHash = hashSecret(token);
  const receipt = newReceiptCode();
  try {
    await castOnce(ctx, token, tokenHash, receipt, answers, known);
  } catch (err) {
    if (err instanceof CastRefused && err.link === 'unknown') await unknownLink(ctx, address);
    throw err;
  }
  // Most ballots hide their voter list and never send "you voted": no query for them.
  if (!known || known.voterListVisible) await queueVoteConfirmation(ctx, tokenHash);
  return { receipt };
}

async function castOnce(
  ctx: AppContext,
  token: string,
  tokenHash: Buffer,
  receipt: string,
  answers: Record<string, Answer>,
  known?: KnownLink,
): Promise<void> {
  if (!SECRET_PATTERN.test(token)) throw new CastRefused('unknown');
  let t: Omit<KnownLink, 'voterListVisible'> | undefined = known;
  if (!t) {
    const found = await electorate.findTokenBallot(ctx.db, tokenHash);
    if (!found) throw new CastRefused((await closedLink(ctx, tokenHash)) ? 'closed' : 'unknown');
    if (found.used) throw new CastRefused('used');
    // A ballot with voting tokens has left draft (tokens are issued when it opens).
    t = {
      ...found,
      questions: await questionsOf(ctx.db, { id: found.ballotId, status: 'open' }),
    };
  }
  const { ballotId, questions, branchId, weight } = t;
  const issues = checkAnswers(questions, answers);
  if (issues.length) throw invalid('the ballot paper is not filled in correctly', issues);
  // Sealed: readable only with the server's key, so the row's shared xmin with the
  // token update links the member to ciphertext and nothing more.
  const sealed = sealPaper(ctx.keys, ballotId, { branchId, weight, receipt, answers }, questions);
  const r = await box.castSealedVote(ctx.db, { ballotId, tokenHash, branchId, weight, sealed });
  if (r.cast) return ctx.witness.saw(ballotId, sealed);
  // Not cast: say why, from what the statement saw.
  if (!r.ballot) throw new CastRefused('unknown');
  // The window first: a close in flight drops the token hashes, and a link that was valid a
  // moment ago should hear that voting has closed, not that it is unknown.
  const state = votingWindow(r.ballot, r.now);
  if (state !== 'open') throw new CastRefused(state);
  if (!r.token || r.token.ballotId !== ballotId) throw new CastRefused('unknown');
  if (r.token.branchId !== branchId || r.token.weight !== weight) throw new Error('a voting link changed branch');
  // Used already, or by a concurrent cast that the statement waited for.
  throw new CastRefused('used');
}

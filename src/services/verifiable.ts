import * as ballots from '../data/ballots';
import type { BallotRow } from '../data/ballots';
import * as credentials from '../data/credentials';
import type { Principal } from '../data/organisations';
import * as trustees from '../data/trustees';
import * as events from '../data/verifiable';
import type { EventRow } from '../data/verifiable';
import type { Queryable, Tx } from '../db/database';
import type { VerifiableEventType } from '../db/schema';
import { chainEvent, writeArchive, writeCredentialList, writeSetup } from '@omov/core/crypto/archive';
import { checkSignature, parseBallot } from '@omov/core/crypto/ballot';
import { checkCertificates, parseCertificate } from '@omov/core/crypto/dkg';
import {
  type Election,
  isNonHomomorphic,
  makeElection,
  nonHomomorphicQuestion,
  parseElection,
  type Question as BeleniosQuestion,
} from '@omov/core/crypto/election';
import { sha256Hex } from '@omov/core/crypto/hash';
import type { PoolProofs } from '@omov/core/crypto/pool-shuffle';
import { scoreQuestions } from '@omov/core/crypto/score';
import {
  mergeNonHomomorphic,
  nonHomomorphicCiphertexts,
  parseShuffle,
  type Shuffle,
  shuffleChecks,
  writeShuffle,
} from '@omov/core/crypto/shuffle';
import {
  checkPartialDecryption,
  computeResult,
  encryptedTally,
  type EncryptedTally,
  lastBallots,
  type PartialDecryption,
  parseEncryptedTally,
  parsePartialDecryption,
  writeEncryptedTally,
  writeOwned,
  writePartialDecryption,
  writeResult,
  writeSizedEncryptedTally,
} from '@omov/core/crypto/tally';
import { parseTrustees, type Trustee, trusteeDecryptionKey } from '@omov/core/crypto/trustee';
import { isRankingMethod, type Question } from '@omov/core/domain/ballot';
import { allows, votingWindow } from '@omov/core/domain/lifecycle';
import { definitionHash } from '@omov/core/record/commitments';
import { storedResults } from '@omov/core/record/record';
import { verifiableResults } from '@omov/core/record/verifiable';
import { mailAuditors, record } from './audit';
import { ballotDefinition } from './commitments';
import { checkCredentialsFitRoll, credentialsGroupProblem } from './credentials';
import type { AppContext } from './context';
import { conflict, invalid, notFound } from './errors';
import { recordOpeningStatements } from './proposals';
import { mailTrusteesToDecrypt, verifiableGroup } from './trustees';
import {
  branchFigures,
  branchTalliesText,
  closeBranches,
  submitPoolDecryptions,
  checkPoolShuffle,
  storePoolShuffle,
} from './verifiable-branches';

/**
 * A verifiable ballot from its opening to its result (docs/verifiable.md), recorded as
 * Belenios 2.0 records an election: a chain of events (data/verifiable.ts) that is at once
 * omov's public board and the archive belenios-tool verifies. At open, the Setup (the
 * election's parameters, the trustees' keys, the public credentials); then each accepted
 * ballot; at close, EndBallots and the encrypted tally; then each trustee's partial
 * decryption, checked; once `threshold` are in, the Result, which is also stored as the
 * ballot's results (the same form as an office ballot's, so that every results page reads it).
 *
 * The server never holds what could decrypt a ballot or make one: the trustees hold the key
 * shares, the members their private credentials.
 */

type By = Principal | { system: string; organisationId: string };

/** A verifiable ballot counts its questions with every member free to vote blank (an abstention). */
export function beleniosQuestions(questions: ReadonlyArray<Question>): BeleniosQuestion[] {
  return [...questions]
    .sort((a, b) => a.position - b.position)
    .flatMap((q): BeleniosQuestion | BeleniosQuestion[] => {
      const answers = q.options.map((o) => o.label);
      if (q.method === 'approval')
        return { question: q.title, answers, min: 1, max: q.settings.maxMarks ?? answers.length, blank: true };
      if (q.method === 'yesno' || q.method === 'plurality')
        return { question: q.title, answers, min: 1, max: 1, blank: true };
      // One question per option, its answers the scores: Belenios has no score question.
      if (q.method === 'score') return scoreQuestions(q.title, answers, q.settings.maxScore);
      // Each ballot's ranking in one ciphertext, shuffled by the trustees, then decrypted one by one.
      if (isRankingMethod(q.method)) return nonHomomorphicQuestion(q.title, answers);
      // Refused when the ballot was made (VERIFIABLE_METHOD_MESSAGE); a stored one would be a bug.
      throw new Error(`question ${q.position + 1}: ${q.method} cannot be counted verifiably`);
    });
}

/** Appends one event after the chain's last; the caller holds the ballot's row lock, so the chain never forks. */
async function append(
  tx: Queryable,
  ballotId: string,
  type: VerifiableEventType,
  data: string[],
  extra: Pick<events.NewEvent, 'credential' | 'tracker' | 'trustee'> = {},
  payload: string | undefined = data[data.length - 1],
): Promise<string> {
  const last = await events.lastEvent(tx, ballotId);
  const height = last ? last.height + 1 : 0;
  const e = chainEvent(last?.hash, height, type, payload);
  await events.appendEvent(tx, ballotId, { height, type, event: e.text, hash: e.hash, data, ...extra });
  return e.hash;
}

/**
 * Inside the opening transaction: the election's parameters from the ballot, its trustees' key
 * and its credential authority's public credentials, as the Setup event. The log entry names
 * the election's fingerprint (the hash every ballot carries) and the definition's hash.
 */
export async function openVerifiable(tx: Tx, b: BallotRow, by: By): Promise<{ electorate: number }> {
  if (b.mode.kind !== 'verifiable') throw new Error('not a verifiable ballot');
  const key = await trustees.findElectionKey(tx, b.id);
  if (!key) throw conflict("a verifiable ballot opens once every trustee's verification key is in");
  const authority = await credentials.findCredentialAuthority(tx, b.id);
  const list = authority ? await credentials.listPublicCredentials(tx, b.id) : [];
  if (!authority || !list.length)
    throw conflict('a verifiable ballot opens once the credential authority has uploaded the public credentials');
  await checkCredentialsFitRoll(tx, b, list);
  const questions = await ballots.listQuestions(tx, b.id);
  // Belenios shuffles ballots of weight 1 only: a weighted ballot's ranking would lose its weight.
  if (questions.some((q) => isRankingMethod(q.method)) && list.some((c) => String(c.weight) !== '1'))
    throw conflict(
      'a verifiable ballot with a ranked question counts every member once: its ballots are shuffled, and Belenios shuffles ballots of weight 1 only; give every member weight 1, or move the ranked question to a ballot of its own',
    );
  const G = verifiableGroup(questions);
  // The questions may have changed group (a ranked one added or removed) after the trustees
  // made their keys or the credential authority made the credentials: both are named at once.
  const problems = [credentialsGroupProblem(authority, list, G)].filter((x) => x !== undefined);
  let election: Election | undefined;
  try {
    // The trustees' certificates are signed in the group their keys were made in: a key made
    // in another group may still happen to be an element of this one, a signature will not verify.
    const rows = await trustees.listTrustees(tx, b.id);
    checkCertificates(
      G,
      rows.map((t) => parseCertificate(t.certificate!)),
    );
    election = makeElection(
      {
        uuid: authority.electionUuid,
        name: b.title,
        description: b.description,
        questions: beleniosQuestions(questions),
        credentialAuthority: b.mode.credentialAuthority,
      },
      G,
      BigInt(key.publicKey),
    );
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    problems.push(
      `${err.message}; where the questions changed after the trustees made their keys, name the trustees again`,
    );
  }
  if (problems.length || !election) throw conflict(`the ballot cannot open: ${problems.join('; ')}`);
  const credentialList = writeCredentialList(list);
  const setup = writeSetup(election.raw, key.trustees, credentialList);
  const setupEvent = await append(tx, b.id, 'Setup', [election.raw, key.trustees, credentialList, setup]);
  const byBranch = new Map<string, number>();
  for (const c of list) byBranch.set(c.branch, (byBranch.get(c.branch) ?? 0) + 1);
  await ballots.moveBallot(tx, b.id, 'open');
  const opened = await record(tx, by, 'ballot.open', b.id, {
    mode: 'verifiable',
    electorate: list.length,
    byBranch: Object.fromEntries([...byBranch].sort(([x], [y]) => x.localeCompare(y))),
    definition: definitionHash(ballotDefinition(b, questions)),
    // Whether a credential may cast again: a rule of the count, committed with it.
    revoting: b.mode.revoting,
    election: election.fingerprint,
    credentials: sha256Hex(credentialList),
    setupEvent,
  });
  await recordOpeningStatements(tx, by, b.id);
  // Mailed at once, past the office's pages, as an office ballot's commitment at open is:
  // an election or credentials list changed later no longer matches what the auditors hold.
  await mailAuditors(tx, b, 'verifiable-open', {
    ballotId: b.id,
    eligible: String(list.length),
    election: election.fingerprint,
    credentials: sha256Hex(credentialList),
    setupEvent,
    openEntry: String(opened.position),
    openHash: opened.hash,
  });
  return { electorate: list.length };
}

const electionIn = (setup: EventRow | undefined): Election => {
  if (!setup || setup.type !== 'Setup') throw notFound('verifiable ballot');
  return parseElection(setup.data[0]!);
};

/** The election of an open (or closed) verifiable ballot, read without the rest of its Setup. */
async function electionOf(db: Queryable, ballotId: string): Promise<Election> {
  const text = await events.findElectionText(db, ballotId);
  if (text === undefined) throw notFound('verifiable ballot');
  return parseElection(text);
}

/** election.json: the parameters every ballot is made for, public from the opening. */
export async function electionJson(ctx: AppContext, ballotId: string): Promise<string> {
  const text = await events.findElectionText(ctx.db, ballotId);
  if (text === undefined) throw notFound('election of an open verifiable ballot');
  return text;
}

export type CastOutcome = {
  /** The smart ballot tracker: the hash of the ballot, as on the board. */
  tracker: string;
  /** The ballot's place on the board. */
  height: number;
  /** True when this credential had voted before: the earlier ballot no longer counts. */
  replaced: boolean;
};

/**
 * A member's ballot, as `omov vote` or the voting page made it. Checked in full before the
 * ballot's row is locked, in a checker thread (the proofs take the time): the right election, a signature by its
 * credential, every proof; then, under the lock, that the credential is on the list and this
 * very ballot is not on the board already (a replay), and it is appended. Where the ballot
 * allows re-voting (the default, as in Belenios) a credential may vote again and its last
 * ballot is the one counted; where it does not, a second ballot is refused (409). Either way
 * two ballots with one credential, however close together, never both count.
 */
export async function castVerifiable(ctx: AppContext, ballotId: string, text: string): Promise<CastOutcome> {
  const election = await electionOf(ctx.db, ballotId);
  // Off the event loop, in the pool's threads: the proofs take about 35 ms of CPU.
  const checked = await ctx.ballotCheckers.check(election, text);
  if (!checked.ok) throw invalid(`the ballot is refused: ${checked.reason}`);
  const { credential } = checked;
  return ctx.db.transaction().execute(async (tx) => {
    const b = await ballots.lockBallot(tx, ballotId, 'update');
    if (!b) throw notFound('verifiable ballot');
    const window = votingWindow(b, await ballots.databaseNow(tx));
    if (window !== 'open') throw conflict(window === 'closed' ? 'voting has closed' : 'voting has not opened yet');
    if (!(await credentials.findPublicCredential(tx, ballotId, credential)))
      throw invalid("the ballot is refused: its credential is not on the ballot's list of public credentials");
    if (await events.findByTracker(tx, ballotId, checked.tracker))
      throw conflict('this very ballot is on the board already: a ballot is cast once');
    const replaced = await events.hasBallotOf(tx, ballotId, credential);
    if (replaced && b.mode.kind === 'verifiable' && !b.mode.revoting)
      throw conflict(
        'this credential has voted already, and this ballot does not allow voting again: the first ballot is the one that counts',
      );
    await append(tx, ballotId, 'Ballot', [text], { credential, tracker: checked.tracker });
    const height = (await events.lastEvent(tx, ballotId))!.height;
    return { tracker: checked.tracker, height, replaced };
  });
}

export type VerifiableBoard = {
  ballotId: string;
  title: string;
  status: BallotRow['status'];
  electionUuid: string;
  /** The election's fingerprint: the election_hash every ballot carries. */
  electionHash: string;
  /** The hash of the chain's last event: it commits to every event and ballot before it. */
  head: { height: number; hash: string };
  ballots: Array<{ height: number; tracker: string; credential: string; event: string; at: string }>;
};

/** The public board: every accepted ballot with its tracker, in the order cast; or the one with `tracker`. */
export async function verifiableBoard(ctx: AppContext, ballotId: string, tracker?: string): Promise<VerifiableBoard> {
  const b = await ballots.findBallotById(ctx.db, ballotId);
  if (!b || b.mode.kind !== 'verifiable' || !allows(b.status, 'read-board')) throw notFound('verifiable ballot');
  const election = await electionOf(ctx.db, ballotId);
  const last = (await events.lastEvent(ctx.db, ballotId))!;
  const rows =
    tracker === undefined
      ? await events.listEvents(ctx.db, ballotId, 'Ballot')
      : [await events.findByTracker(ctx.db, ballotId, tracker)].filter((r) => r !== undefined);
  return {
    ballotId,
    title: b.title,
    status: b.status,
    electionUuid: election.uuid,
    electionHash: election.fingerprint,
    head: { height: last.height, hash: last.hash },
    ballots: rows.map((r) => ({
      height: r.height,
      tracker: r.tracker!,
      credential: r.credential!,
      event: r.hash,
      at: r.at.toISOString(),
    })),
  };
}

/**
 * Why the chain is not what the server itself appended, or undefined: each event must be the
 * one its height, its parent's hash, its type and its payload make, and each ballot must be
 * signed by a credential on the list, with the tracker of its text. The proofs were checked
 * at casting and are not checked again (belenios-tool does); the signatures are, because
 * only they stop a ballot written into the database by someone who holds no credential.
 */
export function boardProblem(
  election: Election,
  all: ReadonlyArray<EventRow>,
  weights: ReadonlyMap<string, bigint>,
): string | undefined {
  let parent: string | undefined;
  for (const [i, e] of all.entries()) {
    const payload = e.type === 'EndBallots' || e.type === 'EndShuffles' ? undefined : e.data[e.data.length - 1];
    const expected = chainEvent(parent, i, e.type, payload);
    if (e.height !== i || expected.text !== e.event || expected.hash !== e.hash)
      return `the event at height ${e.height} does not follow the chain`;
    parent = e.hash;
    if (e.type !== 'Ballot') continue;
    const signed = checkSignature(election, e.data[0]!);
    if (!signed.ok) return `the ballot at height ${e.height} is refused: ${signed.reason}`;
    if (signed.tracker !== e.tracker || String(signed.ballot.credential) !== e.credential)
      return `the ballot at height ${e.height} is not filed under its own tracker and credential`;
    if (!weights.has(e.credential)) return `the ballot at height ${e.height} has a credential that is not on the list`;
  }
  return undefined;
}

/** Each counted ballot (the last of its credential) with its credential's weight, once the board passes boardProblem. */
async function countedBallots(db: Queryable, ballotId: string, election: Election) {
  const weights = new Map(
    (await credentials.listPublicCredentials(db, ballotId)).map((c) => [c.credential, BigInt(c.weight)]),
  );
  const all = await events.listEvents(db, ballotId);
  const problem = boardProblem(election, all, weights);
  if (problem) throw conflict(`the board fails omov's check, so the ballot cannot be counted: ${problem}`);
  const cast = all
    .filter((r) => r.type === 'Ballot')
    .map((r) => ({ ballot: parseBallot(r.data[0]!), weight: weights.get(r.credential!)! }));
  return { cast: cast.length, counted: lastBallots(cast) };
}

/**
 * Inside the closing transaction: the end of the ballots and the encrypted tally, the product
 * of the counted ballots' ciphertexts, which only the trustees together can decrypt.
 */
export async function closeVerifiable(ctx: AppContext, tx: Tx, b: BallotRow, by: By): Promise<void> {
  await ballots.moveBallot(tx, b.id, 'close');
  const election = await electionOf(tx, b.id);
  const { cast, counted } = await countedBallots(tx, b.id, election);
  await append(tx, b.id, 'EndBallots', [], {}, undefined);
  const tallyText = writeEncryptedTally(encryptedTally(election, counted));
  const totalWeight = counted.reduce((n, c) => n + c.weight, 0n);
  const sized = writeSizedEncryptedTally(counted.length, totalWeight, tallyText);
  const head = await append(tx, b.id, 'EncryptedTally', [tallyText, sized]);
  // Beside the archive: the pools of branches and their sub-tallies, for the branch figures.
  const branchTallies = await closeBranches(tx, b, election, counted);
  const closed = await record(tx, by, 'ballot.close', b.id, {
    mode: 'verifiable',
    cast,
    counted: counted.length,
    totalWeight: String(totalWeight),
    encryptedTally: sha256Hex(tallyText),
    head,
    branchTallies,
  });
  // The board's head leaves the server at once, to every auditor: a ballot removed, added or
  // altered later cannot be hidden by rewriting the board and the log.
  await mailAuditors(tx, b, 'verifiable-close', {
    ballotId: b.id,
    cast: String(cast),
    counted: String(counted.length),
    head,
    closeEntry: String(closed.position),
    closeHash: closed.hash,
  });
  // The tally waits for the trustees: each is mailed their link to decrypt it.
  await mailTrusteesToDecrypt(ctx, tx, b);
}

type TallyFacts = {
  election: Election;
  trustees: Trustee[];
  tallyText: string;
  totalWeight: bigint;
  /** True where a question is ranked: its ballots are shuffled before the trustees decrypt. */
  ranked: boolean;
  shuffles: EventRow[];
  shufflesEnded: boolean;
  decryptions: EventRow[];
  result: EventRow | undefined;
};

async function tallyFacts(db: Queryable, ballotId: string): Promise<TallyFacts | undefined> {
  const all = await events.listEvents(db, ballotId);
  const tally = all.find((e) => e.type === 'EncryptedTally');
  const key = await trustees.findElectionKey(db, ballotId);
  if (!tally || !key) return undefined;
  const sized = JSON.parse(tally.data[1]!) as { total_weight: number | string };
  const election = electionIn(all[0]);
  return {
    election,
    trustees: parseTrustees(key.trustees),
    tallyText: tally.data[0]!,
    totalWeight: BigInt(sized.total_weight),
    ranked: election.questions.some(isNonHomomorphic),
    shuffles: all.filter((e) => e.type === 'Shuffle'),
    shufflesEnded: all.some((e) => e.type === 'EndShuffles'),
    decryptions: all.filter((e) => e.type === 'PartialDecryption'),
    result: all.find((e) => e.type === 'Result'),
  };
}

/**
 * What the trustees decrypt: the encrypted tally, its ranked questions' rows replaced by the
 * last shuffle's ciphertexts. Each shuffle was checked against the one before it when it came
 * in (the verifiers check the chain again from the archive).
 */
function tallyToDecrypt(f: TallyFacts): EncryptedTally {
  const tally = parseEncryptedTally(f.tallyText);
  const last = f.shuffles[f.shuffles.length - 1];
  return last ? mergeNonHomomorphic(f.election, tally, parseShuffle(last.data[0]!).ciphertexts) : tally;
}

/**
 * What a trustee needs after the close: the election, the encrypted tally and, where a question
 * is ranked, every shuffle so far (in order); whether theirs are in.
 */
export type CountTask = {
  election: string;
  encryptedTally: string;
  /** The pools' sub-tallies (crypto/branch-tally.ts), decrypted with the tally; null for a ballot closed before them. */
  branchTallies: string | null;
  shuffles: string[];
  /** The ranked questions' ballots still wait for shuffles, and this trustee has not shuffled. */
  shuffle: boolean;
  /** The ranked questions' ballots still wait for other trustees' shuffles. */
  waiting: boolean;
  decrypted: boolean;
  result: boolean;
};

export async function countTask(db: Queryable, ballotId: string, position: number): Promise<CountTask | null> {
  const f = await tallyFacts(db, ballotId);
  if (!f) return null;
  const shuffling = f.ranked && !f.shufflesEnded;
  const shuffled = f.shuffles.some((s) => s.trustee === position);
  return {
    election: f.election.raw,
    encryptedTally: f.tallyText,
    branchTallies: await branchTalliesText(db, ballotId),
    shuffles: f.shuffles.map((s) => s.data[0]!),
    shuffle: shuffling && !shuffled,
    waiting: shuffling && shuffled,
    decrypted: f.decryptions.some((d) => d.trustee === position),
    result: f.result !== undefined,
  };
}

/** The refusals of a trustee's shuffle that need no proof checked: the shuffles so far, and whether they ended. */
function refuseShuffle(shuffles: ReadonlyArray<{ trustee: number | null }>, ended: boolean, position: number): void {
  if (ended) throw conflict('the shuffles have ended: the trustees decrypt now');
  if (shuffles.some((x) => x.trustee === position))
    throw conflict(`trustee ${position} has shuffled already: each trustee shuffles once`);
}

/** A shuffle whose proof held against the ciphertexts left by the first `shufflesBefore` shuffles. */
export type CheckedShuffle = {
  shuffle: Shuffle;
  shufflesBefore: number;
  /** Its pool proofs, written, where the ballot's pools are kept apart. */
  poolProofs?: string;
};

/**
 * A trustee's shuffle of the ranked questions' ballots, as `omov trustee shuffle` printed it:
 * the ciphertexts re-encrypted and permuted, with a proof of shuffle, checked against the
 * ciphertexts before it (the tally's, or the last shuffle's). A bad proof is refused, naming
 * the trustee. Checked without the ballot's row lock: the proof takes seconds for thousands
 * of ballots, and the lock would hold every other request on the ballot that long;
 * storeShuffle then takes the lock and stores it only if no shuffle came in meanwhile. The
 * proofs (each question's whole-list proof, each pool's) are checked in the checker threads
 * (BALLOT_CHECKERS), side by side: on the event loop, a large ballot's shuffle would stall
 * every other request for minutes.
 */
export async function checkShuffleOf(
  ctx: AppContext,
  b: BallotRow,
  position: number,
  s: Shuffle,
  /** Their proofs that the shuffle keeps the pools of branches apart (crypto/pool-shuffle.ts). */
  pools?: PoolProofs,
): Promise<CheckedShuffle> {
  if (!allows(b.status, 'read-results')) throw conflict('the ballot has not closed: there is nothing to shuffle yet');
  const f = await tallyFacts(ctx.db, b.id);
  if (!f) throw conflict('the ballot has no encrypted tally');
  if (!f.ranked) throw conflict('the ballot has no ranked question: there is nothing to shuffle');
  refuseShuffle(f.shuffles, f.shufflesEnded, position);
  const before = nonHomomorphicCiphertexts(f.election, tallyToDecrypt(f));
  const whole = shuffleChecks(before, s);
  const poolCheck = await checkPoolShuffle(
    ctx.db,
    b,
    f.election,
    position,
    f.shuffles.length,
    before,
    s.ciphertexts,
    pools,
  );
  const [wholeHolds, poolHolds] = await Promise.all([
    ctx.ballotCheckers.checkShuffleProofs(f.election, whole ?? []),
    ctx.ballotCheckers.checkShuffleProofs(f.election, poolCheck?.checks ?? []),
  ]);
  if (!whole || !wholeHolds.every(Boolean))
    throw invalid(
      `the shuffle of trustee ${position} does not verify: its proof of shuffle fails against the ciphertexts before it (${f.shuffles.length} shuffles so far)`,
    );
  const poolProofs = poolCheck?.verdict(poolHolds);
  return { shuffle: s, shufflesBefore: f.shuffles.length, ...(poolProofs ? { poolProofs } : {}) };
}

/**
 * Under the ballot's row lock: a shuffle checkShuffleOf passed, appended if the chain is as it
 * was checked against (the same shuffles, not ended, none of this trustee's), read without
 * the ballots' or shuffles' data so that the lock is held briefly; another trustee's shuffle
 * that came in meanwhile is refused (409): this one was made from the ciphertexts before it.
 * Once `threshold` trustees have shuffled, the shuffles end (EndShuffles) and the trustees
 * decrypt: as many trustees as could decrypt on their own have each mixed the ballots, so
 * unless that many collude, nobody can link a decrypted ranking to its ballot.
 */
export async function storeShuffle(tx: Tx, b: BallotRow, position: number, checked: CheckedShuffle): Promise<void> {
  if (b.mode.kind !== 'verifiable') throw new Error('not a verifiable ballot');
  const steps = await events.listShuffleSteps(tx, b.id);
  const shuffles = steps.filter((e) => e.type === 'Shuffle');
  refuseShuffle(shuffles, steps.length > shuffles.length, position);
  if (shuffles.length !== checked.shufflesBefore)
    throw conflict(
      `the shuffle of trustee ${position} was made from the ciphertexts of ${checked.shufflesBefore} shuffles, and trustee ${shuffles[shuffles.length - 1]!.trustee}'s shuffle came in while it was checked: shuffle again from the last shuffle (${shuffles.length} shuffles so far)`,
    );
  if (checked.poolProofs) await storePoolShuffle(tx, b.id, position, checked.poolProofs);
  const text = writeShuffle(checked.shuffle);
  await append(tx, b.id, 'Shuffle', [text, writeOwned(position, text)], { trustee: position });
  const by = { system: `trustee ${position}`, organisationId: b.organisationId };
  await record(tx, by, 'trustee.shuffle', b.id, { shuffle: sha256Hex(text) });
  if (shuffles.length + 1 < b.mode.threshold) return;
  const head = await append(tx, b.id, 'EndShuffles', [], {}, undefined);
  await record(tx, { system: 'trustees', organisationId: b.organisationId }, 'ballot.end-shuffles', b.id, {
    trustees: [...shuffles.map((x) => x.trustee!), position],
    head,
  });
}

/**
 * A trustee's partial decryption of the encrypted tally (its ranked questions' rows as the
 * shuffles left them), as `omov trustee decrypt` printed it. Its proofs are checked against
 * the trustee's own verification key: a wrong one is refused, naming the trustee. Once enough
 * are in, the result is computed and stored.
 */
export async function submitPartialDecryption(
  tx: Tx,
  b: BallotRow,
  position: number,
  pd: PartialDecryption,
  /** Their decryptions of the pools' sub-tallies, in the pools' order. */
  pools?: ReadonlyArray<PartialDecryption>,
): Promise<void> {
  if (b.mode.kind !== 'verifiable') throw new Error('not a verifiable ballot');
  if (!allows(b.status, 'read-results')) throw conflict('the ballot has not closed: there is no tally to decrypt yet');
  const f = await tallyFacts(tx, b.id);
  if (!f) throw conflict('the ballot has no encrypted tally');
  if (f.ranked && !f.shufflesEnded)
    throw conflict(
      `the ranked questions' ballots are decrypted only once ${b.mode.threshold} trustees have shuffled them; ${f.shuffles.length} have`,
    );
  if (f.result) throw conflict('the result is computed already: no more partial decryptions are needed');
  if (f.decryptions.some((d) => d.trustee === position))
    throw conflict(`trustee ${position} has sent their partial decryption already`);
  const tally = tallyToDecrypt(f);
  const trusteeKey = trusteeDecryptionKey(f.trustees, position);
  if (!checkPartialDecryption(f.election, tally, trusteeKey, pd))
    throw invalid(
      `the partial decryption of trustee ${position} does not verify: it was not made with their key share for this tally`,
    );
  await submitPoolDecryptions(tx, b, f.election, position, trusteeKey, pools);
  const text = writePartialDecryption(pd);
  await append(tx, b.id, 'PartialDecryption', [text, writeOwned(position, text)], { trustee: position });
  const by = { system: `trustee ${position}`, organisationId: b.organisationId };
  await record(tx, by, 'trustee.partial-decryption', b.id, { partialDecryption: sha256Hex(text) });
  const owned = [...f.decryptions.map((d) => ({ owner: d.trustee!, text: d.data[0]! })), { owner: position, text }];
  if (owned.length < b.mode.threshold) return;
  const result = computeResult(
    f.election,
    tally,
    f.totalWeight,
    f.trustees,
    owned.map((o) => ({ owner: o.owner, partialDecryption: parsePartialDecryption(o.text) })),
  );
  const resultText = writeResult(result);
  await append(tx, b.id, 'Result', [resultText]);
  const questions = await ballots.listQuestions(tx, b.id);
  const eligible = (await credentials.listPublicCredentials(tx, b.id)).length;
  const branches = await branchFigures(
    tx,
    b,
    f.election,
    f.trustees,
    owned.map((o) => o.owner),
  );
  const stored = storedResults(verifiableResults(b.id, questions, result, eligible, branches));
  await ballots.insertResults(tx, b.id, { results: stored.json, resultsHash: stored.hash, turnout: null });
  await record(tx, { system: 'trustees', organisationId: b.organisationId }, 'ballot.result', b.id, {
    result: sha256Hex(resultText),
    resultsHash: stored.hash,
    trustees: owned.map((o) => o.owner),
  });
}

/** The Belenios archive (`<uuid>.bel`): every event so far with its data, for belenios-tool election verify. */
export async function beleniosArchive(
  ctx: AppContext,
  ballotId: string,
): Promise<{ fileName: string; bytes: Uint8Array }> {
  return archiveOf(ctx.db, ballotId);
}

/** The archive as read in `db` (the election record reads it in its own snapshot). */
export async function archiveOf(db: Queryable, ballotId: string): Promise<{ fileName: string; bytes: Uint8Array }> {
  const all = await events.listEvents(db, ballotId);
  const election = electionIn(all[0]);
  const timestamp = Math.floor(all[0]!.at.getTime() / 1000);
  return {
    fileName: `${election.uuid}.bel`,
    bytes: writeArchive(
      timestamp,
      all.map((e) => ({ event: e.event, data: e.data })),
    ),
  };
}

import { randomUUID } from 'node:crypto';
import { findLatestEntry } from '../data/audit';
import * as ballots from '../data/ballots';
import type { BallotRow } from '../data/ballots';
import { findOrganisation, type Principal } from '../data/organisations';
import { enqueue } from '../data/outbox';
import * as trustees from '../data/trustees';
import type { TrusteeRow } from '../data/trustees';
import type { Queryable, Tx } from '../db/database';
import {
  assembleTrustees,
  type Certificate,
  certificateKeys,
  checkPolynomial,
  checkVerificationKey,
  parseCertificate,
  parsePolynomial,
  type Polynomial,
  writePolynomial,
} from '@omov/core/crypto/dkg';
import { type Group, groupNamed } from '@omov/core/crypto/group';
import { isRankingMethod, type Question } from '@omov/core/domain/ballot';
import {
  electionPublicKey,
  parseTrusteePublicKey,
  type TrusteePublicKey,
  writeSigned,
  writeTrusteePublicKey,
  writeTrustees,
} from '@omov/core/crypto/trustee';
import { hashSecret, newSecret, SECRET_PATTERN } from '../platform/secrets';
import { requireBallotVisible, requireState } from './access';
import { record } from './audit';
import { lockOwnBallot } from './ballots';
import type { AppContext } from './context';
import { conflict, invalid, notFound, ServiceError } from './errors';
import { checkShuffleOf, type CountTask, countTask, storeShuffle, submitPartialDecryption } from './verifiable';
import type { PoolProofs } from '@omov/core/crypto/pool-shuffle';
import type { Shuffle } from '@omov/core/crypto/shuffle';
import type { PartialDecryption } from '@omov/core/crypto/tally';

/**
 * A verifiable ballot's trustees (docs/verifiable.md). The organiser names them and gets one
 * secret token each to pass on; with it, and nothing of the organiser's, each trustee hands
 * over the public messages of the key generation that `omov trustee` makes offline: their
 * certificate, then their polynomial, then their verification key. The server checks each
 * message before storing it and relays them, and assembles the election's key once every
 * verification key is in. It never receives a secret: no share, no key share.
 */

/**
 * The group of a verifiable ballot. Belenios 2.0's own group where every question is counted
 * homomorphically; where one is ranked, RFC 3526's 2048-bit group, the one Belenios 2.0 can
 * encode a ranking in (its elements are the squares mod a safe prime: q is 2047 bits, not 256,
 * so every exponentiation costs about 8 times as much; docs/verifiable.md). The trustees'
 * keys and the credentials are made in it, so it follows from the questions fixed in the draft.
 */
export const verifiableGroup = (questions: ReadonlyArray<Pick<Question, 'method'>>): Group =>
  groupNamed(questions.some((q) => isRankingMethod(q.method)) ? 'RFC-3526-2048' : 'BELENIOS-2048');

/** The group of the verifiable ballot `ballotId`, from its questions. */
export const groupOfBallot = async (db: Queryable, ballotId: string): Promise<Group> =>
  verifiableGroup(await ballots.listQuestions(db, ballotId));

type Verifiable = BallotRow & { mode: { kind: 'verifiable'; trustees: number; threshold: number } };

function requireVerifiable(b: BallotRow): asserts b is Verifiable {
  if (b.mode.kind !== 'verifiable') throw conflict('only a verifiable ballot has trustees');
}

/** A trustee as the organiser names them: with an email, the server mails them their link and nobody sees the token. */
export type NamedTrustee = { name: string; email: string | null };

/** One named trustee as the organiser sees them: the token only when no email was given (to pass on by hand). */
export type InvitedTrustee = { position: number; name: string; token: string | null; mailedTo: string | null };

export const TRUSTEE_LINK_PURPOSE = 'trustee-link';

/**
 * A trustee's link: the token travels in the fragment, which the browser never sends, so it
 * stays out of the server's logs, of redirects and of Referer headers; the page reads it
 * there and sends it as a bearer token.
 */
export const trusteeLink = (ctx: AppContext, token: string): string => `${ctx.config.publicUrl}/trustee#${token}`;

/** Names the trustees (one per trustee the mode asks for), replacing any named before with their messages. */
export async function inviteTrustees(
  ctx: AppContext,
  p: Principal,
  ballotId: string,
  named: NamedTrustee[],
): Promise<InvitedTrustee[]> {
  const invited = await ctx.db.transaction().execute(async (tx) => {
    const b = await lockOwnBallot(tx, p, ballotId);
    requireState(b, 'edit');
    requireVerifiable(b);
    if (named.length !== b.mode.trustees)
      throw invalid(`name the ${b.mode.trustees} trustees the ballot has`, [
        { path: 'names', message: `${named.length} names for ${b.mode.trustees} trustees` },
      ]);
    const made = named.map((t, i) => ({ position: i + 1, ...t, token: newSecret() }));
    // Names this naming's invitations, and the log entry: at the close, whom to mail is read from them.
    const naming = randomUUID();
    await trustees.replaceTrustees(
      tx,
      ballotId,
      made.map((t) => ({ position: t.position, name: t.name, tokenHash: hashSecret(t.token) })),
    );
    const org = await findOrganisation(tx, b.organisationId);
    const { trustees: n, threshold } = b.mode;
    await enqueue(
      tx,
      made
        .filter((t) => t.email !== null)
        .map((t) => ({
          organisationId: b.organisationId,
          ballotId,
          memberId: null,
          kind: 'trustee-invitation',
          recipient: t.email!,
          payload: {
            organisationName: org?.name ?? '',
            ballotTitle: b.title,
            name: t.name,
            position: t.position,
            trustees: n,
            threshold,
            naming,
          },
          sealedSecret: ctx.keys.seal(TRUSTEE_LINK_PURPOSE, t.token),
        })),
    );
    // The tokens are the trustees' alone: never in the log.
    await record(tx, p, 'ballot.trustees', ballotId, {
      naming,
      names: named.map((t) => t.name),
      mailed: named.filter((t) => t.email !== null).map((t) => t.email),
    });
    return made;
  });
  if (invited.some((t) => t.email !== null)) ctx.mailQueued();
  // A mailed trustee's token is only in their email: the organiser never sees it.
  return invited.map((t) => ({
    position: t.position,
    name: t.name,
    token: t.email === null ? t.token : null,
    mailedTo: t.email,
  }));
}

/**
 * At the close, inside its transaction: each trustee who was invited by email is mailed that
 * their partial decryption is needed, with their link. The server keeps only a hash of a
 * trustee's token, so the link carries a new one (sealed in the queue as the invitation's
 * was): the invitation's link stops working, and the trustee page takes them to the
 * decryption with the new one. Trustees named without an email get nothing: the organiser
 * tells them, and their token is unchanged. Whom to mail is read from the invitations of the
 * last naming of the trustees (the log's `ballot.trustees` entry names it). Returns the number mailed.
 */
export async function mailTrusteesToDecrypt(ctx: AppContext, tx: Tx, b: BallotRow): Promise<number> {
  requireVerifiable(b);
  const naming = (await findLatestEntry(tx, b.organisationId, 'ballot.trustees', b.id))?.details.naming;
  if (typeof naming !== 'string') return 0;
  const addresses = await trustees.trusteeAddresses(tx, b.id, naming);
  const named = (await trustees.listTrustees(tx, b.id)).filter((t) => addresses.has(t.position));
  if (!named.length) return 0;
  const org = await findOrganisation(tx, b.organisationId);
  const { trustees: n, threshold } = b.mode;
  const mail = [];
  for (const t of named) {
    const token = newSecret();
    await trustees.setTrusteeToken(tx, b.id, t.position, hashSecret(token));
    mail.push({
      organisationId: b.organisationId,
      ballotId: b.id,
      memberId: null,
      kind: 'trustee-decrypt',
      recipient: addresses.get(t.position)!,
      payload: {
        organisationName: org?.name ?? '',
        ballotTitle: b.title,
        name: t.name,
        position: t.position,
        trustees: n,
        threshold,
      },
      sealedSecret: ctx.keys.seal(TRUSTEE_LINK_PURPOSE, token),
    });
  }
  await enqueue(tx, mail);
  // The new tokens are the trustees' alone: the log names only who was mailed.
  await record(tx, { system: 'trustees', organisationId: b.organisationId }, 'trustees.decrypt-mailed', b.id, {
    trustees: named.map((t) => t.position),
  });
  return named.length;
}

export type TrusteeProgress = {
  threshold: number;
  trustees: Array<{
    position: number;
    name: string;
    certificate: boolean;
    polynomial: boolean;
    verificationKey: boolean;
  }>;
  /** Once every verification key is in: the election's public key (decimal). */
  publicKey: string | null;
};

const progressOf = (rows: TrusteeRow[]) =>
  rows.map((t) => ({
    position: t.position,
    name: t.name,
    certificate: t.certificate !== null,
    polynomial: t.polynomial !== null,
    verificationKey: t.verificationKey !== null,
  }));

export async function trusteeProgress(ctx: AppContext, p: Principal, ballotId: string): Promise<TrusteeProgress> {
  requireBallotVisible(p, ballotId);
  const b = await ballots.findBallot(ctx.db, p.organisationId, ballotId);
  if (!b) throw notFound('ballot');
  requireVerifiable(b);
  const key = await trustees.findElectionKey(ctx.db, ballotId);
  return {
    threshold: b.mode.threshold,
    trustees: progressOf(await trustees.listTrustees(ctx.db, ballotId)),
    publicKey: key?.publicKey ?? null,
  };
}

const NOT_A_TRUSTEE = 'this trustee link is not valid: ask the organiser for the one they sent you';

export async function trusteeOf(db: Tx | AppContext['db'], token: string | undefined): Promise<TrusteeRow> {
  if (!token || !SECRET_PATTERN.test(token)) throw new ServiceError('unauthenticated', NOT_A_TRUSTEE);
  const t = await trustees.findTrusteeByToken(db, hashSecret(token));
  if (!t) throw new ServiceError('unauthenticated', NOT_A_TRUSTEE);
  return t;
}

/** Every trustee's message of one kind, parsed, once all are in; otherwise null. */
function allOf<T>(rows: TrusteeRow[], pick: (t: TrusteeRow) => string | null, parse: (text: string) => T): T[] | null {
  const texts = rows.map(pick);
  return texts.every((x) => x !== null) ? texts.map((x) => parse(x!)) : null;
}

export type TrusteeStep =
  'certificate' | 'polynomial' | 'verification-key' | 'waiting' | 'shuffle' | 'decrypt' | 'done';

export type TrusteeTask = {
  ballotId: string;
  title: string;
  position: number;
  name: string;
  trustees: number;
  threshold: number;
  group: string;
  /** What this trustee can do now; `waiting`: for the other trustees' messages. */
  next: TrusteeStep;
  /** Every trustee's certificate in Belenios's JSON, once all are in (the input of `omov trustee polynomial`). */
  certificates: unknown[] | null;
  /** Every trustee's polynomial as `omov trustee polynomial` wrote it, once all are in (the input of `omov trustee key`). */
  polynomials: unknown[] | null;
  publicKey: string | null;
  /** After the close: the election's parameters and the encrypted tally, the inputs of `omov trustee decrypt`. */
  election: string | null;
  encryptedTally: string | null;
  /** After the close: the pools of branches and their encrypted sub-tallies, decrypted with the tally (`omov trustee decrypt --pools`). */
  branchTallies: string | null;
  /** After the close, where a question is ranked: every trustee's shuffle so far, in order (`omov trustee shuffle --shuffles`). */
  shuffles: unknown[] | null;
};

/** After the close: shuffle (a ranked question's ballots), wait for the others' shuffles, decrypt, or done. */
function countStep(count: CountTask): TrusteeStep {
  if (count.result) return 'done';
  if (count.shuffle) return 'shuffle';
  if (count.waiting) return 'waiting';
  return count.decrypted ? 'done' : 'decrypt';
}

function nextStep(own: TrusteeRow, rows: TrusteeRow[]): TrusteeStep {
  if (own.certificate === null) return 'certificate';
  if (rows.some((t) => t.certificate === null)) return 'waiting';
  if (own.polynomial === null) return 'polynomial';
  if (rows.some((t) => t.polynomial === null)) return 'waiting';
  if (own.verificationKey === null) return 'verification-key';
  return rows.some((t) => t.verificationKey === null) ? 'waiting' : 'done';
}

/** What a trustee sees with their token: where the key generation stands and what they need for their next step. */
export async function trusteeTask(ctx: AppContext, token: string | undefined): Promise<TrusteeTask> {
  const own = await trusteeOf(ctx.db, token);
  const b = await ballots.findBallotById(ctx.db, own.ballotId);
  if (!b) throw new ServiceError('unauthenticated', NOT_A_TRUSTEE);
  requireVerifiable(b);
  const rows = await trustees.listTrustees(ctx.db, own.ballotId);
  const key = await trustees.findElectionKey(ctx.db, own.ballotId);
  const count = await countTask(ctx.db, own.ballotId, own.position);
  return {
    ballotId: b.id,
    title: b.title,
    position: own.position,
    name: own.name,
    trustees: b.mode.trustees,
    threshold: b.mode.threshold,
    group: (await groupOfBallot(ctx.db, b.id)).name,
    next: count ? countStep(count) : nextStep(own, rows),
    certificates: allOf(rows, (t) => t.certificate, JSON.parse),
    polynomials: allOf(rows, (t) => t.polynomial, JSON.parse),
    publicKey: key?.publicKey ?? null,
    election: count?.election ?? null,
    encryptedTally: count?.encryptedTally ?? null,
    branchTallies: count?.branchTallies ?? null,
    shuffles:
      count && (count.shuffles.length || count.shuffle || count.waiting)
        ? count.shuffles.map((t) => JSON.parse(t) as unknown)
        : null,
  };
}

/** A trustee's step after the close, under their verifiable ballot's row lock; answers with their next task. */
async function asTrustee(
  ctx: AppContext,
  token: string | undefined,
  step: (tx: Tx, b: Verifiable, position: number) => Promise<void>,
): Promise<TrusteeTask> {
  await ctx.db.transaction().execute(async (tx) => {
    const own = await trusteeOf(tx, token);
    const b = await ballots.lockBallot(tx, own.ballotId, 'update');
    if (!b) throw new ServiceError('unauthenticated', NOT_A_TRUSTEE);
    requireVerifiable(b);
    await step(tx, b, own.position);
  });
  return trusteeTask(ctx, token);
}

/** After the close: a trustee's partial decryption, checked against their own key (services/verifiable.ts). */
export async function submitTrusteeDecryption(
  ctx: AppContext,
  token: string | undefined,
  pd: PartialDecryption,
  pools?: ReadonlyArray<PartialDecryption>,
): Promise<TrusteeTask> {
  return asTrustee(ctx, token, (tx, b, position) => submitPartialDecryption(tx, b, position, pd, pools));
}

/**
 * After the close, where a question is ranked: a trustee's shuffle, its proof checked against
 * the ciphertexts before it outside the ballot's row lock, then stored under it if no other
 * shuffle came in meanwhile (services/verifiable.ts).
 */
export async function submitTrusteeShuffle(
  ctx: AppContext,
  token: string | undefined,
  shuffle: Shuffle,
  pools?: PoolProofs,
): Promise<TrusteeTask> {
  const own = await trusteeOf(ctx.db, token);
  const b = await ballots.findBallotById(ctx.db, own.ballotId);
  if (!b) throw new ServiceError('unauthenticated', NOT_A_TRUSTEE);
  requireVerifiable(b);
  const checked = await checkShuffleOf(ctx, b, own.position, shuffle, pools);
  return asTrustee(ctx, token, (tx, b, position) => storeShuffle(tx, b, position, checked));
}

/** The core's checks say what is wrong in a sentence (RangeError, TypeError): the trustee's input is refused with it. */
function checked(run: () => void): void {
  try {
    run();
  } catch (err) {
    if (err instanceof RangeError || err instanceof TypeError) throw invalid(err.message);
    throw err;
  }
}

export type TrusteeSubmission =
  | { kind: 'certificate'; certificate: Certificate }
  | { kind: 'polynomial'; polynomial: Polynomial }
  | { kind: 'verification-key'; verificationKey: TrusteePublicKey };

/**
 * A trustee hands over one message. The ballot row is locked, so that two trustees'
 * messages are checked and stored one after the other and the key is assembled once. A
 * message may be sent again, to replace it, until the next step has begun for anyone.
 */
export async function submitTrusteeMessage(
  ctx: AppContext,
  token: string | undefined,
  m: TrusteeSubmission,
): Promise<TrusteeTask> {
  await ctx.db.transaction().execute(async (tx) => {
    const claimed = await trusteeOf(tx, token);
    const b = await ballots.lockBallot(tx, claimed.ballotId, 'update');
    if (!b) throw new ServiceError('unauthenticated', NOT_A_TRUSTEE);
    requireVerifiable(b);
    if (b.status !== 'draft') throw conflict('the ballot has opened: its trustees and their keys are fixed');
    // Read again under the lock: another trustee's message may have come in meanwhile.
    const rows = await trustees.listTrustees(tx, b.id);
    const own = rows.find((t) => t.position === claimed.position)!;
    const G = await groupOfBallot(tx, b.id);
    const { threshold } = b.mode;
    const certificates = () => allOf(rows, (t) => t.certificate, parseCertificate);
    let text: string;
    let column: trustees.TrusteeMessage;
    if (m.kind === 'certificate') {
      if (rows.some((t) => t.polynomial !== null))
        throw conflict('the trustees have begun their polynomials: the certificates are fixed');
      checked(() => {
        const keys = certificateKeys(G, m.certificate);
        for (const t of rows) {
          if (t.position === own.position || t.certificate === null) continue;
          const other = certificateKeys(G, parseCertificate(t.certificate));
          if (other.verification === keys.verification || other.encryption === keys.encryption)
            throw new RangeError(`this certificate repeats trustee ${t.position}'s keys`);
        }
      });
      [text, column] = [writeSigned(m.certificate), 'certificate'];
    } else if (m.kind === 'polynomial') {
      const certs = certificates();
      if (!certs) throw conflict("not every trustee's certificate is in yet");
      if (rows.some((t) => t.verificationKey !== null))
        throw conflict('the trustees have begun their verification keys: the polynomials are fixed');
      checked(() => checkPolynomial(G, certs, own.position, m.polynomial, threshold));
      [text, column] = [writePolynomial(m.polynomial), 'polynomial'];
    } else {
      const certs = certificates();
      const polynomials = allOf(rows, (t) => t.polynomial, parsePolynomial);
      if (!certs || !polynomials) throw conflict("not every trustee's polynomial is in yet");
      checked(() =>
        checkVerificationKey(
          G,
          certs,
          polynomials.map((p) => p.coefexps),
          threshold,
          own.position,
          m.verificationKey,
        ),
      );
      [text, column] = [writeTrusteePublicKey(m.verificationKey), 'verification_key'];
    }
    await trustees.setTrusteeMessage(tx, b.id, own.position, column, text);
    await record(
      tx,
      { system: `trustee ${own.position}`, organisationId: b.organisationId },
      `trustee.${m.kind}`,
      b.id,
    );
    if (m.kind === 'verification-key') await assembleWhenComplete(tx, b);
  });
  return trusteeTask(ctx, token);
}

/** Once every verification key is in: the trustees' entry of the election, and its public key. */
async function assembleWhenComplete(tx: Tx, b: Verifiable): Promise<void> {
  const rows = await trustees.listTrustees(tx, b.id);
  const keys = allOf(rows, (t) => t.verificationKey, parseTrusteePublicKey);
  if (!keys) return;
  const G = await groupOfBallot(tx, b.id);
  const pedersen = assembleTrustees(
    G,
    b.mode.threshold,
    rows.map((t) => parseCertificate(t.certificate!)),
    rows.map((t) => parsePolynomial(t.polynomial!).coefexps),
    keys,
  );
  const publicKey = electionPublicKey(G, [pedersen]);
  await trustees.insertElectionKey(tx, b.id, { trustees: writeTrustees([pedersen]), publicKey: String(publicKey) });
  await record(tx, { system: 'trustees', organisationId: b.organisationId }, 'ballot.election-key', b.id, {
    publicKey: String(publicKey),
  });
}

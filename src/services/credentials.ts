import * as ballots from '../data/ballots';
import type { BallotRow } from '../data/ballots';
import * as credentials from '../data/credentials';
import type { CredentialAuthorityRow } from '../data/credentials';
import { findOrganisation, type Principal } from '../data/organisations';
import { enqueue } from '../data/outbox';
import * as roll from '../data/roll';
import type { MemberRow } from '../data/roll';
import type { Tx } from '../db/database';
import { generateToken, parsePublicCredential } from '@omov/core/crypto/credential';
import { type Group, isElement } from '@omov/core/crypto/group';
import { systemRandom } from '@omov/core/crypto/random';
import { hashSecret, newSecret, SECRET_PATTERN } from '../platform/secrets';
import { requireState } from './access';
import { record } from './audit';
import { lockOwnBallot } from './ballots';
import type { AppContext } from './context';
import { conflict, invalid, notFound, ServiceError } from './errors';
import { groupOfBallot } from './trustees';

/**
 * A verifiable ballot's credential authority (docs/verifiable.md): a person apart from the
 * office, with their own token. The server publishes the roll for them (member ids, branches
 * and weights: no names, no emails); they make the credentials with `omov credentials
 * generate` on their own computer and upload only the public ones, each with its weight and
 * branch and no member. The server checks that the credentials match the roll, branch by
 * branch, and publishes them with each branch's count before the ballot opens.
 */

const NOT_THE_AUTHORITY = 'this credential authority link is not valid: ask the organiser for the one they sent you';

export const AUTHORITY_LINK_PURPOSE = 'credential-authority-link';

/** The authority's link: the token in the fragment, as a trustee's (see trusteeLink). */
export const authorityLink = (ctx: AppContext, token: string): string =>
  `${ctx.config.publicUrl}/credential-authority#${token}`;

/**
 * Names a new credential authority token (replacing any before, and the credentials uploaded
 * with it). With an email, the server mails the authority their link and answers no token.
 */
export async function inviteCredentialAuthority(
  ctx: AppContext,
  p: Principal,
  ballotId: string,
  email: string | null = null,
): Promise<{ token: string | null; mailedTo: string | null; electionUuid: string }> {
  const made = await ctx.db.transaction().execute(async (tx) => {
    const b = await lockOwnBallot(tx, p, ballotId);
    requireState(b, 'edit');
    if (b.mode.kind !== 'verifiable') throw conflict('only a verifiable ballot has a credential authority');
    const token = newSecret();
    const existing = await credentials.findCredentialAuthority(tx, ballotId);
    // The uuid stays once chosen: credentials already made from it need not be made again.
    const electionUuid = existing?.electionUuid ?? generateToken(systemRandom);
    await credentials.replaceCredentialAuthority(tx, ballotId, { tokenHash: hashSecret(token), electionUuid });
    if (email !== null) {
      const org = await findOrganisation(tx, b.organisationId);
      await enqueue(tx, [
        {
          organisationId: b.organisationId,
          ballotId,
          memberId: null,
          kind: 'credential-authority-invitation',
          recipient: email,
          payload: { organisationName: org?.name ?? '', ballotTitle: b.title, name: b.mode.credentialAuthority },
          sealedSecret: ctx.keys.seal(AUTHORITY_LINK_PURPOSE, token),
        },
      ]);
    }
    await record(tx, p, 'ballot.credential-authority', ballotId, { name: b.mode.credentialAuthority, mailed: email });
    return { token, electionUuid };
  });
  if (email === null) return { token: made.token, mailedTo: null, electionUuid: made.electionUuid };
  ctx.mailQueued();
  return { token: null, mailedTo: email, electionUuid: made.electionUuid };
}

async function authorityOf(db: AppContext['db'] | Tx, token: string | undefined) {
  if (!token || !SECRET_PATTERN.test(token)) throw new ServiceError('unauthenticated', NOT_THE_AUTHORITY);
  const a = await credentials.findCredentialAuthorityByToken(db, hashSecret(token));
  if (!a) throw new ServiceError('unauthenticated', NOT_THE_AUTHORITY);
  return a;
}

/** Belenios counts whole weights only; fractional ones would need scaling, not built yet. */
function wholeWeight(m: MemberRow): bigint {
  if (!/^\d+$/.test(m.weight))
    throw conflict(
      `a verifiable ballot takes whole-number weights for now: a member of ${m.branch} weighs ${m.weight}`,
    );
  return BigInt(m.weight);
}

/** The eligible members as the credential authority sees them, read in one transaction. */
async function eligibleRoll(tx: Tx, b: BallotRow): Promise<MemberRow[]> {
  const members: MemberRow[] = [];
  for await (const batch of roll.eligibleMembersInBatches(tx, b.organisationId, b.eligibility, 5000))
    members.push(...batch);
  if (!members.length) throw conflict("no current member meets the ballot's eligibility rule");
  return members;
}

export type CredentialRoll = {
  ballotId: string;
  title: string;
  credentialAuthority: string;
  electionUuid: string;
  group: string;
  /** The group the credentials uploaded so far were checked in; where it is not `group`, they must be made again. */
  uploadedGroup: string | null;
  members: Array<{ memberId: string; branch: string; weight: string }>;
};

/** The roll the credential authority makes credentials from: who may vote, by id, branch and weight. */
export async function credentialRoll(ctx: AppContext, token: string | undefined): Promise<CredentialRoll> {
  return ctx.db.transaction().execute(async (tx) => {
    const a = await authorityOf(tx, token);
    const b = await ballots.findBallotById(tx, a.ballotId);
    if (!b || b.mode.kind !== 'verifiable') throw new ServiceError('unauthenticated', NOT_THE_AUTHORITY);
    const members = await eligibleRoll(tx, b);
    return {
      ballotId: b.id,
      title: b.title,
      credentialAuthority: b.mode.credentialAuthority,
      electionUuid: a.electionUuid,
      group: (await groupOfBallot(tx, b.id)).name,
      uploadedGroup: a.credentialsGroup,
      members: members.map((m) => ({ memberId: m.id, branch: m.branch, weight: String(wholeWeight(m)) })),
    };
  });
}

export type CredentialAddresses = {
  ballotId: string;
  title: string;
  members: Array<{ memberId: string; name: string; email: string }>;
};

/**
 * Where the authority sends each private credential (`omov credentials send` or `letters`):
 * each eligible member's id, name and email. Apart from the roll, so that making the
 * credentials needs no one's address; delivering them does, as in Belenios.
 */
export async function credentialAddresses(ctx: AppContext, token: string | undefined): Promise<CredentialAddresses> {
  return ctx.db.transaction().execute(async (tx) => {
    const a = await authorityOf(tx, token);
    const b = await ballots.findBallotById(tx, a.ballotId);
    if (!b || b.mode.kind !== 'verifiable') throw new ServiceError('unauthenticated', NOT_THE_AUTHORITY);
    const members = await eligibleRoll(tx, b);
    return {
      ballotId: b.id,
      title: b.title,
      members: members.map((m) => ({ memberId: m.id, name: m.name, email: m.email })),
    };
  });
}

/** A branch's weights, sorted: two lists of credentials fit a roll when these agree branch by branch. */
const weightsByBranch = (xs: ReadonlyArray<{ branch: string; weight: bigint }>): Map<string, string> => {
  const by = new Map<string, bigint[]>();
  for (const x of xs) by.set(x.branch, [...(by.get(x.branch) ?? []), x.weight]);
  return new Map([...by].map(([branch, ws]) => [branch, ws.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(',')]));
};

/** The branches where the credentials are not one per eligible member with the member's weight. */
function misfits(
  members: ReadonlyArray<MemberRow>,
  credentials: ReadonlyArray<{ branch: string; weight: bigint }>,
): Array<{ branch: string; members: number; credentials: number }> {
  const want = weightsByBranch(members.map((m) => ({ branch: m.branch, weight: wholeWeight(m) })));
  const got = weightsByBranch(credentials);
  const count = (s: string | undefined) => (s ? s.split(',').length : 0);
  return [...new Set([...want.keys(), ...got.keys()])]
    .sort((x, y) => x.localeCompare(y))
    .filter((branch) => want.get(branch) !== got.get(branch))
    .map((branch) => ({ branch, members: count(want.get(branch)), credentials: count(got.get(branch)) }));
}

/**
 * At the opening: the roll may have changed since the credentials were uploaded (a member
 * joined, left or changed branch or weight). Refused (409) naming each branch that differs,
 * so that the authority makes and uploads credentials for the roll as it is now.
 */
export async function checkCredentialsFitRoll(
  tx: Tx,
  b: BallotRow,
  list: ReadonlyArray<{ branch: string; weight: string }>,
): Promise<void> {
  const wrong = misfits(
    await eligibleRoll(tx, b),
    list.map((c) => ({ branch: c.branch, weight: BigInt(c.weight) })),
  );
  if (wrong.length)
    throw conflict(
      `the public credentials no longer fit the roll, so the ballot cannot open: ${wrong
        .map(
          (m) => `${m.branch} has ${m.members} eligible members with these weights, and ${m.credentials} credentials`,
        )
        .join('; ')}; the credential authority must make and upload them again`,
    );
}

/**
 * At the opening: the public credentials must be elements of the ballot's group, which follows
 * from its questions. A ranked question added or removed after their upload changes it, and no
 * member could cast with a credential of the other group. The group each credential was checked
 * in at the upload is recorded, so this compares names rather than checking 10,000 credentials
 * again; only credentials uploaded before it was recorded (migration 0046) are checked one by one.
 * Answers the problem in a sentence, or undefined.
 */
export function credentialsGroupProblem(
  a: CredentialAuthorityRow,
  list: ReadonlyArray<{ credential: string }>,
  G: Group,
): string | undefined {
  const made = a.credentialsGroup ?? (list.every((c) => isElement(G, BigInt(c.credential))) ? G.name : 'another group');
  if (made === G.name) return undefined;
  return `the public credentials were made in ${made}, and the ballot's questions now need ${G.name} (a ranked question was added or removed after they were uploaded): the credential authority must generate and upload the credentials again for ${G.name}`;
}

export type UploadedCredential = { credential: string; weight: string; branch: string };

/**
 * The public credentials, replacing any uploaded before. Each must be an element of the
 * group, none twice, and branch by branch as many, with the same weights, as the roll has
 * eligible members: so nobody can slip in a credential for a member who is not there.
 */
export async function uploadPublicCredentials(
  ctx: AppContext,
  token: string | undefined,
  uploaded: UploadedCredential[],
): Promise<PublishedCredentials> {
  const ballotId = await ctx.db.transaction().execute(async (tx) => {
    const a = await authorityOf(tx, token);
    const b = await ballots.lockBallot(tx, a.ballotId, 'update');
    if (!b || b.mode.kind !== 'verifiable') throw new ServiceError('unauthenticated', NOT_THE_AUTHORITY);
    if (b.status !== 'draft') throw conflict('the ballot has opened: its credentials are fixed');
    const members = await eligibleRoll(tx, b);
    const branchIds = new Map(members.map((m) => [m.branch, m.branchId]));
    const G = await groupOfBallot(tx, b.id);
    const seen = new Set<bigint>();
    const parsed = uploaded.map((c, i) => {
      let credential;
      try {
        credential = parsePublicCredential(G, `${c.credential},${c.weight}`);
      } catch (err) {
        throw invalid('a public credential is not valid', [
          { path: `credentials.${i}`, message: (err as Error).message },
        ]);
      }
      if (seen.has(credential.credential))
        throw invalid('a public credential is there twice', [{ path: `credentials.${i}`, message: 'is there twice' }]);
      seen.add(credential.credential);
      if (!branchIds.has(c.branch))
        throw invalid('a credential names a branch with no eligible member', [
          { path: `credentials.${i}.branch`, message: `no eligible member is in ${c.branch}` },
        ]);
      return { ...credential, branch: c.branch };
    });
    const wrong = misfits(members, parsed);
    if (wrong.length)
      throw invalid(
        "the credentials do not match the roll: each branch needs one credential per eligible member, with the member's weight",
        wrong.map((m) => ({ path: 'credentials', message: `${m.branch}: ${m.members} members` })),
      );
    await credentials.replacePublicCredentials(
      tx,
      b.id,
      G.name,
      parsed.map((c) => ({
        credential: String(c.credential),
        weight: String(c.weight),
        branchId: branchIds.get(c.branch)!,
      })),
    );
    await record(
      tx,
      { system: 'credential authority', organisationId: b.organisationId },
      'ballot.public-credentials',
      b.id,
      {
        credentials: parsed.length,
      },
    );
    return b.id;
  });
  return publishedCredentials(ctx, ballotId);
}

export type PublishedCredentials = {
  ballotId: string;
  electionUuid: string;
  credentialAuthority: string;
  /** As Belenios's public_creds.json lists them: "credential,weight". */
  credentials: string[];
  /** Each branch's number of credentials, so that each branch can check its own members' count. */
  byBranch: Array<{ branch: string; credentials: number }>;
};

/** Public, before the ballot opens: the public credentials and each branch's count. */
export async function publishedCredentials(ctx: AppContext, ballotId: string): Promise<PublishedCredentials> {
  const b = await ballots.findBallotById(ctx.db, ballotId);
  const a = b && (await credentials.findCredentialAuthority(ctx.db, ballotId));
  const list = a ? await credentials.listPublicCredentials(ctx.db, ballotId) : [];
  if (!b || b.mode.kind !== 'verifiable' || !a || !list.length) throw notFound('public credentials');
  const counts = new Map<string, number>();
  for (const c of list) counts.set(c.branch, (counts.get(c.branch) ?? 0) + 1);
  return {
    ballotId,
    electionUuid: a.electionUuid,
    credentialAuthority: b.mode.credentialAuthority,
    credentials: list.map((c) => `${c.credential},${c.weight}`),
    byBranch: [...counts].sort(([x], [y]) => x.localeCompare(y)).map(([branch, n]) => ({ branch, credentials: n })),
  };
}

import { sql } from 'kysely';
import type { Queryable } from '../db/database';
import { statusesAllowing } from '@omov/core/domain/lifecycle';

/**
 * The electorate of each ballot: one voting token per eligible member, stored as a hash.
 * This table knows who may vote and whether they have; it never knows how.
 */

export type TokenIssue = { memberId: string; branchId: string; weight: string; tokenHash: Buffer; sealedToken: string };

/** One statement per call, whatever the number of tokens: the columns travel as arrays. */
export async function insertTokens(db: Queryable, ballotId: string, tokens: TokenIssue[]): Promise<void> {
  if (!tokens.length) return;
  await sql`
    insert into voting_tokens (ballot_id, member_id, branch_id, weight, token_hash, sealed_token)
    select ${ballotId}, * from unnest(
      ${tokens.map((t) => t.memberId)}::uuid[], ${tokens.map((t) => t.branchId)}::uuid[],
      ${tokens.map((t) => t.weight)}::numeric[], ${tokens.map((t) => t.tokenHash)}::bytea[],
      ${tokens.map((t) => t.sealedToken)}::text[])
  `.execute(db);
}

export async function hasToken(db: Queryable, ballotId: string, memberId: string): Promise<boolean> {
  return (await inElectorate(db, ballotId, [memberId])).has(memberId);
}

/** Which of these members are in the ballot's electorate (have a token, used or not). */
export async function inElectorate(db: Queryable, ballotId: string, memberIds: string[]): Promise<Set<string>> {
  if (!memberIds.length) return new Set();
  const rows = await db
    .selectFrom('voting_tokens')
    .select('member_id')
    .where('ballot_id', '=', ballotId)
    .where('member_id', 'in', memberIds)
    .execute();
  return new Set(rows.map((r) => r.member_id));
}

/**
 * Replaces a member's unused token; the old one stops working at once. A used token stays
 * as it is (`used` true). Undefined if the member has none.
 */
export async function replaceUnusedToken(
  db: Queryable,
  ballotId: string,
  memberId: string,
  tokenHash: Buffer,
  sealedToken: string,
): Promise<{ used: boolean } | undefined> {
  const current = await db
    .selectFrom('voting_tokens')
    .select('used')
    .where('ballot_id', '=', ballotId)
    .where('member_id', '=', memberId)
    .forUpdate()
    .executeTakeFirst();
  if (!current || current.used) return current;
  await db
    .updateTable('voting_tokens')
    .set((eb) => ({ token_hash: tokenHash, sealed_token: sealedToken, issue_number: eb('issue_number', '+', 1) }))
    .where('ballot_id', '=', ballotId)
    .where('member_id', '=', memberId)
    .execute();
  return { used: false };
}

/** A link's ballot, whether it is used, and what a vote cast with it carries (branch and weight). */
export async function findTokenBallot(
  db: Queryable,
  tokenHash: Buffer,
): Promise<{ ballotId: string; used: boolean; branchId: string; weight: string } | undefined> {
  return db
    .selectFrom('voting_tokens')
    .select(['ballot_id as ballotId', 'used', 'branch_id as branchId', 'weight'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export type BranchTurnout = { branchId: string; branch: string; eligible: number; voted: number };

export async function turnoutByBranch(db: Queryable, ballotId: string): Promise<BranchTurnout[]> {
  return db
    .selectFrom('voting_tokens')
    .innerJoin('branches', 'branches.id', 'voting_tokens.branch_id')
    .select([
      'voting_tokens.branch_id as branchId',
      'branches.name as branch',
      (eb) => eb.fn.countAll<number>().as('eligible'),
      sql<number>`count(*) filter (where voting_tokens.used)`.as('voted'),
    ])
    .where('voting_tokens.ballot_id', '=', ballotId)
    .groupBy(['voting_tokens.branch_id', 'branches.name'])
    .orderBy('branches.name')
    .execute();
}

/** Members of the ballot's electorate who have not voted yet (for reminders). */
export async function listNonVoters(
  db: Queryable,
  ballotId: string,
): Promise<Array<{ memberId: string; email: string; name: string; sealedToken: string | null }>> {
  return db
    .selectFrom('voting_tokens')
    .innerJoin('members', 'members.id', 'voting_tokens.member_id')
    .select(['members.id as memberId', 'members.email', 'members.name', 'voting_tokens.sealed_token as sealedToken'])
    .where('voting_tokens.ballot_id', '=', ballotId)
    .where('voting_tokens.used', '=', false)
    .where('members.removed_at', 'is', null)
    .execute();
}

/** How many members a reminder would go to: those who have not voted and still have a link to use. */
export async function countReminderRecipients(db: Queryable, ballotId: string): Promise<number> {
  const r = await db
    .selectFrom('voting_tokens')
    .innerJoin('members', 'members.id', 'voting_tokens.member_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('voting_tokens.ballot_id', '=', ballotId)
    .where('voting_tokens.used', '=', false)
    .where('voting_tokens.sealed_token', 'is not', null)
    .where('members.removed_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function countElectorate(db: Queryable, ballotId: string): Promise<{ eligible: number; voted: number }> {
  const r = await db
    .selectFrom('voting_tokens')
    .select([(eb) => eb.fn.countAll<number>().as('eligible'), sql<number>`count(*) filter (where used)`.as('voted')])
    .where('ballot_id', '=', ballotId)
    .executeTakeFirstOrThrow();
  return { eligible: Number(r.eligible), voted: Number(r.voted) };
}

/** Unused tokens, in ballots open now, of current members with this email (any organisation). */
export async function findUnusedTokensByEmail(
  db: Queryable,
  email: string,
): Promise<Array<{ ballotId: string; memberId: string; organisationId: string }>> {
  return db
    .selectFrom('voting_tokens')
    .innerJoin('members', 'members.id', 'voting_tokens.member_id')
    .innerJoin('ballots', 'ballots.id', 'voting_tokens.ballot_id')
    .select([
      'voting_tokens.ballot_id as ballotId',
      'voting_tokens.member_id as memberId',
      'ballots.organisation_id as organisationId',
    ])
    .where(sql<string>`lower(members.email)`, '=', email.toLowerCase())
    .where('members.removed_at', 'is', null)
    .where('voting_tokens.used', '=', false)
    .where('ballots.status', 'in', statusesAllowing('reissue-link'))
    .where('ballots.closes_at', '>', sql<Date>`now()`)
    .execute();
}

/** Who is in the electorate and whether they have voted (shown only where the organisation's rules require it). */
export async function listElectorate(db: Queryable, ballotId: string) {
  return db
    .selectFrom('voting_tokens')
    .innerJoin('members', 'members.id', 'voting_tokens.member_id')
    .innerJoin('branches', 'branches.id', 'voting_tokens.branch_id')
    .select([
      'members.id as memberId',
      'members.email',
      'members.name',
      'branches.name as branch',
      'voting_tokens.used as voted',
    ])
    .where('voting_tokens.ballot_id', '=', ballotId)
    .orderBy('members.name')
    .execute();
}

/** Each branch of the electorate: its members in it and the sum of their weights (exact, as text). */
export async function electorateByBranch(
  db: Queryable,
  ballotId: string,
): Promise<Array<{ branch: string; eligible: number; weight: string }>> {
  const rows = await db
    .selectFrom('voting_tokens')
    .innerJoin('branches', 'branches.id', 'voting_tokens.branch_id')
    .select([
      'branches.name as branch',
      (eb) => eb.fn.countAll<number>().as('eligible'),
      sql<string>`sum(voting_tokens.weight)::text`.as('weight'),
    ])
    .where('voting_tokens.ballot_id', '=', ballotId)
    .groupBy('branches.name')
    .execute();
  return rows.map((r) => ({ branch: r.branch, eligible: Number(r.eligible), weight: r.weight }));
}

/**
 * At open: every token hash of the electorate goes into issued_tokens, in hash order (so
 * that no insertion order shows), whatever way the tokens were written.
 */
export async function recordIssuedAtOpen(db: Queryable, ballotId: string): Promise<void> {
  await sql`
    insert into issued_tokens (ballot_id, token_hash, at_open)
    select ballot_id, token_hash, true from voting_tokens where ballot_id = ${ballotId} order by token_hash`.execute(
    db,
  );
}

/** A token issued after opening (a member added, a link sent again). */
export async function recordIssuedLater(db: Queryable, ballotId: string, tokenHash: Buffer): Promise<void> {
  await db.insertInto('issued_tokens').values({ ballot_id: ballotId, token_hash: tokenHash, at_open: false }).execute();
}

const HASH_BATCH = 10_000;

/**
 * The issued token hashes of a ballot (hex), ascending, read in batches so that a large
 * electorate is never held twice: `atOpen` those covered by the commitment at open, or the
 * later ones; `used` (after close) only the used ones.
 */
export async function* issuedTokenHashes(
  db: Queryable,
  ballotId: string,
  which: { atOpen?: boolean; used?: boolean },
): AsyncGenerator<string> {
  let after: Buffer | null = null;
  for (;;) {
    let q = db
      .selectFrom('issued_tokens')
      .select('token_hash')
      .where('ballot_id', '=', ballotId)
      .orderBy('token_hash')
      .limit(HASH_BATCH);
    if (which.atOpen !== undefined) q = q.where('at_open', '=', which.atOpen);
    if (which.used !== undefined) q = q.where('used', '=', which.used);
    if (after) q = q.where('token_hash', '>', after);
    const rows = await q.execute();
    for (const r of rows) yield r.token_hash.toString('hex');
    if (rows.length < HASH_BATCH) return;
    after = rows[rows.length - 1]!.token_hash;
  }
}

/**
 * At close: each issued token gets its used flag, the table rewritten in hash order (an
 * update would leave the rows in the order the used tokens were found, which is the
 * members' order), and the token hashes leave voting_tokens: from now on nothing pairs a
 * member with a token hash. The sealed tokens go too: nobody can vote any more.
 */
export async function closeTokens(db: Queryable, ballotId: string): Promise<void> {
  // In PostgreSQL, not here: sorting a party's 500,000 hashes would hold the event loop for
  // seconds. One statement: the sort takes every deleted row before the first is written back.
  await sql`
    with gone as (
      delete from issued_tokens where ballot_id = ${ballotId} returning token_hash, at_open
    )
    insert into issued_tokens (ballot_id, token_hash, at_open, used)
    select ${ballotId}, g.token_hash, g.at_open, exists (
      select 1 from voting_tokens v where v.token_hash = g.token_hash and v.ballot_id = ${ballotId} and v.used
    )
    from gone g
    order by g.token_hash`.execute(db);
  await db
    .updateTable('voting_tokens')
    .set({ token_hash: null, sealed_token: null })
    .where('ballot_id', '=', ballotId)
    .execute();
}

/** The ballot a token was issued for, once its hash has left voting_tokens (after close). */
export async function findIssuedTokenBallot(db: Queryable, tokenHash: Buffer): Promise<string | undefined> {
  const r = await db
    .selectFrom('issued_tokens')
    .select('ballot_id')
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  return r?.ballot_id;
}

/** Whether any token of the ballot is in issued_tokens (none for ballots opened before it was kept). */
export async function hasIssuedTokens(db: Queryable, ballotId: string): Promise<boolean> {
  const r = await db
    .selectFrom('issued_tokens')
    .select('ballot_id')
    .where('ballot_id', '=', ballotId)
    .limit(1)
    .execute();
  return r.length > 0;
}

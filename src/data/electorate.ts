import { sql } from 'kysely';
import type { Queryable } from '../db/database';
import { statusesAllowing } from '@omov/core/domain/lifecycle';

/**
 * The electorate of each ballot: one voting token per eligible member, stored as a hash.
 * This table knows who may vote and whether they have; it never knows how.
 */

export type TokenIssue = { memberId: string; branchId: string; weight: string; tokenHash: Buffer; sealedToken: string };

export async function insertTokens(db: Queryable, ballotId: string, tokens: TokenIssue[]): Promise<void> {
  for (let i = 0; i < tokens.length; i += 1000) {
    await db
      .insertInto('voting_tokens')
      .values(
        tokens.slice(i, i + 1000).map((t) => ({
          ballot_id: ballotId,
          member_id: t.memberId,
          branch_id: t.branchId,
          weight: t.weight,
          token_hash: t.tokenHash,
          sealed_token: t.sealedToken,
        })),
      )
      .execute();
  }
}

export async function hasToken(db: Queryable, ballotId: string, memberId: string): Promise<boolean> {
  const r = await db
    .selectFrom('voting_tokens')
    .select('member_id')
    .where('ballot_id', '=', ballotId)
    .where('member_id', '=', memberId)
    .executeTakeFirst();
  return r !== undefined;
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

export async function findTokenBallot(
  db: Queryable,
  tokenHash: Buffer,
): Promise<{ ballotId: string; used: boolean } | undefined> {
  return db
    .selectFrom('voting_tokens')
    .select(['ballot_id as ballotId', 'used'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/**
 * Uses up a token, atomically: only one of any number of concurrent callers gets the row
 * back. Returns what the vote needs (branch, weight) and nothing about the member.
 */
export async function useToken(
  db: Queryable,
  tokenHash: Buffer,
): Promise<{ ballotId: string; branchId: string; weight: string } | undefined> {
  return db
    .updateTable('voting_tokens')
    .set({ used: true })
    .where('token_hash', '=', tokenHash)
    .where('used', '=', false)
    .returning(['ballot_id as ballotId', 'branch_id as branchId', 'weight'])
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

/** At close the sealed tokens are no longer needed: nobody can vote any more. */
export async function wipeSealedTokens(db: Queryable, ballotId: string): Promise<void> {
  await db.updateTable('voting_tokens').set({ sealed_token: null }).where('ballot_id', '=', ballotId).execute();
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

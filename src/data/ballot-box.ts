import { sql } from 'kysely';
import type { Queryable } from '../db/database';
import type { Answer } from '../domain/ballot';

/**
 * The ballot box (schema `box`). A vote carries its ballot, branch, weight, receipt code
 * and answers — nothing that names a member or a time.
 */

export type StoredVote = { branchId: string; weight: string; receipt: string; answers: Record<string, Answer> };

export async function insertVote(db: Queryable, v: { ballotId: string } & StoredVote): Promise<void> {
  await db.insertInto('box.votes').values({
    ballot_id: v.ballotId, branch_id: v.branchId, weight: v.weight, receipt: v.receipt, answers: JSON.stringify(v.answers),
  }).execute();
}

/** Every vote of a ballot, in receipt order (an order that says nothing about casting time). */
export async function listVotes(db: Queryable, ballotId: string): Promise<StoredVote[]> {
  const rows = await db.selectFrom('box.votes').select(['branch_id as branchId', 'weight', 'receipt', 'answers'])
    .where('ballot_id', '=', ballotId).orderBy('receipt').execute();
  return rows.map((r) => ({ ...r, answers: r.answers as Record<string, Answer> }));
}

export async function countVotesByBranch(db: Queryable, ballotId: string): Promise<Map<string, number>> {
  const rows = await db.selectFrom('box.votes').select(['branch_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('ballot_id', '=', ballotId).groupBy('branch_id').execute();
  return new Map(rows.map((r) => [r.branch_id, Number(r.n)]));
}

/**
 * At close, the box of a ballot is rewritten: every vote copied, in random order and with
 * fresh ids, by one statement, and the originals deleted. The copies share one
 * transaction id and their physical order is random, so neither `xmin` nor row position
 * links a vote to the transaction that used up a token.
 */
export async function reshuffleVotes(db: Queryable, ballotId: string): Promise<void> {
  await sql`
    with old as (delete from box.votes where ballot_id = ${ballotId} returning ballot_id, branch_id, weight, receipt, answers)
    insert into box.votes (ballot_id, branch_id, weight, receipt, answers)
    select ballot_id, branch_id, weight, receipt, answers from old order by random()
  `.execute(db);
}

import type { Queryable } from '../db/database';

/** A verifiable ballot's pools of branches, their sub-tallies and the trustees' decryptions of them (migration 0047). */

export async function insertBranchTallies(db: Queryable, ballotId: string, section: string): Promise<void> {
  await db.insertInto('verifiable_branch_tallies').values({ ballot_id: ballotId, section }).execute();
}

/** The section's text as stored at close, or undefined (an open ballot, or one closed before 0047). */
export async function findBranchTallies(db: Queryable, ballotId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('verifiable_branch_tallies')
    .select('section')
    .where('ballot_id', '=', ballotId)
    .executeTakeFirst();
  return row?.section;
}

export async function insertPoolDecryptions(
  db: Queryable,
  ballotId: string,
  trustee: number,
  pools: string,
): Promise<void> {
  await db.insertInto('verifiable_pool_decryptions').values({ ballot_id: ballotId, trustee, pools }).execute();
}

/** Each trustee's decryptions of the pools, by their number, in the order they came in. */
export async function listPoolDecryptions(
  db: Queryable,
  ballotId: string,
): Promise<Array<{ trustee: number; pools: string }>> {
  return db
    .selectFrom('verifiable_pool_decryptions')
    .select(['trustee', 'pools'])
    .where('ballot_id', '=', ballotId)
    .orderBy('at')
    .orderBy('trustee')
    .execute();
}

/** A trustee's pool proofs of their shuffle (migration 0048). */
export async function insertPoolShuffle(
  db: Queryable,
  ballotId: string,
  trustee: number,
  pools: string,
): Promise<void> {
  await db.insertInto('verifiable_pool_shuffles').values({ ballot_id: ballotId, trustee, pools }).execute();
}

/** Each trustee's pool proofs, by their number. */
export async function listPoolShuffles(
  db: Queryable,
  ballotId: string,
): Promise<Array<{ trustee: number; pools: string }>> {
  return db
    .selectFrom('verifiable_pool_shuffles')
    .select(['trustee', 'pools'])
    .where('ballot_id', '=', ballotId)
    .orderBy('at')
    .orderBy('trustee')
    .execute();
}

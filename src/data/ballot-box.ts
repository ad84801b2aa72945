import { sql } from 'kysely';
import type { Queryable } from '../db/database';
import type { Answer, StoredVote } from '@omov/core/domain/ballot';
import { statusesAllowing } from '@omov/core/domain/lifecycle';
import type { BallotStatus } from '../db/schema';

export type { StoredVote };

/**
 * The ballot box (schema `box`). While a ballot is open it holds sealed votes only
 * (box.sealed_votes: ciphertext). At close they become plain votes (box.votes), each
 * with its voting unit, weight and answers — nothing that names a member or a time,
 * written by one transaction in the record's published order — and its receipt code under the `choices`
 * policy; under `inclusion` the receipts go apart, to box.receipts.
 */

export type CastOutcome = {
  /** The vote is in the box and the token used. */
  cast: boolean;
  /** Otherwise, what the statement saw, for the caller to say why: the ballot (absent: no such ballot)… */
  ballot: { status: BallotStatus; opensAt: Date; closesAt: Date } | undefined;
  now: Date;
  /** …and the token as it was before (absent: no such token). */
  token: { ballotId: string; used: boolean; branchId: string; weight: string } | undefined;
};

/**
 * A cast in one statement (one round trip, no BEGIN or COMMIT): it locks the ballot
 * shared (a close, which locks it exclusively, waits for casts in flight and they for
 * it), uses the token only if the ballot is open by the database's clock and the token
 * unused and of this branch and weight, and stores the sealed vote only if it did. Only
 * one of any number of concurrent casts with one token stores a vote. Prepared: each
 * connection plans it once (see createDb).
 */
export async function castSealedVote(
  db: Queryable,
  c: { ballotId: string; tokenHash: Buffer; branchId: string; weight: string; sealed: string },
): Promise<CastOutcome> {
  const r = await sql<{
    cast: number;
    status: BallotStatus | null;
    opens_at: Date | null;
    closes_at: Date | null;
    now: Date;
    token_ballot: string | null;
    used: boolean | null;
    branch_id: string | null;
    weight: string | null;
  }>`/* prepared:cast_sealed_vote */
    with b as (
      select status, opens_at, closes_at, now() as now from ballots where id = ${c.ballotId} for share
    ), t as (
      update voting_tokens set used = true
      where token_hash = ${c.tokenHash} and not used and ballot_id = ${c.ballotId}
        and branch_id = ${c.branchId} and weight = ${c.weight}::numeric
        and exists (
          select 1 from b
          where b.status = any(${statusesAllowing('cast')}::ballot_status[]) and b.now >= b.opens_at and b.now < b.closes_at
        )
      returning ballot_id
    ), v as (
      insert into box.sealed_votes (ballot_id, sealed) select ballot_id, ${c.sealed} from t returning 1
    )
    select (select count(*)::int from v) as cast, b.status, b.opens_at, b.closes_at, now() as now,
      k.ballot_id as token_ballot, k.used, k.branch_id, k.weight::text as weight
    from (select 1) as one
      left join b on true
      left join voting_tokens k on k.token_hash = ${c.tokenHash}
  `.execute(db);
  const row = r.rows[0]!;
  return {
    cast: row.cast === 1,
    ballot: row.status ? { status: row.status, opensAt: row.opens_at!, closesAt: row.closes_at! } : undefined,
    now: row.now,
    token: row.token_ballot
      ? { ballotId: row.token_ballot, used: row.used!, branchId: row.branch_id!, weight: row.weight! }
      : undefined,
  };
}

/**
 * Every sealed vote of a ballot, in batches of `size`, from a cursor of the caller's
 * transaction (the close's): the papers of a large ballot are never all in this thread at once.
 */
export async function* sealedVoteBatches(tx: Queryable, ballotId: string, size: number): AsyncGenerator<string[]> {
  await sql`declare sealed_papers no scroll cursor for
    select sealed from box.sealed_votes where ballot_id = ${ballotId}`.execute(tx);
  let failed = false;
  try {
    for (;;) {
      const rows = (
        await sql<{ sealed: string }>`fetch ${sql.raw(String(Math.trunc(size)))} from sealed_papers`.execute(tx)
      ).rows;
      if (rows.length) yield rows.map((r) => r.sealed);
      if (rows.length < size) break;
    }
  } catch (e) {
    // The transaction is aborted: closing the cursor would only hide why.
    failed = true;
    throw e;
  } finally {
    if (!failed) await sql`close sealed_papers`.execute(tx);
  }
}

export async function deleteSealedVotes(db: Queryable, ballotId: string): Promise<number> {
  const r = await db.deleteFrom('box.sealed_votes').where('ballot_id', '=', ballotId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function countSealedVotes(db: Queryable, ballotId: string): Promise<number> {
  const r = await db
    .selectFrom('box.sealed_votes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('ballot_id', '=', ballotId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Writes votes whose answers are JSON text already, in published order, numbered from `from`. */
export async function insertVoteRows(
  db: Queryable,
  ballotId: string,
  votes: ReadonlyArray<{ unit: string; weight: string; receipt: string | null; answers: string }>,
  from: number,
): Promise<void> {
  for (let i = 0; i < votes.length; i += 1000) {
    await db
      .insertInto('box.votes')
      .values(
        votes.slice(i, i + 1000).map((v, j) => ({
          ballot_id: ballotId,
          unit: v.unit,
          weight: v.weight,
          receipt: v.receipt,
          answers: v.answers,
          position: from + i + j,
        })),
      )
      .execute();
  }
}

/** Under the `inclusion` policy the receipts are written apart from the votes, in code order. */
export async function insertReceipts(db: Queryable, ballotId: string, receipts: ReadonlyArray<string>): Promise<void> {
  for (let i = 0; i < receipts.length; i += 1000) {
    await db
      .insertInto('box.receipts')
      .values(receipts.slice(i, i + 1000).map((receipt) => ({ ballot_id: ballotId, receipt })))
      .execute();
  }
}

/** Every receipt code of a closed ballot, in code order: apart from the votes or on them. */
export async function listReceipts(db: Queryable, ballotId: string): Promise<string[]> {
  const rows = await sql<{ receipt: string }>`
    select receipt from (
      select receipt from box.receipts where ballot_id = ${ballotId}
      union all
      select receipt from box.votes where ballot_id = ${ballotId} and receipt is not null
    ) r order by receipt collate "C"`.execute(db);
  return rows.rows.map((r) => r.receipt);
}

const READ_BATCH = 5000;

const storedVote = (r: { unit: string; weight: string; receipt: string | null; answers: unknown }): StoredVote => ({
  unit: r.unit,
  weight: r.weight,
  ...(r.receipt === null ? {} : { receipt: r.receipt }),
  answers: r.answers as Record<string, Answer>,
});

/** Every vote of a closed ballot, by receipt code where votes carry one. */
export async function listVotes(db: Queryable, ballotId: string): Promise<StoredVote[]> {
  const rows = await db
    .selectFrom('box.votes')
    .select(['unit', 'weight', 'receipt', 'answers'])
    .where('ballot_id', '=', ballotId)
    .orderBy(sql`receipt collate "C"`)
    .execute();
  return rows.map(storedVote);
}

/** Whether every vote of the ballot has its place in the published order (closed since it was kept). */
export async function votesNumbered(db: Queryable, ballotId: string): Promise<boolean> {
  const r = await db
    .selectFrom('box.votes')
    .select(sql<boolean>`bool_and(position is not null)`.as('all'))
    .where('ballot_id', '=', ballotId)
    .executeTakeFirstOrThrow();
  return r.all !== false;
}

/** The votes in published order, by their positions, read in batches (votesNumbered must hold). */
export async function* votesInPublishedOrder(db: Queryable, ballotId: string): AsyncGenerator<StoredVote> {
  for (let from = 0; ; from += READ_BATCH) {
    const rows = await db
      .selectFrom('box.votes')
      .select(['unit', 'weight', 'receipt', 'answers'])
      .where('ballot_id', '=', ballotId)
      .where('position', '>=', from)
      .where('position', '<', from + READ_BATCH)
      .orderBy('position')
      .execute();
    for (const r of rows) yield storedVote(r);
    if (rows.length < READ_BATCH) return;
  }
}

/** listReceipts read in batches: every receipt code of a closed ballot, in code order. */
export async function* receiptsInCodeOrder(db: Queryable, ballotId: string): AsyncGenerator<string> {
  let after = '';
  for (;;) {
    const rows = (
      await sql<{ receipt: string }>`
        select receipt from (
          select receipt from box.receipts where ballot_id = ${ballotId}
          union all
          select receipt from box.votes where ballot_id = ${ballotId} and receipt is not null
        ) r where receipt collate "C" > ${after} order by receipt collate "C" limit ${READ_BATCH}`.execute(db)
    ).rows;
    for (const r of rows) yield r.receipt;
    if (rows.length < READ_BATCH) return;
    after = rows[rows.length - 1]!.receipt;
  }
}

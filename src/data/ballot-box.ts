import { sql } from 'kysely';
import type { Queryable } from '../db/database';
import type { Answer, StoredVote } from '@omov/core/domain/ballot';

export type { StoredVote };

/**
 * The ballot box (schema `box`). While a ballot is open it holds sealed votes only
 * (box.sealed_votes: ciphertext). At close they become plain votes (box.votes), each
 * with its voting unit, weight and answers — nothing that names a member or a time,
 * written in random order by one transaction — and its receipt code under the `choices`
 * policy; under `inclusion` the receipts go apart, to box.receipts.
 */

export async function insertSealedVote(db: Queryable, ballotId: string, sealed: string): Promise<void> {
  await db.insertInto('box.sealed_votes').values({ ballot_id: ballotId, sealed }).execute();
}

export async function listSealedVotes(db: Queryable, ballotId: string): Promise<string[]> {
  const rows = await db.selectFrom('box.sealed_votes').select('sealed').where('ballot_id', '=', ballotId).execute();
  return rows.map((r) => r.sealed);
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

/** Writes votes in the order given (the caller shuffles them). */
export async function insertVotes(db: Queryable, ballotId: string, votes: ReadonlyArray<StoredVote>): Promise<void> {
  for (let i = 0; i < votes.length; i += 1000) {
    await db
      .insertInto('box.votes')
      .values(
        votes.slice(i, i + 1000).map((v) => ({
          ballot_id: ballotId,
          unit: v.unit,
          weight: v.weight,
          receipt: v.receipt ?? null,
          answers: JSON.stringify(v.answers),
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

/** Every vote of a closed ballot, by receipt code where votes carry one. */
export async function listVotes(db: Queryable, ballotId: string): Promise<StoredVote[]> {
  const rows = await db
    .selectFrom('box.votes')
    .select(['unit', 'weight', 'receipt', 'answers'])
    .where('ballot_id', '=', ballotId)
    .orderBy(sql`receipt collate "C"`)
    .execute();
  return rows.map((r) => ({
    unit: r.unit,
    weight: r.weight,
    ...(r.receipt === null ? {} : { receipt: r.receipt }),
    answers: r.answers as Record<string, Answer>,
  }));
}

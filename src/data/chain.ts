import { sql } from 'kysely';
import type { Checkpoint, RecordChain } from '@omov/core/record/chain';
import type { Queryable, Tx } from '../db/database';

/** The box's chain and its signed checkpoints (src/services/chain.ts says what they are for). */

/** One chainer at a time per ballot, across processes: held until the transaction ends. */
export async function lockChain(tx: Tx, ballotId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`omov-box-chain:${ballotId}`}, 0))`.execute(tx);
}

export async function latestCheckpoint(db: Queryable, ballotId: string): Promise<Checkpoint | undefined> {
  return db
    .selectFrom('box.checkpoints')
    .select(['count', 'head', 'signature'])
    .where('ballot_id', '=', ballotId)
    .orderBy('count', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function hasCheckpoint(
  db: Queryable,
  ballotId: string,
  cp: Pick<Checkpoint, 'count' | 'head'>,
): Promise<boolean> {
  const r = await db
    .selectFrom('box.checkpoints')
    .select('count')
    .where('ballot_id', '=', ballotId)
    .where('count', '=', cp.count)
    .where('head', '=', cp.head)
    .executeTakeFirst();
  return r !== undefined;
}

/** The chain's length: its last position (0 when empty). */
export async function chainLength(db: Queryable, ballotId: string): Promise<number> {
  const r = await db
    .selectFrom('box.chain')
    .select((eb) => eb.fn.max<number | null>('position').as('n'))
    .where('ballot_id', '=', ballotId)
    .executeTakeFirstOrThrow();
  return Number(r.n ?? 0);
}

/** Marks up to `limit` sealed votes not yet chained as chained, and returns their ciphertexts. */
export async function takeUnchained(tx: Tx, ballotId: string, limit: number): Promise<string[]> {
  const r = await sql<{ sealed: string }>`
    update box.sealed_votes set chained = true
    where id in (select id from box.sealed_votes where ballot_id = ${ballotId} and not chained limit ${limit})
    returning sealed`.execute(tx);
  return r.rows.map((x) => x.sealed);
}

/** Which of `elements` the ballot's chain holds. */
export async function presentElements(db: Queryable, ballotId: string, elements: string[]): Promise<Set<string>> {
  const present = new Set<string>();
  for (let i = 0; i < elements.length; i += 1000) {
    const r = await db
      .selectFrom('box.chain')
      .select('element')
      .where('ballot_id', '=', ballotId)
      .where('element', 'in', elements.slice(i, i + 1000))
      .execute();
    for (const x of r) present.add(x.element);
  }
  return present;
}

/** Appends elements at positions after `from`. */
export async function appendElements(tx: Tx, ballotId: string, from: number, elements: string[]): Promise<void> {
  for (let i = 0; i < elements.length; i += 1000)
    await tx
      .insertInto('box.chain')
      .values(
        elements.slice(i, i + 1000).map((element, j) => ({ ballot_id: ballotId, position: from + i + j + 1, element })),
      )
      .execute();
}

export async function insertCheckpoint(tx: Tx, ballotId: string, cp: Checkpoint): Promise<void> {
  await tx
    .insertInto('box.checkpoints')
    .values({ ballot_id: ballotId, ...cp })
    .execute();
}

/** The open ballots with sealed votes not yet chained (the partial index answers this). */
export async function ballotsWithUnchained(db: Queryable): Promise<string[]> {
  const r = await sql<{ ballot_id: string }>`
    select distinct ballot_id from box.sealed_votes where not chained`.execute(db);
  return r.rows.map((x) => x.ballot_id);
}

/** The chain as the record carries it: elements by position, checkpoints by count. */
export async function listChain(db: Queryable, ballotId: string): Promise<RecordChain> {
  const [elements, checkpoints] = await Promise.all([
    db.selectFrom('box.chain').select('element').where('ballot_id', '=', ballotId).orderBy('position').execute(),
    db
      .selectFrom('box.checkpoints')
      .select(['count', 'head', 'signature'])
      .where('ballot_id', '=', ballotId)
      .orderBy('count')
      .execute(),
  ]);
  return { elements: elements.map((e) => e.element), checkpoints };
}

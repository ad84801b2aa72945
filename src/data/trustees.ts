import { sql } from 'kysely';
import type { Queryable } from '../db/database';

/** A verifiable ballot's trustees and, once their keys are in, the election's key (migration 0014). */

export type TrusteeRow = {
  ballotId: string;
  position: number;
  name: string;
  certificate: string | null;
  polynomial: string | null;
  verificationKey: string | null;
};

const trusteeColumns = [
  'ballot_id as ballotId',
  'position',
  'name',
  'certificate',
  'polynomial',
  'verification_key as verificationKey',
] as const;

/** Replaces the ballot's trustees (and any key made by the ones before). */
export async function replaceTrustees(
  db: Queryable,
  ballotId: string,
  trustees: ReadonlyArray<{ position: number; name: string; tokenHash: Buffer }>,
): Promise<void> {
  await deleteTrustees(db, ballotId);
  await db
    .insertInto('ballot_trustees')
    .values(trustees.map((t) => ({ ballot_id: ballotId, position: t.position, name: t.name, token_hash: t.tokenHash })))
    .execute();
}

export async function deleteTrustees(db: Queryable, ballotId: string): Promise<void> {
  await db.deleteFrom('ballot_election_keys').where('ballot_id', '=', ballotId).execute();
  await db.deleteFrom('ballot_trustees').where('ballot_id', '=', ballotId).execute();
}

export async function listTrustees(db: Queryable, ballotId: string): Promise<TrusteeRow[]> {
  return db
    .selectFrom('ballot_trustees')
    .select(trusteeColumns)
    .where('ballot_id', '=', ballotId)
    .orderBy('position')
    .execute();
}

export async function findTrusteeByToken(db: Queryable, tokenHash: Buffer): Promise<TrusteeRow | undefined> {
  return db.selectFrom('ballot_trustees').select(trusteeColumns).where('token_hash', '=', tokenHash).executeTakeFirst();
}

export type TrusteeMessage = 'certificate' | 'polynomial' | 'verification_key';

export async function setTrusteeMessage(
  db: Queryable,
  ballotId: string,
  position: number,
  message: TrusteeMessage,
  text: string,
): Promise<void> {
  await db
    .updateTable('ballot_trustees')
    .set({ [message]: text })
    .where('ballot_id', '=', ballotId)
    .where('position', '=', position)
    .execute();
}

export async function insertElectionKey(
  db: Queryable,
  ballotId: string,
  k: { trustees: string; publicKey: string },
): Promise<void> {
  await db
    .insertInto('ballot_election_keys')
    .values({ ballot_id: ballotId, trustees: k.trustees, public_key: k.publicKey })
    .execute();
}

export async function findElectionKey(
  db: Queryable,
  ballotId: string,
): Promise<{ trustees: string; publicKey: string } | undefined> {
  return db
    .selectFrom('ballot_election_keys')
    .select(['trustees', 'public_key as publicKey'])
    .where('ballot_id', '=', ballotId)
    .executeTakeFirst();
}

/** Gives a trustee a new token (its hash): the one before no longer opens their page. */
export async function setTrusteeToken(db: Queryable, ballotId: string, position: number, tokenHash: Buffer) {
  await db
    .updateTable('ballot_trustees')
    .set({ token_hash: tokenHash })
    .where('ballot_id', '=', ballotId)
    .where('position', '=', position)
    .execute();
}

/**
 * The address each trustee was invited at, by their number: the trustee invitations queued
 * by one naming of the ballot's trustees (`naming`, which the log's `ballot.trustees` entry
 * names too). A trustee named without an email has none.
 */
export async function trusteeAddresses(db: Queryable, ballotId: string, naming: string): Promise<Map<number, string>> {
  const rows = await db
    .selectFrom('mail_outbox')
    .select(['recipient', sql<number>`(payload->>'position')::int`.as('position')])
    .where('ballot_id', '=', ballotId)
    .where('kind', '=', 'trustee-invitation')
    .where(sql<string>`payload->>'naming'`, '=', naming)
    .execute();
  return new Map(rows.map((r) => [Number(r.position), r.recipient]));
}

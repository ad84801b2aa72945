import { type Kysely, sql } from 'kysely';

/*
 * The box's chain (src/services/chain.ts, packages/core/src/record/chain.ts).
 * - box.sealed_votes.chained: set by the chainer, off the cast path, once the vote's
 *   element is in the chain. The cast does not write it (its default is false); the
 *   partial index finds the votes not yet chained without reading the rest.
 * - box.chain: one element per sealed vote that reached the box (the SHA-256 of its
 *   ciphertext), by position. Kept after the close, for the record.
 * - box.checkpoints: (count, head) signed by the server's per-ballot key, whose public half
 *   is in the commitment at open. Checkpoint 0 is signed at open.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table box.sealed_votes add column chained boolean not null default false;
    create index sealed_votes_unchained on box.sealed_votes (ballot_id) where not chained;
    create table box.chain (
      ballot_id uuid not null references ballots (id),
      position int not null check (position >= 1),
      element text not null,
      primary key (ballot_id, position)
    );
    create table box.checkpoints (
      ballot_id uuid not null references ballots (id),
      count int not null check (count >= 0),
      head text not null,
      signature text not null,
      primary key (ballot_id, count)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table box.checkpoints;
    drop table box.chain;
    drop index box.sealed_votes_unchained;
    alter table box.sealed_votes drop column chained;
  `.execute(db);
}

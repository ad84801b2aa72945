import { type Kysely, sql } from 'kysely';

/*
 * The commitments (src/services/commitments.ts).
 * - issued_tokens: every token hash a ballot has issued (at open, and later: a member added,
 *   a link sent again), with no member: what the commitment at open and the record's token
 *   lists are read from. At close it is rewritten in hash order with each token's used flag.
 * - voting_tokens.token_hash is dropped (set to null) at close: after close nothing pairs a
 *   member with a token hash.
 * - box.receipts: under the `inclusion` policy the receipts are kept apart from the votes,
 *   whose receipt is then null: nothing the office can read pairs a receipt with answers.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table issued_tokens (
      ballot_id uuid not null references ballots (id) on delete cascade,
      token_hash bytea not null,
      -- Issued when the ballot opened (covered by the commitment at open), or later.
      at_open boolean not null,
      used boolean,
      primary key (ballot_id, token_hash)
    );
    alter table voting_tokens alter column token_hash drop not null;
    create table box.receipts (
      ballot_id uuid not null references ballots (id),
      receipt text not null unique
    );
    create index receipts_ballot on box.receipts (ballot_id);
    alter table box.votes alter column receipt drop not null;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table box.receipts;
    drop table issued_tokens;
  `.execute(db);
}

import { type Kysely, sql } from 'kysely';

/*
 * A verifiable ballot's pool proofs (docs/verifiable.md, "Branch figures of ranked
 * questions"): each trustee's shuffle keeps the pools of branches apart, and proves it pool by
 * pool beside Belenios's whole-list proof. Kept beside the Belenios events, as the pools'
 * decryptions are, so the archive stays what belenios-tool verifies. Append-only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table verifiable_pool_shuffles (
      ballot_id uuid not null references verifiable_branch_tallies (ballot_id),
      trustee integer not null check (trustee >= 1),
      pools text not null,
      at timestamptz not null default now(),
      primary key (ballot_id, trustee)
    );
    create trigger verifiable_pool_shuffles_append_only before update or delete on verifiable_pool_shuffles
      for each row execute function verifiable_events_append_only();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table verifiable_pool_shuffles`.execute(db);
}

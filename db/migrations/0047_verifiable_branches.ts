import { type Kysely, sql } from 'kysely';

/*
 * A verifiable ballot's branch figures (docs/verifiable.md, "Branch figures"): at the close,
 * the pools of branches and their encrypted sub-tallies, stored as one text whose hash the
 * log's close entry records; then each trustee's partial decryptions of them. Beside the
 * Belenios events, not among them, so the archive stays what belenios-tool verifies.
 * Append-only, as the events are.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table verifiable_branch_tallies (
      ballot_id uuid primary key references ballots (id),
      section text not null,
      at timestamptz not null default now()
    );
    create table verifiable_pool_decryptions (
      ballot_id uuid not null references verifiable_branch_tallies (ballot_id),
      trustee integer not null check (trustee >= 1),
      pools text not null,
      at timestamptz not null default now(),
      primary key (ballot_id, trustee)
    );
    create trigger verifiable_branch_tallies_append_only before update or delete on verifiable_branch_tallies
      for each row execute function verifiable_events_append_only();
    create trigger verifiable_pool_decryptions_append_only before update or delete on verifiable_pool_decryptions
      for each row execute function verifiable_events_append_only();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table verifiable_pool_decryptions; drop table verifiable_branch_tallies`.execute(db);
}

import { type Kysely, sql } from 'kysely';

/*
 * A ballot's results, counted once at close and stored: the canonical JSON of every
 * question's result (the bytes their hash is taken over, so text rather than jsonb, which
 * would reorder keys) and its SHA-256. Ballots closed before this are counted once, when
 * their results are first asked for (src/services/results.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table ballot_results (
      ballot_id uuid primary key references ballots (id) on delete cascade,
      results text not null,
      results_hash text not null check (results_hash ~ '^[0-9a-f]{64}$'),
      counted_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table ballot_results`.execute(db);
}

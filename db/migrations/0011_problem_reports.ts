import { type Kysely, sql } from 'kysely';

/*
 * Problems members report about a ballot (src/services/problem-reports.ts). No member, no
 * token, no address: only the text the member wrote and when. Each report is mailed to the
 * ballot's auditors and its hash is entered in the hash-chained audit log, so the office can
 * read a report but not remove it without the log (and the count on the board) showing it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table problem_reports (
      id uuid primary key default gen_random_uuid(),
      ballot_id uuid not null references ballots (id) on delete cascade,
      received_at timestamptz not null default now(),
      text text not null,
      -- SHA-256 of the text, as entered in the audit log.
      text_hash text not null
    );
    create index problem_reports_ballot on problem_reports (ballot_id, received_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table problem_reports`.execute(db);
}

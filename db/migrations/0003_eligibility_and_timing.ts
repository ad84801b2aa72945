import { type Kysely, sql } from 'kysely';

/*
 * Who may vote (all members, chosen branches, or those who joined before a date), option
 * order shuffled per voter against ballot-order bias, invitations sent at a set time, and
 * turnout over time. The turnout history holds counts per ballot at set moments — an
 * aggregate, never a member and never a vote.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table ballots
      add column eligibility jsonb,
      add column randomise_options boolean not null default false,
      add column invitations_at timestamptz;

    create table turnout_history (
      ballot_id uuid not null references ballots(id) on delete cascade,
      at timestamptz not null,
      voted int not null,
      primary key (ballot_id, at)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table turnout_history;
    alter table ballots drop column eligibility, drop column randomise_options, drop column invitations_at;
  `.execute(db);
}

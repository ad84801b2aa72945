import { type Kysely, sql } from 'kysely';

/*
 * - ballot_mail: a ballot's own wording of its invitations and reminders (null: the default
 *   text in emails/), and the contact address replies go to. One row per ballot, or none.
 * - password_resets: "forgot password" links. Only the token's hash is kept; a link works
 *   once, until it expires.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table ballot_mail (
      ballot_id uuid primary key references ballots (id) on delete cascade,
      invitation_subject text,
      invitation_opening text,
      reminder_subject text,
      reminder_opening text,
      reply_to text,
      -- A "you voted" email at each cast; only for ballots that show their voter list.
      confirm_votes boolean not null default false,
      updated_at timestamptz not null default now()
    );
    create table password_resets (
      token_hash bytea primary key,
      organiser_id uuid not null references organisers (id) on delete cascade,
      expires_at timestamptz not null,
      used_at timestamptz,
      created_at timestamptz not null default now()
    );
    create index password_resets_organiser on password_resets (organiser_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table password_resets;
    drop table ballot_mail;
  `.execute(db);
}

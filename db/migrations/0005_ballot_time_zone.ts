import { type Kysely, sql } from 'kysely';

/* The time zone a ballot's times are shown in (IANA name), to organisers and members alike. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table ballots add column time_zone text not null default 'UTC'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table ballots drop column time_zone`.execute(db);
}

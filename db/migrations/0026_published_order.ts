import { type Kysely, sql } from 'kysely';

/*
 * Each plain vote's place in the record's published order (by receipt under `choices`, by
 * its leaf under `inclusion`), written at close, so that the record can be exported from a
 * cursor in that order instead of sorting every vote in memory. Null for votes of ballots
 * closed before: their export still sorts them in memory.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table box.votes add column position int;
    create unique index votes_position on box.votes (ballot_id, position) where position is not null;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index box.votes_position;
    alter table box.votes drop column position;
  `.execute(db);
}

import { type Kysely, sql } from 'kysely';

/*
 * The turnout per branch (eligible and voted), counted from the tokens once at close and
 * stored with the results, so that reading a closed ballot's results counts no tokens.
 * Null for results stored before this and for verifiable ballots (whose turnout is the
 * board's): those are counted on read, as before (src/services/results.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table ballot_results add column turnout jsonb`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table ballot_results drop column turnout`.execute(db);
}

import { type Kysely, sql } from 'kysely';

/*
 * Delegate comparisons declared per question before the ballot opens (issue 12): each a
 * model and a procedure, as @omov/core/domain/ballot's comparisonSchema reads them. They are
 * committed at open with their question; an empty list is a question without any, whose
 * committed definition is as it was before they existed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table questions add column comparisons jsonb not null default '[]'::jsonb`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table questions drop column comparisons`.execute(db);
}

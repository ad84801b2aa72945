import { type Kysely, sql } from 'kysely';

/* A message the provider reports as bounced (or complained about) after accepting it. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter type mail_status add value if not exists 'bounced'`.execute(db);
}

export async function down(): Promise<void> {
  // PostgreSQL cannot drop an enum value; 'bounced' stays, unused.
}

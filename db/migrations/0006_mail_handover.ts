import { type Kysely, sql } from 'kysely';

/*
 * A message handed to the mail server whose answer is not yet recorded ('handed'): never
 * sent again. Leases (sending and handed rows) are found through their own index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter type mail_status add value if not exists 'handed'`.execute(db);
  await sql`create index if not exists mail_outbox_leased on mail_outbox (locked_until) where locked_until is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // PostgreSQL cannot drop an enum value; 'handed' stays, unused.
  await sql`drop index if exists mail_outbox_leased`.execute(db);
}

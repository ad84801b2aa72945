import { type Kysely, sql } from 'kysely';

/*
 * The group a verifiable ballot's public credentials were checked in at their upload
 * (docs/verifiable.md, "The group"). The ballot's group follows from its questions, which may
 * change after the upload (a ranked question added or removed); the opening compares this
 * with the group the questions need now, without checking every credential again. Null while
 * no credentials are in, and for credentials uploaded before this column (the opening checks
 * those one by one).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table ballot_credential_authorities
      add column credentials_group text check (credentials_group in ('BELENIOS-2048', 'RFC-3526-2048'))
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table ballot_credential_authorities drop column credentials_group`.execute(db);
}

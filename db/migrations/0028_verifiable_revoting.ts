import { type Kysely, sql } from 'kysely';

/*
 * Whether a verifiable ballot lets a member cast again with the same credential, the later
 * ballot replacing the earlier (docs/verifiable.md). Set exactly for verifiable ballots;
 * those made before this allowed it, as Belenios does, and keep doing so.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table ballots add column revoting boolean;
    update ballots set revoting = true where mode = 'verifiable';
    alter table ballots add constraint ballot_mode_revoting
      check ((mode = 'verifiable') = (revoting is not null));
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table ballots drop constraint ballot_mode_revoting, drop column revoting`.execute(db);
}

import { type Kysely, sql } from 'kysely';

/*
 * A ballot's mode (docs/verifiable.md): `office`, as every ballot before this, or
 * `verifiable`, with its n trustees, the threshold t of them needed to decrypt, and the named
 * credential authority. The check keeps the three set exactly for verifiable ballots.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table ballots
      add column mode text not null default 'office' check (mode in ('office', 'verifiable')),
      add column trustees smallint,
      add column threshold smallint,
      add column credential_authority text,
      add constraint ballot_mode_parameters check (
        case mode
          when 'office' then trustees is null and threshold is null and credential_authority is null
          -- Each column named as not null: a comparison with a null is null, which a check lets through.
          else trustees is not null and threshold is not null and credential_authority is not null
            and trustees >= 1 and threshold between 1 and trustees and credential_authority <> ''
        end
      )
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table ballots
      drop constraint ballot_mode_parameters,
      drop column credential_authority,
      drop column threshold,
      drop column trustees,
      drop column mode
  `.execute(db);
}

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
      );
    -- A verifiable ballot's trustees (docs/verifiable.md), numbered 1 … n in the order of the
    -- key generation. Each has their own secret token (only its hash here) and hands over only
    -- public messages, each checked before it is stored: their certificate, their polynomial
    -- (commitments signed, shares encrypted to each trustee), their verification key.
    create table ballot_trustees (
      ballot_id uuid not null references ballots (id) on delete cascade,
      position smallint not null check (position >= 1),
      name text not null,
      token_hash bytea not null unique,
      certificate text,
      polynomial text,
      verification_key text,
      primary key (ballot_id, position)
    );
    -- Once every trustee's verification key is in: the trustees as an election lists them
    -- (Belenios's ["Pedersen", …] entry) and the election's public key.
    create table ballot_election_keys (
      ballot_id uuid primary key references ballots (id) on delete cascade,
      trustees text not null,
      public_key text not null check (public_key ~ '^[0-9]+$')
    );
    -- The credential authority: their own secret token (its hash), and the election's Belenios
    -- uuid, from which credentials are derived (so it is fixed before any credential exists).
    create table ballot_credential_authorities (
      ballot_id uuid primary key references ballots (id) on delete cascade,
      token_hash bytea not null unique,
      election_uuid text not null
    );
    -- The public credentials the authority uploaded, each with its weight and voting unit
    -- (branch), and no member: the server cannot tell whose a credential is.
    create table ballot_public_credentials (
      ballot_id uuid not null references ballots (id) on delete cascade,
      credential text not null check (credential ~ '^[0-9]+$'),
      weight bigint not null check (weight >= 1),
      branch_id uuid not null references branches (id),
      primary key (ballot_id, credential)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table ballot_public_credentials;
    drop table ballot_credential_authorities;
    drop table ballot_election_keys;
    drop table ballot_trustees;
    alter table ballots
      drop constraint ballot_mode_parameters,
      drop column credential_authority,
      drop column threshold,
      drop column trustees,
      drop column mode
  `.execute(db);
}

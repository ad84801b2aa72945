import { type Kysely, sql } from 'kysely';

/*
 * Elections with nominations (issue 13, part 5; docs/elections.md "Nominations").
 *
 * - elections: an election to a committee, set by an organiser: its seats, its nomination
 *   period, its threshold (members' nominations, branches' nominations, or both), its
 *   balance groups, and the longest statement. Fixed once created: a trigger refuses any
 *   change of these, whoever writes. When nominations have closed the office puts it on a
 *   draft ballot: the seed of the candidates' order and the candidates, in that order, are
 *   then stored once and never change (the trigger again); `ballot_id` goes back to null if
 *   that draft ballot is deleted, and the same candidates, in the same order, go on the next.
 * - nominees: a current member nominated for an election, once each. Their personal link
 *   to accept or decline is kept as a hash only (it travels sealed in the mail queue). The
 *   name is the roll's at the first nomination; the groups and the statement are the
 *   nominee's own, given when they accept.
 * - nominations: one row per nominator: a member (a keyed hash of nominee and member, as
 *   proposal signatures, so that "once each" holds without a list of who nominated; the
 *   branch kept for the public counts) or a branch, through its secretary's link.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table elections (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisations (id),
      title text not null,
      description text not null default '',
      seats int not null check (seats between 1 and 100),
      opens_at timestamptz not null,
      closes_at timestamptz not null,
      members_needed int check (members_needed >= 1),
      branches_needed int check (branches_needed >= 1),
      combine text not null check (combine in ('either', 'both')),
      k int not null check (k >= 1),
      statement_max int not null check (statement_max between 1 and 2000),
      groups jsonb not null default '[]',
      created_at timestamptz not null default now(),
      created_by text not null,
      order_seed text,
      candidates jsonb,
      ballot_id uuid references ballots (id) on delete set null,
      scheduled_at timestamptz,
      check (closes_at > opens_at),
      check (members_needed is not null or branches_needed is not null),
      check ((order_seed is null) = (candidates is null))
    );
    create index elections_organisation on elections (organisation_id, created_at desc);
    create index elections_ballot on elections (ballot_id) where ballot_id is not null;

    create function elections_fixed() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        raise exception 'an election with nominations cannot be deleted' using errcode = 'check_violation';
      end if;
      if (new.organisation_id, new.title, new.description, new.seats, new.opens_at, new.closes_at, new.members_needed,
          new.branches_needed, new.combine, new.k, new.statement_max, new.groups, new.created_at, new.created_by)
          is distinct from (old.organisation_id, old.title, old.description, old.seats, old.opens_at, old.closes_at,
          old.members_needed, old.branches_needed, old.combine, old.k, old.statement_max, old.groups, old.created_at,
          old.created_by) then
        raise exception 'an election''s rules cannot change once it is set' using errcode = 'check_violation';
      end if;
      if old.candidates is not null and (new.candidates, new.order_seed) is distinct from (old.candidates, old.order_seed) then
        raise exception 'an election''s candidates are fixed when nominations close' using errcode = 'check_violation';
      end if;
      return new;
    end $$;
    create trigger elections_fixed before update or delete on elections
      for each row execute function elections_fixed();

    create table nominees (
      id uuid primary key default gen_random_uuid(),
      election_id uuid not null references elections (id),
      member_id uuid not null references members (id),
      branch_id uuid not null references branches (id),
      name text not null,
      email text not null,
      token_hash bytea not null unique,
      status text not null default 'pending' check (status in ('pending', 'accepted', 'declined')),
      groups jsonb not null default '[]',
      statement text,
      answered_at timestamptz,
      created_at timestamptz not null default now(),
      unique (election_id, member_id)
    );

    create table nominations (
      nominee_id uuid not null references nominees (id),
      nominator bytea not null,
      kind text not null check (kind in ('member', 'branch')),
      branch_id uuid not null references branches (id),
      primary key (nominee_id, nominator)
    );
    create unique index nominations_branch on nominations (nominee_id, branch_id) where kind = 'branch';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table nominations, nominees;
    drop trigger elections_fixed on elections; drop function elections_fixed();
    drop table elections;
  `.execute(db);
}

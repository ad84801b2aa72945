import { type Kysely, sql } from 'kysely';

/*
 * Branch meetings' positions (issue 13, part 4; docs/proposals.md "Branch positions").
 *
 * - branch_secretaries: the secretary the organiser names for a branch (one per branch; a
 *   new name replaces the old). Their personal link is kept as a hash only (the link travels
 *   sealed in the mail queue, like a voting link); naming again issues a new link and the
 *   old one stops working.
 * - branch_positions: the position a branch meeting adopted on a question of a draft ballot
 *   (an option, or none: option_id null) and the meeting's attendance. A trigger refuses
 *   any change once the question's ballot is out of draft, whoever writes: the positions
 *   are fixed at opening and committed with the question (the definition hash).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table branch_secretaries (
      branch_id uuid primary key references branches (id) on delete cascade,
      organisation_id uuid not null references organisations (id),
      name text not null,
      email text not null,
      token_hash bytea not null unique,
      named_at timestamptz not null default now(),
      named_by text not null
    );

    create table branch_positions (
      question_id uuid not null references questions (id) on delete cascade,
      branch_id uuid not null references branches (id),
      option_id uuid references options (id) on delete cascade,
      attendance int not null check (attendance >= 0),
      recorded_at timestamptz not null default now(),
      primary key (question_id, branch_id)
    );

    create function branch_positions_fixed() returns trigger language plpgsql as $$
    declare
      s text;
    begin
      select b.status into s from questions q join ballots b on b.id = q.ballot_id
        where q.id = coalesce(new.question_id, old.question_id);
      if s is not null and s <> 'draft' then
        raise exception 'a branch position is fixed once its ballot has opened' using errcode = 'check_violation';
      end if;
      return coalesce(new, old);
    end $$;
    create trigger branch_positions_fixed before insert or update or delete on branch_positions
      for each row execute function branch_positions_fixed();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop trigger branch_positions_fixed on branch_positions; drop function branch_positions_fixed();
    drop table branch_positions, branch_secretaries;
  `.execute(db);
}

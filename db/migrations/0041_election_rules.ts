import { type Kysely, sql } from 'kysely';

/*
 * Elections with nominations, the rest (issue 13, part 5; docs/elections.md "Nominations").
 *
 * - elections.rules: the STV rules the candidates' question is counted by (Scottish, Meek or
 *   ERS97; Scottish for the elections set before). Fixed with the other rules: the trigger
 *   now refuses a change of it too.
 * - nominees.threshold_mailed_at: when the nominee was mailed that their nominations reach
 *   the threshold, so that they are mailed once.
 * - elections.open_mailed_at: when the members were mailed that nominations are open. The
 *   mail goes at the opening time (the scheduler), or when the election is set if it opens
 *   at once; the elections set before were mailed when set.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table elections add column rules text not null default 'scottish'
      check (rules in ('scottish', 'meek', 'ers97'));
    alter table nominees add column threshold_mailed_at timestamptz;
    alter table elections add column open_mailed_at timestamptz;
    update elections set open_mailed_at = created_at;
    create index elections_open_mail_due on elections (opens_at) where open_mailed_at is null;

    create or replace function elections_fixed() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        raise exception 'an election with nominations cannot be deleted' using errcode = 'check_violation';
      end if;
      if (new.organisation_id, new.title, new.description, new.seats, new.opens_at, new.closes_at, new.members_needed,
          new.branches_needed, new.combine, new.k, new.statement_max, new.groups, new.created_at, new.created_by,
          new.rules)
          is distinct from (old.organisation_id, old.title, old.description, old.seats, old.opens_at, old.closes_at,
          old.members_needed, old.branches_needed, old.combine, old.k, old.statement_max, old.groups, old.created_at,
          old.created_by, old.rules) then
        raise exception 'an election''s rules cannot change once it is set' using errcode = 'check_violation';
      end if;
      if old.candidates is not null and (new.candidates, new.order_seed) is distinct from (old.candidates, old.order_seed) then
        raise exception 'an election''s candidates are fixed when nominations close' using errcode = 'check_violation';
      end if;
      return new;
    end $$;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    create or replace function elections_fixed() returns trigger language plpgsql as $$
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
    alter table nominees drop column threshold_mailed_at;
    alter table elections drop column open_mailed_at;
    alter table elections drop column rules;
  `.execute(db);
}

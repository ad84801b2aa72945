import { type Kysely, sql } from 'kysely';

/*
 * Amendments to members' proposals (docs/proposals.md#amendments, src/services/proposals.ts).
 *
 * - proposal_rules.amendment_days: how long amendments may be tabled once a motion
 *   qualifies; null: the organisation takes no amendments.
 * - proposals.kind 'amendment': a replacement of its parent motion's text, in full
 *   (`parent_id`), gathering its own signatures by the same rules.
 * - proposals.amendments_close_at: on a motion, when its amendment period closes (set when it
 *   qualifies under rules with amendment_days).
 * - The trigger that fixes a started proposal's wording now fixes its parent too.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table proposal_rules add column amendment_days int check (amendment_days between 1 and 366);
    alter table proposals drop constraint proposals_kind_check;
    alter table proposals add constraint proposals_kind_check check (kind in ('motion', 'question', 'amendment'));
    alter table proposals add constraint proposals_amendment_parent check ((kind = 'amendment') = (parent_id is not null));
    alter table proposals add column amendments_close_at timestamptz;
    create index proposals_parent on proposals (parent_id) where parent_id is not null;

    create or replace function proposals_fixed() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        if old.status <> 'draft' then
          raise exception 'a started proposal cannot be withdrawn' using errcode = 'check_violation';
        end if;
        return old;
      end if;
      if old.status <> 'draft' and (new.kind, new.title, new.text, new.options, new.proposer_member_id, new.started_at, new.rules_id, new.parent_id)
          is distinct from (old.kind, old.title, old.text, old.options, old.proposer_member_id, old.started_at, old.rules_id, old.parent_id) then
        raise exception 'a started proposal''s wording cannot change' using errcode = 'check_violation';
      end if;
      return new;
    end $$;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    create or replace function proposals_fixed() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        if old.status <> 'draft' then
          raise exception 'a started proposal cannot be withdrawn' using errcode = 'check_violation';
        end if;
        return old;
      end if;
      if old.status <> 'draft' and (new.kind, new.title, new.text, new.options, new.proposer_member_id, new.started_at, new.rules_id)
          is distinct from (old.kind, old.title, old.text, old.options, old.proposer_member_id, old.started_at, old.rules_id) then
        raise exception 'a started proposal''s wording cannot change' using errcode = 'check_violation';
      end if;
      return new;
    end $$;
    drop index proposals_parent;
    alter table proposals drop column amendments_close_at;
    alter table proposals drop constraint proposals_amendment_parent;
    delete from proposal_signatures where proposal_id in (select id from proposals where kind = 'amendment');
    alter table proposals disable trigger proposals_fixed;
    delete from proposals where kind = 'amendment';
    alter table proposals enable trigger proposals_fixed;
    alter table proposals drop constraint proposals_kind_check;
    alter table proposals add constraint proposals_kind_check check (kind in ('motion', 'question'));
    alter table proposal_rules drop column amendment_days;
  `.execute(db);
}

import { type Kysely, sql } from 'kysely';

/*
 * Issue 13, what is left besides nominations (docs/proposals.md):
 *
 * - The members' case against ("The case for and the case against"): a proposal of kind
 *   'against' answers a member proposal (`parent_id`), gathers signatures by the same rules,
 *   and the first to qualify is the question's case against.
 * - Amendments tabled by a branch through its secretary ("Amendments"): `branch_id` names the
 *   branch that tabled it, in place of a proposing member (only amendments; exactly one of
 *   the two). The trigger that fixes a started proposal's wording now fixes `branch_id` too.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table proposals drop constraint proposals_kind_check;
    alter table proposals add constraint proposals_kind_check check (kind in ('motion', 'question', 'amendment', 'against'));
    alter table proposals drop constraint proposals_amendment_parent;
    alter table proposals add constraint proposals_amendment_parent check ((kind in ('amendment', 'against')) = (parent_id is not null));

    alter table proposals add column branch_id uuid references branches (id);
    alter table proposals alter column proposer_member_id drop not null;
    alter table proposals add constraint proposals_mover check (
      (proposer_member_id is null) <> (branch_id is null) and (branch_id is null or kind = 'amendment')
    );

    create or replace function proposals_fixed() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        if old.status <> 'draft' then
          raise exception 'a started proposal cannot be withdrawn' using errcode = 'check_violation';
        end if;
        return old;
      end if;
      if old.status <> 'draft' and (new.kind, new.title, new.text, new.options, new.proposer_member_id, new.branch_id, new.started_at, new.rules_id, new.parent_id)
          is distinct from (old.kind, old.title, old.text, old.options, old.proposer_member_id, old.branch_id, old.started_at, old.rules_id, old.parent_id) then
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
      if old.status <> 'draft' and (new.kind, new.title, new.text, new.options, new.proposer_member_id, new.started_at, new.rules_id, new.parent_id)
          is distinct from (old.kind, old.title, old.text, old.options, old.proposer_member_id, old.started_at, old.rules_id, old.parent_id) then
        raise exception 'a started proposal''s wording cannot change' using errcode = 'check_violation';
      end if;
      return new;
    end $$;
    delete from proposal_signatures where proposal_id in (select id from proposals where kind = 'against' or branch_id is not null);
    alter table proposals disable trigger proposals_fixed;
    delete from proposals where kind = 'against' or branch_id is not null;
    alter table proposals enable trigger proposals_fixed;
    alter table proposals drop constraint proposals_mover;
    alter table proposals alter column proposer_member_id set not null;
    alter table proposals drop column branch_id;
    alter table proposals drop constraint proposals_amendment_parent;
    alter table proposals add constraint proposals_amendment_parent check ((kind = 'amendment') = (parent_id is not null));
    alter table proposals drop constraint proposals_kind_check;
    alter table proposals add constraint proposals_kind_check check (kind in ('motion', 'question', 'amendment'));
  `.execute(db);
}

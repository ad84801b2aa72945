import { type Kysely, sql } from 'kysely';

/*
 * The members' case against an office question (issue 13, part 2; docs/proposals.md, "The
 * case for and the case against"). A case against (a proposal of kind 'against') answers
 * either a member proposal (`parent_id`, 0038) or a question the office put on a draft
 * ballot: `question_ballot_id` and `question_id`.
 *
 * - A draft's edit writes its questions anew (new ids): the service moves `question_id` to
 *   the question of the same title, as the office's statements follow theirs. The key to
 *   questions is `on delete set null` so that the edit can delete and write again in one
 *   transaction; the service refuses (409) any edit that drops or changes the question of a
 *   qualified case against, and the deletion of its ballot.
 * - `question_ballot_id` is fixed once started, as the wording is (the trigger): only the
 *   deletion of a draft ballot may clear it (a case still gathering is then left answering
 *   nothing and can no longer qualify).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table proposals add column question_ballot_id uuid references ballots (id) on delete set null;
    alter table proposals add column question_id uuid references questions (id) on delete set null;
    create index proposals_question_ballot on proposals (question_ballot_id) where question_ballot_id is not null;

    alter table proposals drop constraint proposals_amendment_parent;
    alter table proposals add constraint proposals_amendment_parent check (
      case kind
        when 'amendment' then parent_id is not null
        when 'against' then parent_id is null or question_ballot_id is null
        else parent_id is null
      end
    );
    alter table proposals add constraint proposals_question_against check (
      (question_ballot_id is null and question_id is null) or kind = 'against'
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
      if old.status <> 'draft' and new.question_ballot_id is distinct from old.question_ballot_id
          and new.question_ballot_id is not null then
        raise exception 'a started case against answers the ballot it started on' using errcode = 'check_violation';
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
      if old.status <> 'draft' and (new.kind, new.title, new.text, new.options, new.proposer_member_id, new.branch_id, new.started_at, new.rules_id, new.parent_id)
          is distinct from (old.kind, old.title, old.text, old.options, old.proposer_member_id, old.branch_id, old.started_at, old.rules_id, old.parent_id) then
        raise exception 'a started proposal''s wording cannot change' using errcode = 'check_violation';
      end if;
      return new;
    end $$;
    delete from proposal_signatures where proposal_id in (select id from proposals where kind = 'against' and parent_id is null);
    alter table proposals disable trigger proposals_fixed;
    delete from proposals where kind = 'against' and parent_id is null;
    alter table proposals enable trigger proposals_fixed;
    alter table proposals drop constraint proposals_question_against;
    alter table proposals drop constraint proposals_amendment_parent;
    alter table proposals add constraint proposals_amendment_parent check ((kind in ('amendment', 'against')) = (parent_id is not null));
    alter table proposals drop column question_id;
    alter table proposals drop column question_ballot_id;
  `.execute(db);
}

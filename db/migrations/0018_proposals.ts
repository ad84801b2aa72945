import { type Kysely, sql } from 'kysely';

/*
 * Member proposals (docs/proposals.md, src/services/proposals.ts).
 *
 * - proposal_rules: the organisation's rules, one row per change, never updated: the newest
 *   is in force, and every proposal points at the row it started under.
 * - proposal_links: a member's personal link to the proposal pages, as a hash only (the link
 *   travels sealed in the mail queue, like a voting link). No record of its use.
 * - proposals: a member's motion or question. Once started its wording cannot change (a
 *   trigger says so to any writer, the office's included) and it cannot be deleted; its
 *   hash is in the audit log. `parent_id` is for what answers a proposal later (amendments,
 *   the members' case against); `kind` will grow with them.
 * - proposal_signatures: one row per supporter, holding a keyed hash of (proposal, member),
 *   not the member, so that "once each" holds without a list of who signed. The branch is
 *   kept for the public counts per branch. No time, no order.
 * - question_statements: the case for and the case against a question written by the office
 *   (a member proposal's case for is the proposers', kept on the proposal as case_for).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table proposal_rules (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisations (id),
      share_percent numeric check (share_percent > 0 and share_percent <= 100),
      min_branches int check (min_branches >= 1),
      combine text not null check (combine in ('either', 'both')),
      window_days int not null check (window_days between 1 and 366),
      schedule_days int not null check (schedule_days between 1 and 366),
      k int not null check (k >= 1),
      set_at timestamptz not null default now(),
      set_by text not null,
      check (share_percent is not null or min_branches is not null)
    );
    create index proposal_rules_organisation on proposal_rules (organisation_id, set_at desc);

    create table proposal_links (
      token_hash bytea primary key,
      organisation_id uuid not null references organisations (id),
      member_id uuid not null references members (id) on delete cascade,
      expires_at timestamptz not null,
      created_at timestamptz not null default now()
    );
    create index proposal_links_member on proposal_links (member_id);

    create table proposals (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisations (id),
      rules_id uuid not null references proposal_rules (id),
      parent_id uuid references proposals (id),
      kind text not null check (kind in ('motion', 'question')),
      title text not null,
      text text not null,
      options jsonb,
      proposer_member_id uuid not null references members (id),
      status text not null default 'draft' check (status in ('draft', 'gathering', 'qualified', 'scheduled')),
      created_at timestamptz not null default now(),
      started_at timestamptz,
      closes_at timestamptz,
      supporters_needed int,
      branches_needed int,
      qualified_at timestamptz,
      schedule_by timestamptz,
      -- A draft ballot deleted after scheduling gives the proposal back to the office to schedule.
      ballot_id uuid references ballots (id) on delete set null,
      scheduled_at timestamptz,
      -- The proposers' case for, shown beside the question it becomes (question_statements holds the rest).
      case_for text,
      check ((kind = 'question') = (options is not null)),
      check (status = 'draft' or (started_at is not null and closes_at is not null))
    );
    create index proposals_organisation on proposals (organisation_id, status);
    create index proposals_ballot on proposals (ballot_id) where ballot_id is not null;

    create function proposals_fixed() returns trigger language plpgsql as $$
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
    create trigger proposals_fixed before update or delete on proposals
      for each row execute function proposals_fixed();

    create table proposal_signatures (
      proposal_id uuid not null references proposals (id),
      signer bytea not null,
      branch_id uuid not null references branches (id),
      primary key (proposal_id, signer)
    );

    create table question_statements (
      question_id uuid not null references questions (id) on delete cascade,
      side text not null check (side in ('for', 'against')),
      text text not null,
      author text not null check (author in ('office', 'proposers', 'members')),
      proposal_id uuid references proposals (id),
      primary key (question_id, side)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table question_statements, proposal_signatures;
    drop trigger proposals_fixed on proposals; drop function proposals_fixed();
    drop table proposals, proposal_links, proposal_rules;
  `.execute(db);
}

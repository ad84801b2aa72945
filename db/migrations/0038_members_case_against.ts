import { type Kysely, sql } from 'kysely';

/*
 * The members' case against (issue 13, part 2; docs/proposals.md "The case for and the case
 * against"): a proposal of kind 'against' answers a member proposal (`parent_id`), gathers
 * signatures by the same rules, and the first to qualify is the question's case against.
 * The trigger of 0033 already fixes its wording and its parent once started.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table proposals drop constraint proposals_kind_check;
    alter table proposals add constraint proposals_kind_check check (kind in ('motion', 'question', 'amendment', 'against'));
    alter table proposals drop constraint proposals_amendment_parent;
    alter table proposals add constraint proposals_amendment_parent check ((kind in ('amendment', 'against')) = (parent_id is not null));
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    delete from proposal_signatures where proposal_id in (select id from proposals where kind = 'against');
    alter table proposals disable trigger proposals_fixed;
    delete from proposals where kind = 'against';
    alter table proposals enable trigger proposals_fixed;
    alter table proposals drop constraint proposals_amendment_parent;
    alter table proposals add constraint proposals_amendment_parent check ((kind = 'amendment') = (parent_id is not null));
    alter table proposals drop constraint proposals_kind_check;
    alter table proposals add constraint proposals_kind_check check (kind in ('motion', 'question', 'amendment'));
  `.execute(db);
}

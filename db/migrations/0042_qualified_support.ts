import { type Kysely, sql } from 'kysely';

/*
 * Member proposals in the election record (docs/election-record.md, "proposals"): the
 * support that qualified a proposal, per branch pooled under the rules' k, as it stood at
 * the qualifying signature. Signatures carry no time (0018), so this cannot be read back
 * later: it is kept when the proposal qualifies (and written into the log's
 * `proposal.qualify` entry), and once kept it never changes, whoever writes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table proposals add column qualified_support jsonb;

    create function proposals_support_fixed() returns trigger language plpgsql as $$
    begin
      if old.qualified_support is not null and new.qualified_support is distinct from old.qualified_support then
        raise exception 'the support a proposal qualified with cannot change' using errcode = 'check_violation';
      end if;
      return new;
    end $$;
    create trigger proposals_support_fixed before update on proposals
      for each row execute function proposals_support_fixed();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop trigger proposals_support_fixed on proposals;
    drop function proposals_support_fixed();
    alter table proposals drop column qualified_support;
  `.execute(db);
}

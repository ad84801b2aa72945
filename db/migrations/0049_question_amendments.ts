import { type Kysely, sql } from 'kysely';

/*
 * Amendments to a member proposal that is a question with options
 * (docs/proposals.md#amendments-to-a-question): such an amendment carries its replacement
 * option list in `options`, so an amendment may have options as a question must.
 * The trigger already fixes `options` with the rest of the wording once started.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    do $$
    declare c text;
    begin
      -- The unnamed check of 0018 that ties options to questions, found by what it says.
      select conname into strict c from pg_constraint
        where conrelid = 'proposals'::regclass and contype = 'c'
          and pg_get_constraintdef(oid) like '%kind = ''question''%options IS NOT NULL%';
      execute format('alter table proposals drop constraint %I', c);
    end $$;
    alter table proposals add constraint proposals_options_check
      check (case kind when 'question' then options is not null when 'amendment' then true else options is null end);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table proposals disable trigger proposals_fixed;
    update proposals set options = null where kind = 'amendment';
    alter table proposals enable trigger proposals_fixed;
    alter table proposals drop constraint proposals_options_check;
    alter table proposals add constraint proposals_question_options check ((kind = 'question') = (options is not null));
  `.execute(db);
}

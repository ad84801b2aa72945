import { type Kysely, sql } from 'kysely';

/*
 * The open's bulk tables (voting_tokens, mail_outbox, issued_tokens) get one row per member,
 * 500,000 of each at a party's open. Their foreign keys were checked per row, each check a
 * lookup that also locks the row it finds (FOR KEY SHARE): seven per member. They are
 * replaced here by checks that hold the same integrity per statement:
 *
 * - on insert, one statement-level trigger per table reads the statement's new rows (a
 *   transition table) and refuses the whole statement (SQLSTATE 23503, as the key did) if any
 *   names a ballot, member, branch or organisation that does not exist;
 * - the key columns of those rows never change (a row trigger refuses it), so a row checked
 *   when written stays right;
 * - deleting a ballot, member, branch or organisation that such a row names is refused the
 *   same way, and the key columns of the referenced tables never change. A ballot's issued
 *   tokens still go with it (their key cascaded).
 * - a writer in flight is waited for, so that the check sees what it committed (READ
 *   COMMITTED: each check reads afresh). Ballots, deleted as drafts every day: the insert
 *   check locks the few ballots its rows name FOR KEY SHARE, as the key did, and a delete
 *   waits for that row lock. Members, branches and organisations, which omov never deletes
 *   (a member leaves the roll with removed_at): a delete takes a SHARE lock on the bulk
 *   tables first, rather than every insert locking 500,000 member rows.
 *
 * tests/integrity/bulk-keys.test.ts shows each of these refusals.
 */

const REFERENCING = [
  { table: 'voting_tokens', keys: ['ballot_id', 'member_id', 'branch_id'] },
  { table: 'mail_outbox', keys: ['organisation_id', 'ballot_id', 'member_id'] },
  { table: 'issued_tokens', keys: ['ballot_id'] },
] as const;

const TARGET: Record<string, string> = {
  ballot_id: 'ballots',
  member_id: 'members',
  branch_id: 'branches',
  organisation_id: 'organisations',
};

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table voting_tokens
      drop constraint voting_tokens_ballot_id_fkey,
      drop constraint voting_tokens_member_id_fkey,
      drop constraint voting_tokens_branch_id_fkey;
    alter table mail_outbox
      drop constraint mail_outbox_organisation_id_fkey,
      drop constraint mail_outbox_ballot_id_fkey,
      drop constraint mail_outbox_member_id_fkey;
    alter table issued_tokens drop constraint issued_tokens_ballot_id_fkey;

    create function refuse_key_change() returns trigger language plpgsql as $$
    begin
      raise exception '%: its key columns do not change', tg_table_name using errcode = 'foreign_key_violation';
    end $$;
  `.execute(db);

  for (const { table, keys } of REFERENCING) {
    const missing = keys
      .map(
        (k) =>
          `exists (select 1 from new_rows n where n.${k} is not null and not exists (select 1 from ${TARGET[k]} x where x.id = n.${k}))`,
      )
      .join('\n        or ');
    await sql
      .raw(
        `
      create function ${table}_keys() returns trigger language plpgsql as $$
      begin
        ${
          (keys as readonly string[]).includes('ballot_id')
            ? 'perform 1 from ballots b where b.id in (select distinct n.ballot_id from new_rows n) for key share;'
            : ''
        }
        if ${missing} then
          raise exception 'insert into ${table}: a row names a ${keys.map((k) => k.replace(/_id$/, '')).join(', ')} that does not exist'
            using errcode = 'foreign_key_violation';
        end if;
        return null;
      end $$;
      create trigger ${table}_keys after insert on ${table}
        referencing new table as new_rows for each statement execute function ${table}_keys();
      create trigger ${table}_keys_fixed before update of ${keys.join(', ')} on ${table}
        for each row when (${keys.map((k) => `old.${k} is distinct from new.${k}`).join(' or ')})
        execute function refuse_key_change();
    `,
      )
      .execute(db);
  }

  for (const [key, target] of Object.entries(TARGET)) {
    const named = REFERENCING.filter((r) => (r.keys as readonly string[]).includes(key) && r.table !== 'issued_tokens');
    const checks = named
      .map((r) => `exists (select 1 from ${r.table} t join old_rows o on o.id = t.${key})`)
      .join('\n        or ');
    await sql
      .raw(
        `
      create function ${target}_referenced() returns trigger language plpgsql as $$
      begin
        ${key === 'ballot_id' ? '' : `lock table ${named.map((r) => r.table).join(', ')} in share mode;`}
        if ${checks} then
          raise exception 'delete from ${target}: a row of ${named.map((r) => r.table).join(' or ')} names it'
            using errcode = 'foreign_key_violation';
        end if;
        ${key === 'ballot_id' ? 'delete from issued_tokens t using old_rows o where t.ballot_id = o.id;' : ''}
        return null;
      end $$;
      create trigger ${target}_referenced after delete on ${target}
        referencing old table as old_rows for each statement execute function ${target}_referenced();
      create trigger ${target}_key_fixed before update of id on ${target}
        for each row when (old.id is distinct from new.id) execute function refuse_key_change();
    `,
      )
      .execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [, target] of Object.entries(TARGET))
    await sql
      .raw(
        `drop trigger ${target}_referenced on ${target}; drop trigger ${target}_key_fixed on ${target};
         drop function ${target}_referenced();`,
      )
      .execute(db);
  for (const { table } of REFERENCING)
    await sql
      .raw(
        `drop trigger ${table}_keys on ${table}; drop trigger ${table}_keys_fixed on ${table}; drop function ${table}_keys();`,
      )
      .execute(db);
  await sql`
    drop function refuse_key_change();
    alter table voting_tokens
      add constraint voting_tokens_ballot_id_fkey foreign key (ballot_id) references ballots (id),
      add constraint voting_tokens_member_id_fkey foreign key (member_id) references members (id),
      add constraint voting_tokens_branch_id_fkey foreign key (branch_id) references branches (id);
    alter table mail_outbox
      add constraint mail_outbox_organisation_id_fkey foreign key (organisation_id) references organisations (id),
      add constraint mail_outbox_ballot_id_fkey foreign key (ballot_id) references ballots (id),
      add constraint mail_outbox_member_id_fkey foreign key (member_id) references members (id);
    alter table issued_tokens
      add constraint issued_tokens_ballot_id_fkey foreign key (ballot_id) references ballots (id) on delete cascade;
  `.execute(db);
}

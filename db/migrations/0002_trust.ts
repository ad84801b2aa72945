import { type Kysely, sql } from 'kysely';

/*
 * Secrecy and integrity.
 * - While a ballot is open, votes go into box.sealed_votes, encrypted to a key the
 *   database does not hold. A sealed row shares a transaction (xmin) with the token it
 *   used up, but says nothing readable. At close, one transaction decrypts them, pools
 *   small branches, writes the plain votes to box.votes in random order, and deletes
 *   the sealed rows: the plain votes share one xmin and a random physical order.
 * - box.votes therefore carries a voting unit (a branch, or a pool of small branches),
 *   never a branch that could be as small as one voter.
 * - audit_log is append-only: a trigger refuses UPDATE, DELETE and TRUNCATE.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table box.sealed_votes (
      id uuid primary key default gen_random_uuid(),
      ballot_id uuid not null references ballots(id),
      sealed text not null
    );
    create index sealed_votes_ballot on box.sealed_votes (ballot_id);

    alter table box.votes add column unit text;
    update box.votes v set unit = b.name from branches b where b.id = v.branch_id;
    alter table box.votes alter column unit set not null;
    alter table box.votes drop column branch_id;

    alter table ballots
      add column k int not null default 10 check (k between 1 and 1000),
      add column receipt_policy text not null default 'inclusion' check (receipt_policy in ('inclusion', 'choices')),
      add column voter_list_visible boolean not null default false,
      add column reminder_hours int[] not null default '{72,24}',
      add column delegate_settings jsonb,
      add column units jsonb,
      add column box_root text,
      add column counts_check jsonb;

    create table ballot_reminders (
      ballot_id uuid not null references ballots(id) on delete cascade,
      hours_before int not null,
      queued_at timestamptz not null default now(),
      primary key (ballot_id, hours_before)
    );

    alter table organisers
      add column role text not null default 'organiser' check (role in ('organiser', 'auditor')),
      add column ballot_id uuid references ballots(id);

    alter table setup_links
      add column organisation_id uuid references organisations(id),
      add column role text not null default 'organiser' check (role in ('organiser', 'auditor')),
      add column ballot_id uuid references ballots(id),
      add column email text;

    create table audit_log (
      organisation_id uuid not null references organisations(id),
      position bigint not null,
      at timestamptz not null default now(),
      actor text not null,
      action text not null,
      subject text,
      details jsonb not null default '{}',
      prev_hash text not null,
      hash text not null,
      primary key (organisation_id, position)
    );
    create function audit_log_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'the audit log is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
    end $$;
    create trigger audit_log_no_update before update or delete on audit_log
      for each row execute function audit_log_append_only();
    create trigger audit_log_no_truncate before truncate on audit_log
      for each statement execute function audit_log_append_only();

    -- Fixed-window counters shared by every instance.
    create table rate_limits (
      key text primary key,
      window_start timestamptz not null,
      hits int not null
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table rate_limits;
    drop table audit_log; drop function audit_log_append_only();
    alter table setup_links drop column organisation_id, drop column role, drop column ballot_id, drop column email;
    alter table organisers drop column role, drop column ballot_id;
    drop table ballot_reminders;
    alter table ballots drop column k, drop column receipt_policy, drop column voter_list_visible, drop column reminder_hours,
      drop column delegate_settings, drop column units, drop column box_root, drop column counts_check;
    drop table box.sealed_votes;
  `.execute(db);
}

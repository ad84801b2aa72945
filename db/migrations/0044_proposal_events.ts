import { type Kysely, sql } from 'kysely';

/*
 * A proposal lapses, and a qualified one turns overdue, as an event (docs/proposals.md): the
 * scheduler marks the moment once, logs it and mails the people concerned. Until it has run
 * (the server was down), pages still read the stage from the window and the date, so what
 * they show is right either way. Once set, a mark never changes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table proposals add column lapsed_at timestamptz, add column overdue_at timestamptz;
    -- Those already past are marked at their moment, without a mail or a log entry: no one is
    -- told today of what happened weeks ago.
    update proposals set lapsed_at = closes_at where status = 'gathering' and closes_at <= now();
    update proposals set overdue_at = schedule_by
      where (status = 'qualified' or (status = 'scheduled' and ballot_id is null)) and schedule_by <= now();
    create index proposals_lapse_due on proposals (closes_at) where status = 'gathering' and lapsed_at is null;
    create index proposals_overdue_due on proposals (schedule_by)
      where status in ('qualified', 'scheduled') and overdue_at is null;

    create function proposals_events_fixed() returns trigger language plpgsql as $$
    begin
      if (old.lapsed_at is not null and new.lapsed_at is distinct from old.lapsed_at)
        or (old.overdue_at is not null and new.overdue_at is distinct from old.overdue_at) then
        raise exception 'when a proposal lapsed or turned overdue cannot change' using errcode = 'check_violation';
      end if;
      return new;
    end $$;
    create trigger proposals_events_fixed before update on proposals
      for each row execute function proposals_events_fixed();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop trigger proposals_events_fixed on proposals;
    drop function proposals_events_fixed();
    drop index proposals_overdue_due;
    drop index proposals_lapse_due;
    alter table proposals drop column overdue_at, drop column lapsed_at;
  `.execute(db);
}

import { type Kysely, sql } from 'kysely';

/*
 * A verifiable ballot's public record, as Belenios 2.0 chains it (docs/verifiable.md): one row
 * per event (Setup at open, then each accepted Ballot, EndBallots and EncryptedTally at close,
 * each trustee's PartialDecryption, the Result). Each event names its parent event by hash, so
 * the rows form a hash chain; the event's data (the election, a ballot, the tally …) are kept
 * beside it as the exact texts whose SHA-256 the event names. The primary key on the height
 * keeps the chain from forking; the trigger keeps it append-only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table verifiable_events (
      ballot_id uuid not null references ballots (id),
      height integer not null check (height >= 0),
      type text not null check (type in
        ('Setup', 'Ballot', 'EndBallots', 'EncryptedTally', 'PartialDecryption', 'Result')),
      event text not null,
      hash text not null check (hash ~ '^[0-9a-f]{64}$'),
      data text[] not null,
      -- For a Ballot: its credential and its smart ballot tracker (the ballot's SHA-256, base 64).
      credential text check (credential ~ '^[0-9]+$'),
      tracker text,
      -- For a PartialDecryption: the trustee's number.
      trustee smallint,
      at timestamptz not null default now(),
      primary key (ballot_id, height),
      check ((type = 'Ballot') = (credential is not null and tracker is not null)),
      check ((type = 'PartialDecryption') = (trustee is not null))
    );
    -- A ballot cast twice (a replay) is refused; a member finds their tracker.
    create unique index verifiable_events_tracker on verifiable_events (ballot_id, tracker) where tracker is not null;
    create unique index verifiable_events_trustee on verifiable_events (ballot_id, trustee) where trustee is not null;
    create index verifiable_events_credential on verifiable_events (ballot_id, credential) where credential is not null;
    create function verifiable_events_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'the verifiable record is append-only';
      end
    $$;
    create trigger verifiable_events_append_only before update or delete on verifiable_events
      for each row execute function verifiable_events_append_only();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table verifiable_events;
    drop function verifiable_events_append_only;
  `.execute(db);
}

import { type Kysely, sql } from 'kysely';

/*
 * A verifiable ballot's ranked questions are mixed before they are decrypted (docs/verifiable.md):
 * each trustee's Shuffle, then EndShuffles, join the events Belenios 2.0 chains. A trustee now
 * has two events, a Shuffle and a PartialDecryption, so the trustee's number is unique per type.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table verifiable_events drop constraint verifiable_events_type_check;
    alter table verifiable_events add constraint verifiable_events_type_check check (type in
      ('Setup', 'Ballot', 'EndBallots', 'EncryptedTally', 'Shuffle', 'EndShuffles', 'PartialDecryption', 'Result'));
    alter table verifiable_events drop constraint verifiable_events_check1;
    alter table verifiable_events add constraint verifiable_events_trustee_check
      check ((type in ('Shuffle', 'PartialDecryption')) = (trustee is not null));
    drop index verifiable_events_trustee;
    create unique index verifiable_events_trustee on verifiable_events (ballot_id, type, trustee) where trustee is not null;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index verifiable_events_trustee;
    create unique index verifiable_events_trustee on verifiable_events (ballot_id, trustee) where trustee is not null;
    alter table verifiable_events drop constraint verifiable_events_trustee_check;
    alter table verifiable_events add constraint verifiable_events_check1
      check ((type = 'PartialDecryption') = (trustee is not null));
    alter table verifiable_events drop constraint verifiable_events_type_check;
    alter table verifiable_events add constraint verifiable_events_type_check check (type in
      ('Setup', 'Ballot', 'EndBallots', 'EncryptedTally', 'PartialDecryption', 'Result'));
  `.execute(db);
}

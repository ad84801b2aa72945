import { type Kysely, sql } from 'kysely';

/*
 * How far an open in flight has come (services/ballots.ts openBallot): the open runs in one
 * transaction, which nobody else can see into, so it writes its progress here through a
 * connection of its own, once per batch. No foreign key: the open holds its ballot's row
 * locked for update, and a key check from the other connection would wait for it. The row
 * goes when the open ends; one left by a crash stops being shown once it is stale.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table ballot_openings (
      ballot_id uuid primary key,
      -- Members the open will issue a link to, and how many have one so far.
      total int not null,
      done int not null default 0,
      updated_at timestamptz not null default now()
    )
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table ballot_openings`.execute(db);
}

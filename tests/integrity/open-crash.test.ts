import { sql } from 'kysely';
import { ballotTimes } from '../support/app';
import { childServerPerFile } from '../support/child-server';
import { organisationWithRollAt, sleep } from '../support/integrity';
import { scaled } from '../support/machine';

/**
 * "A crash halfway through opening never leaves a half-opened ballot." The server runs as its
 * own process and is SIGKILLed while an open is in flight: once after the first batch of
 * tokens is written (its invitations held up), once with every token and invitation written
 * but the commitment not yet logged. Each time the ballot is still a draft with no token and
 * no queued message, and after a restart the same draft opens in full.
 */

const SECRET = 'open-crash-secret-0123456789-0123456789-abcdef';
// More than one of the open's batches (services/ballots.ts OPEN_BATCH).
const SIZES = { Leeds: 4000, Hull: 2500 };
const MEMBERS = SIZES.Leeds + SIZES.Hull;

jest.setTimeout(scaled(120_000));

const child = childServerPerFile(SECRET);

/** What the ballot holds: its status, its tokens, its queued invitations. */
async function state(ballotId: string) {
  const db = child.db();
  const r = await sql<{ status: string; tokens: number; mails: number }>`
    select b.status,
      (select count(*)::int from voting_tokens where ballot_id = b.id) as tokens,
      (select count(*)::int from mail_outbox where ballot_id = b.id) as mails
    from ballots b where b.id = ${ballotId}`.execute(db);
  return r.rows[0]!;
}

/** Whether a session other than `pid` is waiting for a lock on `table` (the open, held up there). */
async function openWaitsOn(table: string, pid: number): Promise<boolean> {
  const r = await sql<{ n: number }>`
    select count(*)::int as n from pg_locks l join pg_class c on c.oid = l.relation
    where c.relname = ${table} and not l.granted and l.pid <> ${pid}`.execute(child.db());
  return r.rows[0]!.n > 0;
}

/** Whether a session other than `pid` holds a row-writing lock on `table` (it has written there). */
async function hasWritten(table: string, pid: number): Promise<boolean> {
  const r = await sql<{ n: number }>`
    select count(*)::int as n from pg_locks l join pg_class c on c.oid = l.relation
    where c.relname = ${table} and l.granted and l.mode = 'RowExclusiveLock' and l.pid <> ${pid}`.execute(child.db());
  return r.rows[0]!.n > 0;
}

async function until(what: string, cond: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + scaled(60_000);
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`waited in vain for ${what}`);
    await sleep(10);
  }
}

test('the server killed in the middle of an open: the ballot stays a draft with nothing written, then opens in full', async () => {
  const srv = child.server();
  const db = child.db();
  const org = await organisationWithRollAt(srv.url, db, SIZES);
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Open crash',
    ...ballotTimes(),
    questions: [{ title: 'Agree?', method: 'yesno' }],
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;

  // The open is held up at a table by a lock this test takes, and the server killed there.
  for (const [table, alsoWritten] of [
    // After the first batch of tokens, before its invitations.
    ['mail_outbox', 'voting_tokens'],
    // After every token and invitation, at the log entry of the opening.
    ['audit_log', 'mail_outbox'],
  ] as const) {
    await db.connection().execute(async (conn) => {
      await sql`begin`.execute(conn);
      const self = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn)).rows[0]!.pid;
      await sql.raw(`lock table ${table} in exclusive mode`).execute(conn);
      const opening = org.json('POST', `/api/v1/ballots/${id}/open`).then(
        (r) => r.status,
        () => 'no answer' as const,
      );
      await until(`the open to wait at ${table}`, () => openWaitsOn(table, self));
      expect(await hasWritten(alsoWritten, self)).toBe(true);
      await srv.kill();
      expect(await opening).toBe('no answer');
      await sql`rollback`.execute(conn);
    });
    // PostgreSQL rolls back the dead server's transaction once it notices the connection gone.
    await until('the killed server’s session to end', async () => !(await hasWritten('voting_tokens', -1)));
    expect(await state(id)).toEqual({ status: 'draft', tokens: 0, mails: 0 });
    await srv.start();
  }

  const opened = await org.json('POST', `/api/v1/ballots/${id}/open`);
  expect(opened.status).toBe(200);
  expect(opened.body.electorate).toBe(MEMBERS);
  expect(await state(id)).toEqual({ status: 'open', tokens: MEMBERS, mails: MEMBERS });
});

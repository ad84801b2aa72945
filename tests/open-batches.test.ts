import { sql } from 'kysely';
import type { Principal } from '../src/data/organisations';
import type { Keyring } from '../src/platform/secrets';
import { openBallot } from '../src/services/ballots';
import { ballotTimes, type Client, setUpOrganisation, startTestApp, type TestApp } from './support/app';
import { scaled } from './support/machine';

/** Opening reads the roll and writes tokens and invitations in batches, still in one transaction. */

const MEMBERS = 23;
const BATCH = 5; // several batches and a short last one

let app: TestApp;
let org: Client;
let organiser: Principal;
beforeAll(async () => {
  app = await startTestApp();
  const email = 'batches@example.org';
  org = await setUpOrganisation(app, 'Batch Union', email);
  const csv = [
    'email,name,branch',
    ...Array.from({ length: MEMBERS }, (_, i) => `m${i}@example.org,Member ${i},B${i % 3}`),
  ].join('\n');
  expect((await org.json('POST', '/api/v1/roll/import', csv, { 'content-type': 'text/csv' })).status).toBe(200);
  const row = await app.db
    .selectFrom('organisers')
    .select(['id', 'organisation_id', 'email', 'name'])
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  organiser = {
    organiserId: row.id,
    organisationId: row.organisation_id,
    email: row.email,
    name: row.name,
    role: 'organiser',
    ballotId: null,
  };
});
afterAll(async () => {
  await app?.close();
});

async function draft(): Promise<string> {
  const r = await org.json('POST', '/api/v1/ballots', {
    title: 'Motion',
    ...ballotTimes(),
    questions: [{ title: 'Agree?', method: 'yesno' }],
  });
  expect(r.status).toBe(201);
  return r.body.id as string;
}

async function written(ballotId: string) {
  const tokens = await sql<{ member_id: string; n: number }>`
    select member_id, count(*)::int as n from voting_tokens where ballot_id = ${ballotId} group by member_id
  `.execute(app.db);
  const mails = await sql<{ member_id: string; n: number }>`
    select member_id, count(*)::int as n from mail_outbox where ballot_id = ${ballotId} and kind = 'invitation'
    group by member_id
  `.execute(app.db);
  const status = await sql<{ status: string }>`select status from ballots where id = ${ballotId}`.execute(app.db);
  return { tokens: tokens.rows, mails: mails.rows, status: status.rows[0]!.status };
}

test('a roll larger than one batch: every member gets exactly one token and one invitation', async () => {
  const id = await draft();
  const opened = await openBallot(app.ctx, organiser, id, { batchSize: BATCH });
  expect(opened.electorate).toBe(MEMBERS);
  expect(opened.invitationsQueued).toBe(MEMBERS);
  const w = await written(id);
  expect(w.status).toBe('open');
  expect(w.tokens).toHaveLength(MEMBERS);
  expect(w.tokens.every((t) => t.n === 1)).toBe(true);
  expect(w.mails).toHaveLength(MEMBERS);
  expect(w.mails.every((m) => m.n === 1)).toBe(true);
  expect(new Set(w.mails.map((m) => m.member_id))).toEqual(new Set(w.tokens.map((t) => t.member_id)));
  // Every invitation carries its own member's name, and the ballot's times, formatted once.
  const payloads = await sql<{ payload: Record<string, string>; name: string }>`
    select o.payload, m.name from mail_outbox o join members m on m.id = o.member_id where o.ballot_id = ${id}
  `.execute(app.db);
  for (const r of payloads.rows) {
    expect(r.payload.memberName).toBe(r.name);
    expect(r.payload.closesAt).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
  }
});

test('a failure in the middle of opening leaves the ballot a draft with nothing written', async () => {
  const id = await draft();
  // The keyring fails on the 12th link it seals: in the third batch, after two were written.
  let seals = 0;
  const keys = Object.create(app.ctx.keys) as Keyring;
  keys.sealMany = (purpose: string, plaintexts: readonly string[]) => {
    if (seals < 12 && seals + plaintexts.length >= 12) {
      seals = 12;
      throw new Error('the keyring failed');
    }
    seals += plaintexts.length;
    return app.ctx.keys.sealMany(purpose, plaintexts);
  };
  await expect(openBallot({ ...app.ctx, keys }, organiser, id, { batchSize: BATCH })).rejects.toThrow(
    'the keyring failed',
  );
  expect(seals).toBe(12);
  expect(await written(id)).toEqual({ tokens: [], mails: [], status: 'draft' });
  // Nothing was left behind either: the same draft then opens in full.
  const opened = await openBallot(app.ctx, organiser, id, { batchSize: BATCH });
  expect(opened.electorate).toBe(MEMBERS);
  expect((await written(id)).tokens).toHaveLength(MEMBERS);
});

test('an open in flight shows how far it has come, on the API and the ballot page, and nothing once it ends', async () => {
  const id = await draft();
  expect((await org.json('GET', `/api/v1/ballots/${id}/opening`)).body).toEqual({ opening: null });
  // The open is held at its log entry (every batch written) by a lock this test takes.
  let opening: Promise<unknown> | undefined;
  await app.db.connection().execute(async (conn) => {
    await sql`begin`.execute(conn);
    await sql`lock table audit_log in exclusive mode`.execute(conn);
    opening = openBallot(app.ctx, organiser, id, { batchSize: BATCH });
    // Written from outside the open's transaction, one batch at a time, in order.
    let seen: { total: number; done: number } | null = null;
    for (const end = Date.now() + scaled(30_000); seen?.done !== MEMBERS;) {
      if (Date.now() > end) throw new Error(`the progress never reached the end: ${JSON.stringify(seen)}`);
      const r = await org.json('GET', `/api/v1/ballots/${id}/opening`);
      expect(r.status).toBe(200);
      seen = r.body.opening;
      if (seen) expect(seen.total).toBe(MEMBERS);
      await new Promise((r) => setTimeout(r, 10));
    }
    const page = await org.request('GET', `/ballots/${id}`);
    const text = await page.text();
    expect(text).toContain('Opening now');
    expect(text).toContain(`${MEMBERS} of ${MEMBERS} members have their link and a queued invitation`);
    expect(text).toContain(`data-opening-url="/api/v1/ballots/${id}/opening"`);
    await sql`rollback`.execute(conn);
  });
  await opening;
  expect((await org.json('GET', `/api/v1/ballots/${id}/opening`)).body).toEqual({ opening: null });
  expect(await app.db.selectFrom('ballot_openings').selectAll().where('ballot_id', '=', id).execute()).toEqual([]);
  expect(await org.request('GET', `/ballots/${id}`).then((r) => r.text())).not.toContain('Opening now');
});

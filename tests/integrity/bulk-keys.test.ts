import crypto from 'node:crypto';
import { sql } from 'kysely';
import { ballotTimes, type Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { waitFor } from '../support/machine';

/**
 * The open's bulk tables (voting_tokens, mail_outbox, issued_tokens) hold their references by
 * statement-level checks rather than per-row foreign keys (db/migrations/0039_open_bulk_keys.ts).
 * Each refusal a foreign key gave is shown here, with the key's own SQLSTATE.
 */

let app: TestApp;
let org: Client;
let ballotId: string;
let draftId: string;
let member: { id: string; branch_id: string; organisation_id: string };
const nobody = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  app = await startTestApp();
  org = await setUpOrganisation(app, 'Keys Union', 'keys@example.org');
  const csv = ['email,name,branch', 'a@example.org,A,North', 'b@example.org,B,South'].join('\n');
  expect((await org.json('POST', '/api/v1/roll/import', csv, { 'content-type': 'text/csv' })).status).toBe(200);
  const draft = async () => {
    const r = await org.json('POST', '/api/v1/ballots', {
      title: 'Motion',
      ...ballotTimes(),
      questions: [{ title: 'Agree?', method: 'yesno' }],
    });
    expect(r.status).toBe(201);
    return r.body.id as string;
  };
  ballotId = await draft();
  expect((await org.json('POST', `/api/v1/ballots/${ballotId}/open`)).status).toBe(200);
  draftId = await draft();
  member = await app.db
    .selectFrom('members')
    .select(['id', 'branch_id', 'organisation_id'])
    .where('email', '=', 'a@example.org')
    .executeTakeFirstOrThrow();
});
afterAll(async () => {
  await app?.close();
});

const refused = (p: Promise<unknown>) => expect(p).rejects.toMatchObject({ code: '23503' });

function token(over: Partial<Record<'ballot' | 'member' | 'branch', string>> = {}) {
  return sql`insert into voting_tokens (ballot_id, member_id, branch_id, weight, token_hash)
    values (${over.ballot ?? draftId}, ${over.member ?? member.id}, ${over.branch ?? member.branch_id}, 1,
            ${crypto.randomBytes(32)})`.execute(app.db);
}

function mail(over: Partial<Record<'organisation' | 'ballot' | 'member', string | null>> = {}) {
  return sql`insert into mail_outbox (organisation_id, ballot_id, member_id, kind, recipient, payload)
    values (${over.organisation === undefined ? member.organisation_id : over.organisation},
            ${over.ballot === undefined ? draftId : over.ballot},
            ${over.member === undefined ? member.id : over.member}, 'test', 'a@example.org', '{}')`.execute(app.db);
}

describe('rows naming what does not exist are refused, the whole statement', () => {
  test('voting_tokens: ballot, member, branch', async () => {
    await refused(token({ ballot: nobody }));
    await refused(token({ member: nobody }));
    await refused(token({ branch: nobody }));
    // One bad row among good ones refuses them all.
    const other = await app.db
      .selectFrom('members')
      .select(['id', 'branch_id'])
      .where('email', '=', 'b@example.org')
      .executeTakeFirstOrThrow();
    await refused(
      sql`insert into voting_tokens (ballot_id, member_id, branch_id, weight, token_hash)
        values (${draftId}, ${other.id}, ${other.branch_id}, 1, ${crypto.randomBytes(32)}),
               (${draftId}, ${nobody}, ${other.branch_id}, 1, ${crypto.randomBytes(32)})`.execute(app.db),
    );
    const n = await sql<{
      n: number;
    }>`select count(*)::int as n from voting_tokens where ballot_id = ${draftId}`.execute(app.db);
    expect(n.rows[0]!.n).toBe(0);
  });

  test('mail_outbox: organisation, ballot, member (each may be null)', async () => {
    await refused(mail({ organisation: nobody }));
    await refused(mail({ ballot: nobody }));
    await refused(mail({ member: nobody }));
    await mail({ organisation: null, ballot: null, member: null });
    await sql`delete from mail_outbox where kind = 'test'`.execute(app.db);
  });

  test('issued_tokens: ballot', async () => {
    await refused(
      sql`insert into issued_tokens (ballot_id, token_hash, at_open) values (${nobody}, ${crypto.randomBytes(32)}, true)`.execute(
        app.db,
      ),
    );
  });

  test('a row naming what exists is accepted (the check is no blanket refusal)', async () => {
    const written = app.db.transaction().execute(async (tx) => {
      await sql`insert into voting_tokens (ballot_id, member_id, branch_id, weight, token_hash)
        values (${draftId}, ${member.id}, ${member.branch_id}, 1, ${crypto.randomBytes(32)})`.execute(tx);
      throw new Error('rolled back');
    });
    await expect(written).rejects.toThrow('rolled back');
  });
});

describe('a checked row stays right', () => {
  test('the key columns of the bulk rows do not change', async () => {
    await refused(sql`update voting_tokens set member_id = ${nobody} where ballot_id = ${ballotId}`.execute(app.db));
    await refused(sql`update voting_tokens set branch_id = ${nobody} where ballot_id = ${ballotId}`.execute(app.db));
    await refused(sql`update voting_tokens set ballot_id = ${draftId} where ballot_id = ${ballotId}`.execute(app.db));
    await refused(sql`update mail_outbox set member_id = ${nobody} where ballot_id = ${ballotId}`.execute(app.db));
    await refused(sql`update issued_tokens set ballot_id = ${draftId} where ballot_id = ${ballotId}`.execute(app.db));
    // Other columns still change (a cast marks its token used).
    await sql`update voting_tokens set issue_number = issue_number where ballot_id = ${ballotId}`.execute(app.db);
  });

  test('what they name is not deleted, nor its id changed', async () => {
    await refused(sql`delete from members where id = ${member.id}`.execute(app.db));
    await refused(sql`delete from branches where id = ${member.branch_id}`.execute(app.db));
    await refused(sql`delete from ballots where id = ${ballotId}`.execute(app.db));
    await refused(sql`delete from organisations where id = ${member.organisation_id}`.execute(app.db));
    await refused(sql`update members set id = ${nobody} where id = ${member.id}`.execute(app.db));
    await refused(sql`update ballots set id = ${nobody} where id = ${ballotId}`.execute(app.db));
    const still = await sql<{
      n: number;
    }>`select count(*)::int as n from voting_tokens where ballot_id = ${ballotId}`.execute(app.db);
    expect(still.rows[0]!.n).toBe(2);
  });

  test("a deleted draft's issued tokens go with it; a draft named by nothing is deleted", async () => {
    await sql`insert into issued_tokens (ballot_id, token_hash, at_open) values (${draftId}, ${crypto.randomBytes(32)}, false)`.execute(
      app.db,
    );
    expect((await org.json('DELETE', `/api/v1/ballots/${draftId}`)).status).toBe(204);
    const left = await sql<{
      n: number;
    }>`select count(*)::int as n from issued_tokens where ballot_id = ${draftId}`.execute(app.db);
    expect(left.rows[0]!.n).toBe(0);
  });
});

test('deleting a draft waits for a writer naming it, then sees its rows and is refused', async () => {
  const r = await org.json('POST', '/api/v1/ballots', {
    title: 'Raced',
    ...ballotTimes(),
    questions: [{ title: 'Agree?', method: 'yesno' }],
  });
  const raced = r.body.id as string;
  let release!: () => void;
  const held = new Promise<void>((done) => (release = done));
  let wrote!: () => void;
  const written = new Promise<void>((done) => (wrote = done));
  const writer = app.db.transaction().execute(async (tx) => {
    await sql`insert into mail_outbox (organisation_id, ballot_id, kind, recipient, payload)
      values (${member.organisation_id}, ${raced}, 'test', 'a@example.org', '{}')`.execute(tx);
    wrote();
    await held;
  });
  await written;
  const deleting = sql`delete from ballots where id = ${raced}`.execute(app.db);
  deleting.catch(() => undefined);
  // The delete waits on the ballot's row, which the writer's check locked as the key did.
  await waitFor('the delete to wait for the writer', async () => {
    const w = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
      where wait_event_type = 'Lock' and query like 'delete from ballots%'`.execute(app.db);
    return w.rows[0]!.n === 1;
  });
  release();
  await writer;
  await refused(deleting);
  const still = await sql<{ n: number }>`select count(*)::int as n from ballots where id = ${raced}`.execute(app.db);
  expect(still.rows[0]!.n).toBe(1);
  await sql`delete from mail_outbox where kind = 'test'`.execute(app.db);
});

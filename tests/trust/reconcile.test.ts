import { sql } from 'kysely';
import { Keyring } from '../../src/platform/secrets';
import { LINK_PURPOSE } from '../../src/services/invitations';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

test('a box that does not match the used tokens is not closed, and nothing changes', async () => {
  const org = await setUpOrganisation(app);
  const csv = [
    'email,name,branch',
    ...Array.from({ length: 12 }, (_, i) => `r${i}@example.org,R ${i},${i % 2 ? 'Odd' : 'Even'}`),
  ].join('\n');
  await org.json('POST', '/api/v1/roll/import', csv, { 'content-type': 'text/csv' });
  const b = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Reconcile',
      ...ballotTimes(),
      questions: [{ title: 'Q', method: 'yesno' }],
    })
  ).body;
  await org.json('POST', `/api/v1/ballots/${b.id}/open`);
  const keys = new Keyring('test-secret-0123456789-0123456789-abcdef');
  const rows = await app.db
    .selectFrom('voting_tokens')
    .select('sealed_token')
    .where('ballot_id', '=', b.id)
    .limit(6)
    .execute();
  for (const r of rows) {
    await new Client(app.url).json('POST', '/api/v1/vote', {
      token: keys.open(LINK_PURPOSE, r.sealed_token!),
      answers: { [b.questions[0].id]: { kind: 'choice', option: 0 } },
    });
  }
  // An insider removes one sealed vote.
  await sql`delete from box.sealed_votes where id = (select id from box.sealed_votes where ballot_id = ${b.id} limit 1)`.execute(
    app.db,
  );
  const r = await org.json('POST', `/api/v1/ballots/${b.id}/close`);
  expect(r.status).toBe(409);
  expect(r.body.detail).toMatch(
    /does not reconcile with the used tokens, so the ballot was not closed: branch (Odd|Even): \d+ used tokens, \d+ votes/,
  );
  expect((await org.json('GET', `/api/v1/ballots/${b.id}`)).body.status).toBe('open');
  const left = await sql<{
    n: number;
  }>`select count(*)::int as n from box.sealed_votes where ballot_id = ${b.id}`.execute(app.db);
  expect(left.rows[0]!.n).toBe(5);
  const plain = await sql<{ n: number }>`select count(*)::int as n from box.votes where ballot_id = ${b.id}`.execute(
    app.db,
  );
  expect(plain.rows[0]!.n).toBe(0);
});

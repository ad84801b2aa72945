import { sql } from 'kysely';
import { Keyring } from '../src/platform/secrets';
import { LINK_PURPOSE } from '../src/services/invitations';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from './support/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

test('50 simultaneous casts with one token give exactly one vote', async () => {
  const org = await setUpOrganisation(app);
  await org.json(
    'POST',
    '/api/v1/roll/import',
    'email,name,branch\nsolo@example.org,Solo,Only\nduo@example.org,Duo,Only\n',
    { 'content-type': 'text/csv' },
  );
  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Race',
      ...ballotTimes(),
      questions: [{ title: 'Agree?', method: 'yesno' }],
    })
  ).body;
  await org.json('POST', `/api/v1/ballots/${ballot.id}/open`);
  // Read the member's token as the mail worker would (sealed with the server key).
  const row = await app.db
    .selectFrom('voting_tokens')
    .innerJoin('members', 'members.id', 'voting_tokens.member_id')
    .select('voting_tokens.sealed_token')
    .where('members.email', '=', 'solo@example.org')
    .executeTakeFirstOrThrow();
  const token = new Keyring('test-secret-0123456789-0123456789-abcdef').open(LINK_PURPOSE, row.sealed_token!);
  const answers = { [ballot.questions[0].id]: { kind: 'choice', option: 0 } };
  const results = await Promise.all(
    Array.from({ length: 50 }, () => new Client(app.url).json('POST', '/api/v1/vote', { token, answers })),
  );
  const statuses = results.map((r) => r.status);
  expect(statuses.filter((s) => s === 201)).toHaveLength(1);
  expect(statuses.filter((s) => s === 409)).toHaveLength(49);
  const votes = await sql<{
    n: number;
  }>`select count(*)::int as n from box.sealed_votes where ballot_id = ${ballot.id}`.execute(app.db);
  expect(votes.rows[0]!.n).toBe(1);
  const used = await sql<{
    n: number;
  }>`select count(*)::int as n from voting_tokens where ballot_id = ${ballot.id} and used`.execute(app.db);
  expect(used.rows[0]!.n).toBe(1);
});

test('closing waits for casts in flight and refuses casts after it', async () => {
  const org = await setUpOrganisation(app);
  const csv = ['email,name,branch', ...Array.from({ length: 40 }, (_, i) => `c${i}@example.org,C ${i},B${i % 4}`)].join(
    '\n',
  );
  await org.json('POST', '/api/v1/roll/import', csv, { 'content-type': 'text/csv' });
  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Close race',
      ...ballotTimes(),
      questions: [{ title: 'Agree?', method: 'yesno' }],
    })
  ).body;
  await org.json('POST', `/api/v1/ballots/${ballot.id}/open`);
  const keys = new Keyring('test-secret-0123456789-0123456789-abcdef');
  const rows = await app.db
    .selectFrom('voting_tokens')
    .select('sealed_token')
    .where('ballot_id', '=', ballot.id)
    .execute();
  const tokens = rows.map((r) => keys.open(LINK_PURPOSE, r.sealed_token!));
  const answers = { [ballot.questions[0].id]: { kind: 'choice', option: 1 } };
  const casts = tokens.map((token) => new Client(app.url).json('POST', '/api/v1/vote', { token, answers }));
  const close = org.json('POST', `/api/v1/ballots/${ballot.id}/close`);
  const done = await Promise.all(casts);
  expect((await close).status).toBe(204);
  const accepted = done.filter((r) => r.status === 201).length;
  expect(done.every((r) => r.status === 201 || (r.status === 409 && r.body.detail === 'voting has closed'))).toBe(true);
  const results = (await org.json('GET', `/api/v1/ballots/${ballot.id}/results`)).body;
  // Every accepted cast is counted, and nothing else.
  expect(results.turnout.voted).toBe(accepted);
  expect(results.questions[0].options[1].votes).toBe(String(accepted));
});

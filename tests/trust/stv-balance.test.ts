import { sql } from 'kysely';
import { verifyRecord } from '@omov/core/record/verify';
import { Keyring } from '../../src/platform/secrets';
import { LINK_PURPOSE } from '../../src/services/invitations';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { scaled } from '../support/machine';

/**
 * An STV election with a gender balance rule, through the API, counted at close, shown,
 * in the election record and verified. The hand count is the first example of
 * packages/core/tests/tally/stv/balance.test.ts and of docs/elections.md: 3 seats, quota 26,
 *   30 Adam>Carl, 26 Bob, 22 Carl, 12 Dora>Eve, 10 Eve>Dora; women (Dora, Eve): at least 1.
 * Adam and Bob reach the quota; electing Carl would then leave no seat for a woman, so he is
 * excluded under the balance rules; Eve is excluded and Dora, the last continuing candidate,
 * takes the last seat. Without the rule Carl (25.99990 after Adam's surplus) outlasts Dora
 * (22) and is elected.
 */
jest.setTimeout(scaled(240_000));

const keys = new Keyring('test-secret-0123456789-0123456789-abcdef');
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

const names = ['Adam', 'Bob', 'Carl', 'Dora', 'Eve'];
const plan: Array<[number[], number]> = [
  [[0, 2], 30],
  [[1], 26],
  [[2], 22],
  [[3, 4], 12],
  [[4, 3], 10],
];

test('a gender balance rule changes the winner: counted at close, on the results page, in the record, verified', async () => {
  const org = await setUpOrganisation(app);
  const rows = Array.from({ length: 100 }, (_, i) => `m${i}@example.org,Member ${i},Leeds`);
  await org.json('POST', '/api/v1/roll/import', ['email,name,branch', ...rows].join('\n'), {
    'content-type': 'text/csv',
  });
  const options = names.map((label) => ({ label }));
  const question = (balance: unknown) => ({
    title: 'Committee',
    method: 'stv',
    options,
    settings: { seats: 3, rules: 'scottish', balance },
  });
  // A rule naming someone who is not a candidate is refused, naming the field.
  const wrong = await org.json('POST', '/api/v1/ballots', {
    title: 'Committee',
    ...ballotTimes(),
    questions: [question([{ group: 'women', candidates: ['Dora', 'Zoe'], min: 1 }])],
  });
  expect(wrong.status).toBe(422);
  expect(JSON.stringify(wrong.body)).toContain('questions.0.settings.balance.0.candidates.1');
  expect(JSON.stringify(wrong.body)).toContain('\\"Zoe\\" is not one of the options');

  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Committee',
    ...ballotTimes(),
    questions: [question([{ group: 'women', candidates: ['Dora', 'Eve'], min: 1 }])],
  });
  expect(created.status).toBe(201);
  const ballot = created.body;
  const q = ballot.questions[0];
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  const tokens = await app.db
    .selectFrom('voting_tokens')
    .select(['sealed_token'])
    .where('ballot_id', '=', ballot.id)
    .execute();
  const left = plan.flatMap(([ranking, k]) => Array(k).fill(ranking) as number[][]);
  expect(tokens.length).toBe(left.length);
  for (const t of tokens) {
    const r = await new Client(app.url).json('POST', '/api/v1/vote', {
      token: keys.open(LINK_PURPOSE, t.sealed_token!),
      answers: { [q.id]: { kind: 'ranking', options: left.pop()! } },
    });
    expect(r.status).toBe(201);
  }
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/close`)).status).toBe(204);
  const result = (await org.json('GET', `/api/v1/ballots/${ballot.id}/results`)).body.questions[0];
  expect(result.elected).toEqual(['Adam', 'Bob', 'Dora']);
  const changed =
    'The balance rules changed who was elected: without them Carl would have been elected; with them Dora is elected instead.';
  expect(JSON.stringify(result)).toContain(changed);
  expect(JSON.stringify(result)).toContain('Carl is excluded under the balance rules');

  const page = await (await org.request('GET', `/ballots/${ballot.id}/results`)).text();
  expect(page).toContain('excluded under the balance rules');

  const record = (await org.json('GET', `/api/v1/ballots/${ballot.id}/record`)).body;
  expect(record.ballot.questions[0].settings.balance).toEqual([
    { group: 'women', candidates: ['Dora', 'Eve'], min: 1 },
  ]);
  expect(verifyRecord(record).ok).toBe(true);

  // An insider drops the rule after the count: the recount elects Carl, and verify fails.
  await sql`update questions set settings = settings - 'balance' where id = ${q.id}::uuid`.execute(app.db);
  const dropped = (await org.json('GET', `/api/v1/ballots/${ballot.id}/record`)).body;
  const report = verifyRecord(dropped);
  expect(report.ok).toBe(false);
  expect(report.checks.filter((x) => x.verdict === 'FAIL').length).toBeGreaterThan(0);
});

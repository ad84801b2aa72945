import { sql } from 'kysely';
import { verifyRecord } from '@omov/core/record/verify';
import { Keyring } from '../../src/platform/secrets';
import { LINK_PURPOSE } from '../../src/services/invitations';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { scaled } from '../support/machine';

/**
 * STV within the branch, declared through the API (issue 12, item 4), with the hand-worked
 * example of packages/core/tests/delegates/stv-branch.test.ts doubled (so that no branch is
 * pooled for secrecy). 38 members, options A, B, C:
 *   North (22, 2 delegates): 10 A>B, 8 B>A, 4 C>B     South (16, 2 delegates): 12 C>B, 4 B>C
 * Members by IRV: A 10, B 12, C 16; A out, its 10 to B: B 22 → B.
 * STV in North (quota 22/3): A#1 10 and B#1 8 are elected → A 1, B 1. In South (quota 16/3):
 * C#1 12, its surplus 6.67 elects C#2 → C 2. The conference by IRV: A 1, B 1, C 2 → C.
 */
jest.setTimeout(scaled(180_000));

const keys = new Keyring('test-secret-0123456789-0123456789-abcdef');
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

const stvModel = {
  label: 'Delegates elected in the branch',
  model: { rule: 'stv', method: 'fixed', numbers: { North: 2, South: 2 } },
};

const plan: Record<string, Array<[number[], number]>> = {
  North: [
    [[0, 1], 10],
    [[1, 0], 8],
    [[2, 1], 4],
  ],
  South: [
    [[2, 1], 12],
    [[1, 2], 4],
  ],
};

test('STV within the branch: refused for plurality, declared for IRV, counted, shown, verified; a change is caught', async () => {
  const org = await setUpOrganisation(app);
  const rows = Object.entries(plan).flatMap(([b, votes]) =>
    Array.from({ length: votes.reduce((n, [, k]) => n + k, 0) }, (_, i) => `${b}${i}@example.org,${b} ${i},${b}`),
  );
  await org.json('POST', '/api/v1/roll/import', ['email,name,branch', ...rows].join('\n'), {
    'content-type': 'text/csv',
  });
  const options = ['A', 'B', 'C'].map((label) => ({ label }));
  // On a plurality question there are no rankings to elect delegates by: refused, naming the field.
  const plurality = await org.json('POST', '/api/v1/ballots', {
    title: 'Chair',
    ...ballotTimes(),
    questions: [{ title: 'Who?', method: 'plurality', options, comparisons: [stvModel] }],
  });
  expect(plurality.status).toBe(422);
  expect(JSON.stringify(plurality.body)).toContain('STV within the branch needs ranked ballots');
  expect(JSON.stringify(plurality.body)).toContain('model');

  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Chair',
    ...ballotTimes(),
    questions: [
      { title: 'Who?', method: 'irv', options },
      { title: 'Venue?', method: 'plurality', options },
    ],
  });
  expect(created.status).toBe(201);
  const ballot = created.body;
  const [q, venue] = ballot.questions;
  const refused = await org.json('PUT', `/api/v1/ballots/${ballot.id}/questions/${venue.id}/comparisons`, {
    comparisons: [stvModel],
  });
  expect(refused.status).toBe(422);
  expect(JSON.stringify(refused.body)).toContain('comparisons.0.model.rule');
  const declared = await org.json('PUT', `/api/v1/ballots/${ballot.id}/questions/${q.id}/comparisons`, {
    comparisons: [stvModel],
  });
  expect(declared.status).toBe(200);

  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  const tokens = await app.db
    .selectFrom('voting_tokens')
    .innerJoin('branches', 'branches.id', 'voting_tokens.branch_id')
    .select(['voting_tokens.sealed_token', 'branches.name'])
    .where('ballot_id', '=', ballot.id)
    .execute();
  const left = Object.fromEntries(
    Object.entries(plan).map(([b, v]) => [b, v.flatMap(([ranking, k]) => Array(k).fill(ranking))]),
  );
  for (const t of tokens) {
    const ranking = left[t.name]!.pop() as number[];
    const r = await new Client(app.url).json('POST', '/api/v1/vote', {
      token: keys.open(LINK_PURPOSE, t.sealed_token!),
      answers: { [q.id]: { kind: 'ranking', options: ranking }, [venue.id]: { kind: 'choice', option: 0 } },
    });
    expect(r.status).toBe(201);
  }
  await org.json('POST', `/api/v1/ballots/${ballot.id}/close`);
  const result = (await org.json('GET', `/api/v1/ballots/${ballot.id}/results`)).body.questions[0];
  expect(result.elected).toEqual(['B']);
  const c = result.comparisons[0];
  expect(c.error).toBeUndefined();
  expect(c.comparison.branches.map((x: { conference: Record<string, string> }) => x.conference)).toEqual([
    { A: '1', B: '1', C: '0' },
    { A: '0', B: '0', C: '2' },
  ]);
  expect(c.elected).toEqual(['C']);
  expect(c.agree).toBe(false);
  expect(c.description).toContain('elected by single transferable vote');

  const page = await (await org.request('GET', `/ballots/${ballot.id}/results`)).text();
  expect(page).toContain('Delegates elected in the branch');
  expect(page).toContain('STV within the branch');

  // The CSV export carries the declared comparison's delegate votes: C 2, the conference's choice.
  const csv = await (await org.request('GET', `/ballots/${ballot.id}/results.csv`)).text();
  expect(csv).toContain('1,Who?,irv,(declared: Delegates elected in the branch),C,delegate votes,2,yes');

  const record = (await org.json('GET', `/api/v1/ballots/${ballot.id}/record`)).body;
  expect(record.ballot.questions[0].comparisons[0].model.rule).toBe('stv');
  expect(verifyRecord(record).ok).toBe(true);

  // An insider turns the declared STV into a bloc after the count: verify fails.
  await sql`update questions set comparisons = jsonb_set(comparisons, '{0,model,rule}', '"bloc"') where id = ${q.id}::uuid`.execute(
    app.db,
  );
  const changed = (await org.json('GET', `/api/v1/ballots/${ballot.id}/record`)).body;
  const failing = verifyRecord(changed)
    .checks.filter((x) => x.verdict === 'FAIL')
    .map((x) => x.id);
  expect(failing).toEqual(expect.arrayContaining(['V13']));
});

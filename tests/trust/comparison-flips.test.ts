import { verifyRecord } from '@omov/core/record/verify';
import { Keyring } from '../../src/platform/secrets';
import { LINK_PURPOSE } from '../../src/services/invitations';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { scaled } from '../support/machine';

/**
 * The smallest flips of a declared comparison, read where an organiser reads them: the
 * results JSON, the CSV and the page; the record carries them and verifies. 46 members:
 *   North 20: Leeds 12, York 8     South 14: York 10, Hull 4     East 12: Hull 7, Leeds 5
 * The members choose York (18, against Leeds 17). Hamilton shares 10 delegates by members as
 * North 4, South 3, East 3; as blocs Leeds 4, York 3, Hull 3: the conference chooses Leeds.
 * Cheapest flip of the conference: 3 of North's Leeds voters vote York (York 11, Leeds 9),
 * North's 4 go to York (7); turning East to York needs 5, South to Hull 4. The members' vote:
 * one York voter voting Leeds makes Leeds 18, York 17.
 */
jest.setTimeout(scaled(180_000));

const keys = new Keyring('test-secret-0123456789-0123456789-abcdef');
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

const plan: Record<string, Array<[number, number]>> = {
  North: [
    [0, 12],
    [1, 8],
  ],
  South: [
    [1, 10],
    [2, 4],
  ],
  East: [
    [2, 7],
    [0, 5],
  ],
};

test('each declared comparison shows its smallest flips in the JSON, the CSV, the page and the record', async () => {
  const org = await setUpOrganisation(app);
  const rows = Object.entries(plan).flatMap(([b, votes]) =>
    Array.from({ length: votes.reduce((n, [, k]) => n + k, 0) }, (_, i) => `${b}${i}@example.org,${b} ${i},${b}`),
  );
  await org.json('POST', '/api/v1/roll/import', ['email,name,branch', ...rows].join('\n'), {
    'content-type': 'text/csv',
  });
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Conference venue',
    ...ballotTimes(),
    questions: [
      {
        title: 'Where?',
        method: 'plurality',
        options: ['Leeds', 'York', 'Hull'].map((label) => ({ label })),
        comparisons: [
          { label: 'Rule book', model: { basis: 'members', rule: 'bloc', method: 'hamilton', seats: 10 } },
          {
            label: 'Exhaustive',
            model: { basis: 'members', rule: 'bloc', method: 'hamilton', seats: 10 },
            procedure: { kind: 'exhaustive' },
          },
        ],
      },
    ],
  });
  expect(created.status).toBe(201);
  const ballot = created.body;
  const q = ballot.questions[0];
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  const tokens = await app.db
    .selectFrom('voting_tokens')
    .innerJoin('branches', 'branches.id', 'voting_tokens.branch_id')
    .select(['voting_tokens.sealed_token', 'branches.name'])
    .where('ballot_id', '=', ballot.id)
    .execute();
  const left = Object.fromEntries(Object.entries(plan).map(([b, v]) => [b, v.flatMap(([o, k]) => Array(k).fill(o))]));
  for (const t of tokens) {
    const r = await new Client(app.url).json('POST', '/api/v1/vote', {
      token: keys.open(LINK_PURPOSE, t.sealed_token!),
      answers: { [q.id]: { kind: 'choice', option: left[t.name]!.pop() as number } },
    });
    expect(r.status).toBe(201);
  }
  await org.json('POST', `/api/v1/ballots/${ballot.id}/close`);

  // JSON.
  const result = (await org.json('GET', `/api/v1/ballots/${ballot.id}/results`)).body.questions[0];
  expect(result.elected).toEqual(['York']);
  const [ruleBook, exhaustive] = result.comparisons;
  expect(ruleBook.elected).toEqual(['Leeds']);
  expect(ruleBook.flip.conference).toMatchObject({ exact: true, members: 3, branches: 1, to: 'York' });
  expect(ruleBook.flip.conference.changes).toEqual([{ branch: 'North', from: { Leeds: 3 }, to: 'York', members: 3 }]);
  expect(ruleBook.flip.members).toMatchObject({ exact: true, members: 1, from: 'York', to: 'Leeds' });
  const summary = "3 members in 1 branch would have flipped the conference; 1 would have flipped the members' vote.";
  expect(ruleBook.flip.summary).toBe(summary);
  // By exhaustive ballot the search gives an upper bound, said so.
  expect(exhaustive.flip.conference.exact).toBe(false);
  expect(exhaustive.flip.summary).toMatch(/^At most \d+ members? in \d+ branch(es)? would have flipped the conference/);

  // The page, in plain words.
  const page = await (await org.request('GET', `/ballots/${ballot.id}/results`)).text();
  expect(page).toContain('3 members in 1 branch would have flipped the conference; 1 would have flipped the members');
  expect(page).toContain('North: 3 voting Leeds would vote York instead');
  expect(page).toContain('At most ');

  // The CSV.
  const csv = await (await org.request('GET', `/ballots/${ballot.id}/results.csv`)).text();
  expect(csv).toContain('1,Where?,plurality,"(smallest flip: Rule book, conference)",York,"members, exactly",3,');
  expect(csv).toContain('1,Where?,plurality,"(smallest flip: Rule book, conference)",York,branches,1,');
  expect(csv).toContain(`1,Where?,plurality,"(smallest flip: Rule book, members' vote)",Leeds,"members, exactly",1,`);
  expect(csv).toMatch(/"\(smallest flip: Exhaustive, conference\)",\w+,"members, at most",\d+,/);

  // The record carries them (format 4), and the verifier recounts them.
  const record = (await org.json('GET', `/api/v1/ballots/${ballot.id}/record`)).body;
  expect(record.format).toBe('omov-election-record/5');
  expect(record.results[0].comparisons[0].flip.summary).toBe(summary);
  expect(verifyRecord(record).checks.filter((c) => c.verdict === 'FAIL')).toEqual([]);
  record.results[0].comparisons[0].flip.members.members = 2;
  const failed = verifyRecord(record).checks.filter((c) => c.verdict === 'FAIL');
  expect(failed.map((c) => c.name)).toContain('count: question 1 "Where?"');
});

import { sql } from 'kysely';
import { verifyRecord } from '@omov/core/record/verify';
import { Keyring } from '../../src/platform/secrets';
import { LINK_PURPOSE } from '../../src/services/invitations';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { scaled } from '../support/machine';

/**
 * Delegate comparisons declared per question (issue 12): declared while the ballot is a
 * draft, refused once it is open, counted at close, committed in the record. 46 members:
 *   North 20: Leeds 12, York 8     South 14: York 10, Hull 4     East 12: Hull 7, Leeds 5
 * The members choose York (18, against Leeds 17 and Hull 11).
 */
jest.setTimeout(scaled(180_000));

const keys = new Keyring('test-secret-0123456789-0123456789-abcdef');
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

const ruleBook = {
  label: 'Rule book',
  model: { basis: 'members', rule: 'bloc', method: 'hamilton', seats: 10 },
};
const fixed = {
  label: 'Fixed numbers, exhaustive ballot',
  model: { rule: 'bloc', method: 'fixed', numbers: { North: 5, South: 4, East: 3 } },
  procedure: { kind: 'exhaustive' },
};
const weighted = { label: 'Weighted', model: { rule: 'weighted', method: 'hamilton', seats: 46 } };

const plan: Record<string, Array<[number, number]>> = {
  // [option, how many]: Leeds 0, York 1, Hull 2
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

test('declared while a draft, refused once open, counted at close, and verify catches a change after open', async () => {
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
        comparisons: [ruleBook],
      },
    ],
  });
  expect(created.status).toBe(201);
  const ballot = created.body;
  const q = ballot.questions[0];
  expect(q.comparisons).toEqual([{ ...ruleBook, procedure: { kind: 'method' } }]);
  const declareAt = `/api/v1/ballots/${ballot.id}/questions/${q.id}/comparisons`;

  // A fixed number for a branch that is not on the roll is refused, naming it.
  const typo = await org.json('PUT', declareAt, {
    comparisons: [{ ...fixed, model: { ...fixed.model, numbers: { Nort: 5, South: 4, East: 3 } } }],
  });
  expect(typo.status).toBe(422);
  expect(JSON.stringify(typo.body)).toContain("no branch 'Nort'");
  // Weights of a card vote that do not add up to 1 are refused by the schema.
  const card = await org.json('PUT', declareAt, {
    comparisons: [
      {
        ...ruleBook,
        procedure: {
          kind: 'card',
          sections: [
            { name: 'North', weight: '1/2', branches: ['North'] },
            { name: 'Rest', weight: '1/3', branches: [] },
          ],
        },
      },
    ],
  });
  expect(card.status).toBe(422);
  expect(JSON.stringify(card.body)).toContain("The sections' weights must add up to 1");

  const declared = await org.json('PUT', declareAt, { comparisons: [ruleBook, fixed, weighted] });
  expect(declared.status).toBe(200);
  expect(declared.body.questions[0].comparisons.map((c: { label: string }) => c.label)).toEqual([
    'Rule book',
    'Fixed numbers, exhaustive ballot',
    'Weighted',
  ]);

  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  // Once open, the declaration is committed: no comparison can be chosen after the votes.
  const late = await org.json('PUT', declareAt, { comparisons: [weighted] });
  expect(late.status).toBe(409);

  const tokens = await app.db
    .selectFrom('voting_tokens')
    .innerJoin('branches', 'branches.id', 'voting_tokens.branch_id')
    .select(['voting_tokens.sealed_token', 'branches.name'])
    .where('ballot_id', '=', ballot.id)
    .execute();
  const left = Object.fromEntries(Object.entries(plan).map(([b, v]) => [b, v.flatMap(([o, k]) => Array(k).fill(o))]));
  for (const t of tokens) {
    const option = left[t.name]!.pop() as number;
    const r = await new Client(app.url).json('POST', '/api/v1/vote', {
      token: keys.open(LINK_PURPOSE, t.sealed_token!),
      answers: { [q.id]: { kind: 'choice', option } },
    });
    expect(r.status).toBe(201);
  }
  await org.json('POST', `/api/v1/ballots/${ballot.id}/close`);
  const result = (await org.json('GET', `/api/v1/ballots/${ballot.id}/results`)).body.questions[0];
  expect(result.elected).toEqual(['York']);
  expect(result.conference).toBeNull();
  // Hamilton, 10 by members 20/14/12: 4, 3, 3 → Leeds 4. Fixed 5/4/3, exhaustive: Hull out, East's 3
  // go to Leeds (East's members preferred Leeds to York): Leeds 8 of 12. Weighted: one delegate per member, York.
  expect(result.comparisons.map((c: { elected: string[] }) => c.elected)).toEqual([['Leeds'], ['Leeds'], ['York']]);
  expect(result.comparisons.map((c: { agree: boolean }) => c.agree)).toEqual([false, false, true]);
  expect(result.comparisons[1].procedure.rounds.map((r: { eliminated: string | null }) => r.eliminated)).toEqual([
    'Hull',
    null,
  ]);
  expect(result.comparisons[1].description).toContain('Each branch sends the number of delegates the rule book fixes');
  expect(result.robustness.declared).toEqual({ agree: 1, counted: 3, lotDependent: 0 });
  expect(result.robustness.sweep.models).toHaveLength(7);
  expect(result.robustness.summary).toContain('Of the 3 declared comparisons, 1 of 3 agree with them');

  const record = (await org.json('GET', `/api/v1/ballots/${ballot.id}/record`)).body;
  expect(record.ballot.questions[0].comparisons).toHaveLength(3);
  expect(verifyRecord(record).ok).toBe(true);

  // An insider changes the first declared comparison after open (10 delegates → 46): the
  // definition no longer hashes to what was committed at open, and the recount differs.
  await sql`update questions set comparisons = jsonb_set(comparisons, '{0,model,seats}', '46') where id = ${q.id}::uuid`.execute(
    app.db,
  );
  const changed = (await org.json('GET', `/api/v1/ballots/${ballot.id}/record`)).body;
  const failing = verifyRecord(changed)
    .checks.filter((c) => c.verdict === 'FAIL')
    .map((c) => c.id);
  expect(failing).toEqual(expect.arrayContaining(['V13', 'V9.1']));
});

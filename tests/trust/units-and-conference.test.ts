import { verifyRecord } from '@omov/core/record/verify';
import { Keyring } from '../../src/platform/secrets';
import { LINK_PURPOSE } from '../../src/services/invitations';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

const keys = new Keyring('test-secret-0123456789-0123456789-abcdef');

/** Branch sizes: Big 30, Mid 14, Tiny 6, Wee 5 (Tiny and Wee are pooled at k = 10: 11 voters together). */
test('per-unit figures pool small branches, add up to the totals, and come with the conference comparison', async () => {
  const org = await setUpOrganisation(app);
  const sizes: Record<string, number> = { Big: 30, Mid: 14, Tiny: 6, Wee: 5 };
  const rows = Object.entries(sizes).flatMap(([b, n]) =>
    Array.from({ length: n }, (_, i) => `${b.toLowerCase()}${i}@example.org,${b} ${i},${b}`),
  );
  await org.json('POST', '/api/v1/roll/import', ['email,name,branch', ...rows].join('\n'), {
    'content-type': 'text/csv',
  });
  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Units',
      ...ballotTimes(),
      k: 10,
      delegates: { basis: 'members', rule: 'bloc', method: 'hamilton', seats: 20 },
      questions: [{ title: 'Agree?', method: 'yesno' }],
    })
  ).body;
  await org.json('POST', `/api/v1/ballots/${ballot.id}/open`);
  const tokens = await app.db
    .selectFrom('voting_tokens')
    .innerJoin('branches', 'branches.id', 'voting_tokens.branch_id')
    .select(['voting_tokens.sealed_token', 'branches.name'])
    .where('ballot_id', '=', ballot.id)
    .execute();
  // Big leans No, Mid and the small ones lean Yes.
  let yes = 0;
  for (const [i, t] of tokens.entries()) {
    const option = t.name === 'Big' ? (i % 4 === 0 ? 0 : 1) : 0;
    if (option === 0) yes++;
    const r = await new Client(app.url).json('POST', '/api/v1/vote', {
      token: keys.open(LINK_PURPOSE, t.sealed_token!),
      answers: { [ballot.questions[0].id]: { kind: 'choice', option } },
    });
    expect(r.status).toBe(201);
  }
  await org.json('POST', `/api/v1/ballots/${ballot.id}/close`);
  const r = (await org.json('GET', `/api/v1/ballots/${ballot.id}/results`)).body;
  expect(r.units.map((u: { name: string }) => u.name)).toEqual(['Big', 'Mid', 'Pooled: Tiny, Wee']);
  const q = r.questions[0];
  expect(q.options[0].votes).toBe(String(yes));
  const sumYes = q.byUnit.reduce(
    (n: number, u: { options: Array<{ votes: string }> }) => n + Number(u.options[0]!.votes),
    0,
  );
  expect(sumYes).toBe(yes);
  expect(q.byUnit.map((u: { voters: number }) => u.voters)).toEqual([30, 14, 11]);
  // Nowhere in the results is a small branch's vote published on its own.
  expect(q.byUnit.some((u: { unit: string }) => u.unit === 'Tiny' || u.unit === 'Wee')).toBe(false);
  expect(r.ballot.boxRoot).toMatch(/^[0-9a-f]{64}$/);
  // Turnout is pooled by the same rule: "6 of 6 voted" in Tiny would say who voted.
  expect(r.turnout.byBranch.map((b: { branch: string; voted: number }) => [b.branch, b.voted])).toEqual([
    ['Big', 30],
    ['Mid', 14],
    ['Pooled: Tiny, Wee', 11],
  ]);

  // OMOV: about 8 of Big + 14 + 11 = 33 of 55 → Yes. Conference (bloc, Hamilton, 20 delegates
  // by members 30/14/11 of 55): quotas 10.91, 5.09, 4.00 → 10, 5, 4 and the last seat to the
  // largest remainder (Big): 11, 5, 4. Big votes No with 11 of 20, so the conference says No.
  const c = q.conference;
  expect(q.elected).toEqual(['Yes']);
  expect(c.branches.map((b: { name: string; delegates: number }) => [b.name, b.delegates])).toEqual([
    ['Big', 11],
    ['Mid', 5],
    ['Pooled: Tiny, Wee', 4],
  ]);
  expect(c.agree).toBe(false);
  expect(JSON.stringify(c.conference)).toContain('No');
  expect(c.paradoxes.map((p: { name: string }) => p.name)).toContain('referendum');

  // The pool is not a delegation. Counted apart, by membership (Big 30, Mid 14, Tiny 6, Wee 5
  // of 55): quotas 10.91, 5.09, 2.18, 1.82 → 10, 5, 2, 1 and the last two seats to Big (.91)
  // and Wee (.82): 11, 5, 2, 2. Tiny and Wee each vote the pool's Yes: Yes 9, No 11, the
  // same answer. Pooling did not change it, and the page says so.
  expect(c.branches[2].pooled).toEqual(['Tiny', 'Wee']);
  expect(c.pooling).toMatchObject({
    pools: [{ unit: 'Pooled: Tiny, Wee', branches: ['Tiny', 'Wee'] }],
    elected: ['No'],
    delegates: { Yes: '9', No: '11' },
    changed: false,
  });
  expect(c.lotDependence).toBeUndefined();
  const page = await (await org.request('GET', `/ballots/${ballot.id}/results`)).text();
  expect(page).toContain('Members in small branches, pooled for secrecy <span class="hint">(Tiny, Wee)</span>');
  expect(page).toContain('Pooling did not change the answer.');
  expect(page).not.toMatch(/<th scope="row">Pooled: Tiny, Wee<\/th><td class="num">11<\/td><td class="num">4<\/td>/);
  // Power as a percentage, the exact fraction on hover: Big's 11 of 20 carry every motion alone.
  expect(page).toContain('<td class="num" title="1">100%</td>');
  const csv = await (await org.request('GET', `/ballots/${ballot.id}/results.csv`)).text();
  expect(csv).toContain('1,Agree?,yesno,(delegate conference),No,delegate votes,11,yes\r\n');
  expect(csv).toContain('1,Agree?,yesno,(pools split by membership),Yes,delegate votes,9,no\r\n');
  // The record keeps the pool's branch sizes, and a recount from it gives the same comparison.
  const record = JSON.parse(await (await org.request('GET', `/api/v1/ballots/${ballot.id}/record`)).text());
  expect(record.units[2].parts).toEqual([
    { branch: 'Tiny', members: 6, electorate: 6 },
    { branch: 'Wee', members: 5, electorate: 5 },
  ]);
  const v = verifyRecord(record);
  expect(v.checks.filter((x) => x.verdict === 'FAIL').map((x) => x.name)).toEqual([]);
  expect(v.ok).toBe(true);
});

import { sql } from 'kysely';
import { drawOrder } from '@omov/core/tally/lot';
import { hashSecret, Keyring } from '../../src/platform/secrets';
import { LINK_PURPOSE } from '../../src/services/invitations';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { scaled } from '../support/machine';

/**
 * What a vote's shape says about its member. With options in each member's own order,
 * a page's order follows from a MAC of the token's hash, which the holder of the secret
 * can compute for every member: marks stored in page order would name the member. And a
 * sealed vote's length, which the xmin join ties to its member while the ballot is open,
 * would say how many of 400 proposals the member marked. 50 members vote, marking in the
 * order their own page shows.
 */
const SECRET = 'test-secret-0123456789-0123456789-abcdef'; // startTestApp's
const N = 50;
const PROPOSALS = 200;

let app: TestApp;
// 50 members mark up to 200 proposals each: the test may take 5 minutes, scaled to this machine.
jest.setTimeout(scaled(300_000));

beforeAll(async () => {
  // The chainer rewrites each sealed row (a new xmin) once it has chained it: the insider
  // here reads before it passes, as one who watches the database can.
  app = await startTestApp({ settings: { CHAIN_INTERVAL_MS: '3600000' } });
}, scaled(120_000));
afterAll(async () => app?.close());

/** How many proposals member i marks: some one, some all 200. */
const marksOf = (i: number) => [1, 3, 7, 40, PROPOSALS][i % 5]!;

test('marks are stored in option order and every sealed paper has one length: neither names a member', async () => {
  const org = await setUpOrganisation(app);
  const csv = ['email,name,branch', ...Array.from({ length: N }, (_, i) => `p${i}@example.org,Member ${i},Branch`)];
  expect((await org.json('POST', '/api/v1/roll/import', csv.join('\n'), { 'content-type': 'text/csv' })).status).toBe(
    200,
  );
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Policy proposals',
    ...ballotTimes(),
    randomiseOptions: true,
    // Two long questions: a paper marking everything is longer than the old 1 KB padding.
    questions: ['Which proposals do you support?', 'Which amendments do you support?'].map((title) => ({
      title,
      method: 'approval',
      options: Array.from({ length: PROPOSALS }, (_, i) => ({ label: `Item ${i + 1}` })),
    })),
  });
  expect(created.status).toBe(201);
  const ballotId: string = created.body.id;
  const [q, q2] = created.body.questions as Array<{ id: string }>;
  expect((await org.json('POST', `/api/v1/ballots/${ballotId}/open`)).status).toBe(200);

  const keys = new Keyring(SECRET);
  const rows = await app.db
    .selectFrom('voting_tokens')
    .select(['member_id', 'sealed_token'])
    .where('ballot_id', '=', ballotId)
    .execute();
  const natural = Array.from({ length: PROPOSALS }, (_, i) => i);
  // What the holder of the secret computes for every member: the order their page showed.
  const pageOrder = new Map<string, number[]>();
  const marked = new Map<string, string>(); // the member's marks, in page order, as the attacker would see them
  for (const [i, r] of rows.entries()) {
    const token = keys.open(LINK_PURPOSE, r.sealed_token!);
    const order = drawOrder(natural, keys.mac('option-order', hashSecret(token).toString('hex')), q!.id);
    pageOrder.set(r.member_id, order);
    const marks = order.slice(0, marksOf(i)); // the member ticks from the top of their page
    marked.set(r.member_id, marks.join(','));
    const cast = await new Client(app.url).json('POST', '/api/v1/vote', {
      token,
      answers: { [q!.id]: { kind: 'marks', options: marks }, [q2!.id]: { kind: 'marks', options: marks } },
    });
    expect(cast.status).toBe(201);
  }

  // While open: the insider's xmin join ties each sealed paper to its member, but every paper has the same length.
  const sealed = await sql<{ sealed: string }>`
    select v.sealed from voting_tokens t join box.sealed_votes v on v.xmin = t.xmin
    where t.ballot_id = ${ballotId} and t.used`.execute(app.db);
  expect(sealed.rows).toHaveLength(N);
  expect(new Set(sealed.rows.map((r) => r.sealed.length)).size).toBe(1);

  // After close: the stored marks are in option order, never in a page's order.
  expect((await org.json('POST', `/api/v1/ballots/${ballotId}/close`)).status).toBe(204);
  const votes = await sql<{ answers: Record<string, { options: number[] }> }>`
    select answers from box.votes where ballot_id = ${ballotId}`.execute(app.db);
  expect(votes.rows).toHaveLength(N);
  const stored = votes.rows.map((v) => v.answers[q!.id]!.options);
  for (const s of stored) expect(s).toEqual([...s].sort((a, b) => a - b));

  // The attack: a vote whose stored order is exactly some member's page order names that member. Stored
  // in option order, a vote matches only a member whose own marks happened to come in option order on
  // their page: what chance gives, and nothing the page's order adds. (In page order, all 40 members
  // with more than one mark were named.)
  const byOrder = new Set(marked.values());
  const named = stored.filter((s) => s.length > 1 && byOrder.has(s.join(','))).length;
  const ascendingAnyway = [...marked.values()]
    .map((m) => m.split(',').map(Number))
    .filter((m) => m.length > 1 && m.every((x, k) => k === 0 || m[k - 1]! < x)).length;
  expect(named).toBe(ascendingAnyway);
  expect(ascendingAnyway).toBeLessThan(10);
});

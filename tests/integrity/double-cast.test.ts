import { sql } from 'kysely';
import * as box from '../../src/data/ballot-box';
import * as electorate from '../../src/data/electorate';
import { createDb, type Db } from '../../src/db/database';
import { hashSecret } from '../../src/platform/secrets';
import { ballotTimes, type Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import {
  type Board,
  countsCheckOf,
  countSealedVotes,
  countUsedTokens,
  postVote,
  rollCsv,
  tokensOf,
  USED_DETAIL,
} from '../support/integrity';

/**
 * "A token casts once, under any concurrency and across several server instances." Two
 * instances of the server, each with its own connection pool, on one database.
 */

const SECRET = 'test-secret-0123456789-0123456789-abcdef'; // startTestApp's
const SIZES: Record<string, number> = { North: 90, South: 60, East: 35, West: 15 }; // 200 members

let a: TestApp;
let b: TestApp;
let bDb: Db | undefined;
let org: Client;

beforeAll(async () => {
  a = await startTestApp();
  // The second instance shares the database, not the pool: as another process would.
  bDb = createDb(a.dbUrl, { max: 10 });
  b = await startTestApp({ db: { db: bDb, url: a.dbUrl } });
  org = await setUpOrganisation(a);
  const r = await org.json('POST', '/api/v1/roll/import', rollCsv(SIZES), { 'content-type': 'text/csv' });
  if (r.status !== 200) throw new Error(`roll import: ${r.status} ${JSON.stringify(r.body)}`);
});
afterAll(async () => {
  await b?.close();
  await bDb?.destroy();
  await a?.close();
});

async function openBallot(title: string): Promise<{ id: string; questionId: string }> {
  const created = await org.json('POST', '/api/v1/ballots', {
    title,
    ...ballotTimes(),
    receiptPolicy: 'choices',
    questions: [{ title: 'Agree?', method: 'yesno' }],
  });
  expect(created.status).toBe(201);
  const opened = await org.json('POST', `/api/v1/ballots/${created.body.id}/open`);
  expect(opened.status).toBe(200);
  return { id: created.body.id, questionId: created.body.questions[0].id };
}

test('200 simultaneous casts of one token over two instances: one 201, 199 already-used, one vote', async () => {
  const ballot = await openBallot('One token, two servers');
  const [first] = await tokensOf(a.db, ballot.id, SECRET);
  const answers = { [ballot.questionId]: { kind: 'choice', option: 0 } };
  const results = await Promise.all(
    Array.from({ length: 200 }, (_, i) => postVote((i % 2 ? b : a).url, first!.token, answers)),
  );
  const wins = results.filter((r) => r.status === 201);
  expect(wins).toHaveLength(1);
  const losses = results.filter((r) => r.status === 409);
  expect(losses).toHaveLength(199);
  expect(losses.every((r) => r.body.detail === USED_DETAIL && r.type.startsWith('application/problem+json'))).toBe(
    true,
  );
  // Each instance refused its share (100 requests each, one of which may be the winner).
  for (const side of [0, 1])
    expect(results.filter((r, i) => i % 2 === side && r.status === 409).length).toBeGreaterThanOrEqual(99);
  expect(await countSealedVotes(a.db, ballot.id)).toBe(1);
  expect(await countUsedTokens(a.db, ballot.id)).toBe(1);

  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/close`)).status).toBe(204);
  const board = (await org.json<Board>('GET', `/api/v1/ballots/${ballot.id}/board`)).body;
  expect(board.receipts).toEqual([{ receipt: wins[0]!.body.receipt, answers }]);
});

test('200 different tokens cast at once over two instances: 200 votes, and the board holds exactly the 200 receipts given', async () => {
  const ballot = await openBallot('Many tokens, two servers');
  const tokens = await tokensOf(a.db, ballot.id, SECRET);
  expect(tokens).toHaveLength(200);
  const answersOf = (i: number) => ({ [ballot.questionId]: { kind: 'choice', option: i % 2 } });
  const results = await Promise.all(tokens.map(({ token }, i) => postVote((i % 2 ? b : a).url, token, answersOf(i))));
  expect(results.map((r) => r.status)).toEqual(tokens.map(() => 201));
  expect(await countSealedVotes(a.db, ballot.id)).toBe(200);
  expect(await countUsedTokens(a.db, ballot.id)).toBe(200);

  // Closed through the other instance, to show nothing depends on which one took the votes.
  // (The client sends its session cookie to whichever base it is given.)
  expect((await org.json('POST', `${b.url}/api/v1/ballots/${ballot.id}/close`)).status).toBe(204);
  const board = (await org.json<Board>('GET', `/api/v1/ballots/${ballot.id}/board`)).body;
  const given = results.map((r, i) => ({ receipt: r.body.receipt!, answers: answersOf(i) }));
  const byReceipt = (x: { receipt: string }, y: { receipt: string }) =>
    x.receipt < y.receipt ? -1 : x.receipt > y.receipt ? 1 : 0;
  expect([...board.receipts].sort(byReceipt)).toEqual([...given].sort(byReceipt));
  expect(new Set(given.map((g) => g.receipt)).size).toBe(200);
  const check = await countsCheckOf(a.db, ballot.id);
  expect(check?.votes).toBe(200);
  expect(Object.fromEntries(Object.entries(check!.byBranch).map(([br, c]) => [br, [c.usedTokens, c.votes]]))).toEqual(
    Object.fromEntries(Object.entries(SIZES).map(([br, n]) => [br, [n, n]])),
  );
});

test('the cast statement is prepared once per connection and still casts each token once', async () => {
  const ballot = await openBallot('Prepared cast');
  const [first] = await tokensOf(a.db, ballot.id, SECRET);
  const hash = hashSecret(first!.token);
  const link = await electorate.findTokenBallot(a.db, hash);
  // One connection, so the second statement runs where the first was prepared.
  const one = createDb(a.dbUrl, { max: 1 });
  try {
    const c = { ballotId: ballot.id, tokenHash: hash, branchId: link!.branchId, weight: link!.weight, sealed: 'x' };
    expect((await box.castSealedVote(one, c)).cast).toBe(true);
    const again = await box.castSealedVote(one, c);
    expect(again.cast).toBe(false);
    expect(again.token?.used).toBe(true);
    const prepared = await sql<{ name: string }>`select name from pg_prepared_statements`.execute(one);
    expect(prepared.rows.map((r) => r.name)).toEqual(['cast_sealed_vote']);
    expect(await countSealedVotes(a.db, ballot.id)).toBe(1);
  } finally {
    await one.destroy();
  }
});

import { sql } from 'kysely';
import { Keyring } from '../../src/platform/secrets';
import { LINK_PURPOSE } from '../../src/services/invitations';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { scaled } from '../support/machine';

/**
 * The insider: someone who can read the whole live database as its superuser. 500 known
 * members vote; the test knows every member's choice, and tries every linkage it can
 * think of, before and after close. None may do better than chance.
 */
// 500 members vote; every linkage is tried (the test's own limit, scaled to this machine).
jest.setTimeout(scaled(180_000));

let app: TestApp;
beforeAll(async () => {
  // The chainer rewrites each sealed row (a new xmin) once it has chained it: the insider
  // here reads before it passes, as one who watches the database can.
  app = await startTestApp({ settings: { CHAIN_INTERVAL_MS: '3600000' } });
});
afterAll(async () => app?.close());

const N = 500;
const OPTIONS = ['Ash', 'Birch', 'Cedar', 'Date', 'Elm'];
const CHANCE = 1 / OPTIONS.length;
// 500 draws at p = 0.2: sd ≈ 0.018; 0.30 is more than five sd above chance.
const BOUND = 0.3;

/** Deterministic pseudo-random choices, independent of any order the server sees. */
function choiceOf(i: number): number {
  let x = (i + 1) * 2654435761;
  x ^= x >>> 16;
  x = Math.imul(x, 0x45d9f3b);
  x ^= x >>> 16;
  return (x >>> 0) % OPTIONS.length;
}
const rankingOf = (i: number) =>
  Array.from({ length: 1 + (i % OPTIONS.length) }, (_, k) => (choiceOf(i) + k) % OPTIONS.length);

test('no linkage from the database does better than chance', async () => {
  const org = await setUpOrganisation(app);
  const csv = [
    'email,name,branch',
    ...Array.from({ length: N }, (_, i) => `m${i}@example.org,Member ${i},Branch ${i % 5}`),
  ].join('\n');
  expect((await org.json('POST', '/api/v1/roll/import', csv, { 'content-type': 'text/csv' })).status).toBe(200);
  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Secret',
      ...ballotTimes(),
      k: 10,
      receiptPolicy: 'choices',
      questions: [
        { title: 'Tree', method: 'plurality', options: OPTIONS.map((label) => ({ label })) },
        { title: 'Trees, ranked', method: 'irv', options: OPTIONS.map((label) => ({ label })) },
      ],
    })
  ).body;
  await org.json('POST', `/api/v1/ballots/${ballot.id}/open`);
  const keys = new Keyring('test-secret-0123456789-0123456789-abcdef');
  const tokens = await app.db
    .selectFrom('voting_tokens')
    .innerJoin('members', 'members.id', 'voting_tokens.member_id')
    .select(['members.id as memberId', 'members.email', 'voting_tokens.sealed_token'])
    .where('ballot_id', '=', ballot.id)
    .execute();
  const truth = new Map<string, number>();
  const receipts = new Map<string, string>();
  const [q1, q2] = ballot.questions;
  // Cast in small concurrent batches, as real traffic would arrive.
  for (let i = 0; i < tokens.length; i += 10) {
    await Promise.all(
      tokens.slice(i, i + 10).map(async (t) => {
        const n = Number(/^m(\d+)@/.exec(t.email)![1]);
        truth.set(t.memberId, choiceOf(n));
        const r = await new Client(app.url).json('POST', '/api/v1/vote', {
          token: keys.open(LINK_PURPOSE, t.sealed_token!),
          answers: {
            [q1.id]: { kind: 'choice', option: choiceOf(n) },
            [q2.id]: { kind: 'ranking', options: rankingOf(n) },
          },
        });
        expect(r.status).toBe(201);
        receipts.set(t.memberId, r.body.receipt);
      }),
    );
  }

  // ---- While open. The sealed vote shares its xmin with the token it used up: the
  // insider links each member to a sealed row exactly. What does the row say?
  const linked = await sql<{ member_id: string; sealed: string }>`
    select t.member_id, v.sealed from voting_tokens t join box.sealed_votes v on v.xmin = t.xmin
    where t.ballot_id = ${ballot.id} and t.used`.execute(app.db);
  expect(linked.rows.length).toBe(N); // the link is there…
  const lengths = new Set(linked.rows.map((r) => r.sealed.length));
  expect(lengths.size).toBe(1); // …but every sealed vote has the same length, whatever was ranked,
  for (const r of linked.rows.slice(0, 50)) {
    // …and holds neither the receipt nor any readable answer.
    expect(r.sealed).not.toContain(receipts.get(r.member_id)!);
    expect(Buffer.from(r.sealed, 'base64url').toString('latin1')).not.toMatch(/choice|ranking|option/);
  }
  // No commit timestamps to read.
  await expect(
    sql`select pg_xact_commit_timestamp(xmin) from box.sealed_votes limit 1`.execute(app.db),
  ).rejects.toThrow(/could not get commit timestamp data/);

  // ---- Close, then try again on the plain votes.
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/close`)).status).toBe(204);
  const votes = await sql<{
    xmin: string;
    ctid: string;
    receipt: string;
    answers: Record<string, { kind: string; option?: number }>;
  }>`
    select xmin::text, ctid::text, receipt, answers from box.votes where ballot_id = ${ballot.id}`.execute(app.db);
  expect(votes.rows.length).toBe(N);
  const voteChoice = (v: (typeof votes.rows)[number]) => v.answers[q1.id]!.option!;
  // One transaction wrote them all: xmin says nothing.
  expect(new Set(votes.rows.map((v) => v.xmin)).size).toBe(1);
  // No sealed row links to them: the sealed rows are gone.
  expect(
    (
      await sql<{ n: number }>`select count(*)::int as n from box.sealed_votes where ballot_id = ${ballot.id}`.execute(
        app.db,
      )
    ).rows[0]!.n,
  ).toBe(0);

  // The order members voted in, by the xmin of their used tokens.
  const castOrder = (
    await sql<{ member_id: string }>`
    select member_id from voting_tokens where ballot_id = ${ballot.id} and used order by xmin::text::bigint`.execute(
      app.db,
    )
  ).rows.map((r) => r.member_id);
  const accuracy = (guess: Array<{ member: string; option: number }>) =>
    guess.filter((g) => truth.get(g.member) === g.option).length / guess.length;
  const pairWith = (ordered: typeof votes.rows) =>
    castOrder.map((member, i) => ({ member, option: voteChoice(ordered[i]!) }));
  const tid = (c: string) => c.slice(1, -1).split(',').map(Number) as [number, number];

  // Linkage 1: physical order of the plain votes against the order of casting.
  const byCtid = [...votes.rows].sort((a, b) => tid(a.ctid)[0] - tid(b.ctid)[0] || tid(a.ctid)[1] - tid(b.ctid)[1]);
  expect(accuracy(pairWith(byCtid))).toBeLessThan(BOUND);
  // Linkage 2: reverse physical order.
  expect(accuracy(pairWith([...byCtid].reverse()))).toBeLessThan(BOUND);
  // Linkage 3: receipt order against casting order (receipts are random).
  const byReceipt = [...votes.rows].sort((a, b) => (a.receipt < b.receipt ? -1 : 1));
  expect(accuracy(pairWith(byReceipt))).toBeLessThan(BOUND);
  // Linkage 4: the published board (receipt → answers) holds nothing that names a member.
  const board = (await new Client(app.url).json('GET', `/api/v1/ballots/${ballot.id}/board`)).body;
  expect(board.receipts).toHaveLength(N);
  expect(JSON.stringify(board)).not.toMatch(/@example\.org|Member \d/);
  // Sanity: the attack harness itself works — with the true pairing it would score 100%.
  const truePairs = [...truth.entries()].map(([member, option]) => ({ member, option }));
  expect(accuracy(truePairs)).toBe(1);
  // And the best constant guess is no better than the commonest option's share.
  const counts = OPTIONS.map((_, o) => [...truth.values()].filter((x) => x === o).length / N);
  expect(Math.max(...counts)).toBeLessThan(BOUND);
  expect(CHANCE).toBeLessThan(BOUND);

  // ---- What the database has no way to store.
  const timeColumns = await sql<{ n: number }>`
    select count(*)::int as n from information_schema.columns
    where table_schema = 'box' and data_type like 'timestamp%'`.execute(app.db);
  expect(timeColumns.rows[0]!.n).toBe(0);
  const sequences = await sql<{ n: number }>`select count(*)::int as n from information_schema.sequences`.execute(
    app.db,
  );
  expect(sequences.rows[0]!.n).toBe(0);
  const tokenColumns = await sql<{ column_name: string }>`
    select column_name from information_schema.columns where table_name = 'voting_tokens'`.execute(app.db);
  expect(tokenColumns.rows.map((r) => r.column_name)).not.toEqual(
    expect.arrayContaining([expect.stringMatching(/_at$/)]),
  );
  // Statistics views count rows; they hold no row contents or times per row.
  const stats = await sql<{
    n_tup_ins: number;
  }>`select n_tup_ins::int from pg_stat_user_tables where schemaname = 'box' and relname = 'votes'`.execute(app.db);
  expect(stats.rows.length).toBe(1);
});

import { childServerPerFile } from '../support/child-server';
import { ballotTimes } from '../support/app';
import {
  type Board,
  countsCheckOf,
  countSealedVotes,
  countUsedTokens,
  organisationWithRollAt,
  pool,
  postVote,
  sleep,
  tokensOf,
  USED_DETAIL,
} from '../support/integrity';
import { atOnce, scaled } from '../support/machine';

/**
 * "A cast is all or nothing, and a committed cast is never lost, not on a crash nor a
 * restart." The server runs as its own process and is SIGKILLed again and again while
 * 2,000 members vote; each voter retries after a failed request until the server answers
 * 201 (a receipt) or 409 already-used (an earlier attempt committed but its answer was
 * lost). At close, every receipt a voter got is on the board, and used tokens, sealed
 * votes, board and the per-branch reconciliation all agree.
 */

const SECRET = 'crash-test-secret-0123456789-0123456789-abcdef';
// 2,000 members in branches of very different sizes.
const SIZES: Record<string, number> = { Leeds: 700, Bristol: 500, Hull: 400, York: 250, Bath: 100, Ely: 40, Wells: 10 };
const MEMBERS = Object.values(SIZES).reduce((a, b) => a + b, 0);

// Usually 30–50 s alone; the limit is scaled to this machine.
jest.setTimeout(scaled(120_000));

const child = childServerPerFile(SECRET);

type Outcome =
  | { kind: 'receipt'; receipt: string; attempts: number }
  | { kind: 'committed-unknown'; attempts: number }
  | { kind: 'unexpected'; attempts: number; what: string };

test('2,000 casts under repeated SIGKILL of the server: nothing lost, nothing doubled, counts reconcile', async () => {
  const srv = child.server();
  const db = child.db();
  const org = await organisationWithRollAt(srv.url, db, SIZES);
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Crash test',
    ...ballotTimes(),
    receiptPolicy: 'choices',
    questions: [
      {
        title: 'Conference city',
        method: 'plurality',
        options: [{ label: 'Leeds' }, { label: 'Bristol' }, { label: 'Hull' }],
      },
    ],
  });
  expect(created.status).toBe(201);
  const ballot = created.body as { id: string; questions: Array<{ id: string }> };
  const questionId = ballot.questions[0]!.id;
  const opened = await org.json('POST', `/api/v1/ballots/${ballot.id}/open`);
  expect(opened.status).toBe(200);
  expect(opened.body.electorate).toBe(MEMBERS);
  const tokens = await tokensOf(db, ballot.id, SECRET);
  expect(tokens).toHaveLength(MEMBERS);
  const answersOf = (i: number) => ({ [questionId]: { kind: 'choice', option: i % 3 } });

  let casting = true;
  let connectionFailures = 0;
  let unavailable = 0;
  let answered = 0;
  // Kill after the server has answered 20–80 casts since it started, until every cast is
  // resolved: counted in casts rather than milliseconds, a slow machine has as many kills
  // as a fast one, and spends no more of its time restarting.
  const killer = (async () => {
    while (casting) {
      const killAt = answered + 20 + Math.floor(Math.random() * 60);
      while (casting && answered < killAt) await sleep(5);
      if (!casting) break;
      await srv.kill();
      await srv.start();
    }
  })();

  // 20 voters at once on a quiet machine, fewer on a busy one; always some casts in flight at a kill.
  const outcomes = await pool(tokens, atOnce(20), async ({ token }, i): Promise<Outcome> => {
    for (let attempts = 1; attempts <= 200; attempts++) {
      let r: Awaited<ReturnType<typeof postVote>>;
      try {
        r = await postVote(srv.url, token, answersOf(i));
        answered++;
      } catch {
        // Connection reset or refused: the server died under this request. Try again once it is back.
        connectionFailures++;
        await sleep(10);
        await srv.whenUp();
        continue;
      }
      if (r.status === 201 && r.body.receipt) return { kind: 'receipt', receipt: r.body.receipt, attempts };
      if (r.status === 409 && r.body.detail === USED_DETAIL) {
        // Only this voter holds this token: "used" on a first attempt would be a cast from nowhere.
        if (attempts === 1) return { kind: 'unexpected', attempts, what: 'already used on the first attempt' };
        return { kind: 'committed-unknown', attempts };
      }
      if (r.status === 503) {
        unavailable++;
        await sleep(50);
        await srv.whenUp();
        continue;
      }
      return { kind: 'unexpected', attempts, what: `${r.status} ${JSON.stringify(r.body)}` };
    }
    return { kind: 'unexpected', attempts: 200, what: 'no answer after 200 attempts' };
  }).finally(async () => {
    casting = false;
    await killer;
  });

  const receipts = outcomes.flatMap((o, i) =>
    o.kind === 'receipt' ? [{ receipt: o.receipt, answers: answersOf(i) }] : [],
  );
  const unknown = outcomes.filter((o) => o.kind === 'committed-unknown').length;
  const retried = outcomes.filter((o) => o.attempts > 1).length;
  console.log(
    `crash test: ${srv.kills} kills; ${connectionFailures} requests failed on the connection, ${unavailable} got 503; ` +
      `${retried} voters retried; ${receipts.length} receipts, ${unknown} committed with the receipt lost`,
  );
  expect(outcomes.filter((o) => o.kind === 'unexpected')).toEqual([]);
  // Not vacuous: the server really was killed, with casts in flight.
  expect(srv.kills).toBeGreaterThan(0);
  expect(connectionFailures).toBeGreaterThan(0);
  expect(receipts.length + unknown).toBe(MEMBERS);

  // Before close: one sealed vote per used token, and every token used once.
  expect(await countUsedTokens(db, ballot.id)).toBe(MEMBERS);
  expect(await countSealedVotes(db, ballot.id)).toBe(MEMBERS);

  const closed = await org.json('POST', `/api/v1/ballots/${ballot.id}/close`);
  expect(closed.status).toBe(204);
  const board = (await org.json<Board>('GET', `/api/v1/ballots/${ballot.id}/board`)).body;
  expect(board.receipts).toHaveLength(MEMBERS);
  const onBoard = new Map(board.receipts.map((r) => [r.receipt, r.answers]));
  expect(onBoard.size).toBe(MEMBERS); // no receipt twice
  // Every receipt a voter was given is there, with the answers that voter sent.
  const missing = receipts.filter((r) => !onBoard.has(r.receipt));
  expect(missing).toEqual([]);
  for (const r of receipts) expect(onBoard.get(r.receipt)).toEqual(r.answers);

  const check = await countsCheckOf(db, ballot.id);
  expect(check?.votes).toBe(MEMBERS);
  expect(Object.fromEntries(Object.entries(check!.byBranch).map(([b, c]) => [b, [c.usedTokens, c.votes]]))).toEqual(
    Object.fromEntries(Object.entries(SIZES).map(([b, n]) => [b, [n, n]])),
  );
});

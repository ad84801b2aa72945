import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDb, type Db, migrateToLatest } from '../../src/db/database';
import type { EmbeddedServer } from '../../src/db/embedded';
import { ballotTimes, type Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import {
  type Board,
  countsCheckOf,
  countSealedVotes,
  countUsedTokens,
  pool,
  postVote,
  restartablePort,
  rollCsv,
  sleep,
  tokensOf,
  USED_DETAIL,
} from '../support/integrity';
import { startPostgresProcess } from '../support/embedded-pg';
import { atOnce, scaled, waitFor } from '../support/machine';

/**
 * "A committed cast is never lost, not on a database restart", and a database that is
 * down gives clean 503 problems, never a 500 or a hang. This file has its own PostgreSQL
 * server (the shared test server is used by other files), stopped and started again on
 * the same data folder and port in the middle of a load of casts.
 */

const SECRET = 'test-secret-0123456789-0123456789-abcdef'; // startTestApp's
const SIZES: Record<string, number> = { Docks: 150, Mill: 100, Yard: 50 }; // 300 members
const MEMBERS = 300;
/** A request that has not been answered in this long (on a quiet machine; scaled to this one) counts as a hang. */
const HANG_MS = 10_000;

let base: string | undefined;
let pg: EmbeddedServer | undefined;
let db: Db | undefined;
let app: TestApp | undefined;

beforeAll(async () => {
  base = await fsp.mkdtemp(path.join(os.tmpdir(), 'omov-db-restart-'));
  // startEmbeddedPostgres (in the wrapper process) opens `base` to the postgres user when running as root.
  // Restarted on the same port, which the app's pool keeps knocking at meanwhile: see restartablePort.
  pg = await startPostgresProcess({ dataDir: path.join(base, 'data'), port: await restartablePort() });
  db = createDb(pg.url, { max: 10 });
  await migrateToLatest(db);
  app = await startTestApp({ db: { db, url: pg.url } });
});
afterAll(async () => {
  await app?.close();
  await db?.destroy();
  await pg?.stop();
  if (base) await fsp.rm(base, { recursive: true, force: true });
});

type Seen =
  | { status: number; type: string; detail?: string; ms: number; startedAt: number; endedAt: number }
  | { error: string; ms: number; startedAt: number; endedAt: number };
type Outcome =
  | { kind: 'receipt'; receipt: string; index: number }
  | { kind: 'committed-unknown'; index: number }
  | { kind: 'unexpected'; index: number; what: string };

test('stopping the database under load gives clean 503s; after it is back every cast completes and the counts reconcile', async () => {
  const org: Client = await setUpOrganisation(app!);
  expect((await org.json('POST', '/api/v1/roll/import', rollCsv(SIZES), { 'content-type': 'text/csv' })).status).toBe(
    200,
  );
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Database restart',
    ...ballotTimes(),
    receiptPolicy: 'choices',
    questions: [{ title: 'Agree?', method: 'yesno' }],
  });
  expect(created.status).toBe(201);
  const ballotId: string = created.body.id;
  const questionId: string = created.body.questions[0].id;
  expect((await org.json('POST', `/api/v1/ballots/${ballotId}/open`)).status).toBe(200);
  const tokens = await tokensOf(db!, ballotId, SECRET);
  expect(tokens).toHaveLength(MEMBERS);
  const answersOf = (i: number) => ({ [questionId]: { kind: 'choice', option: i % 2 } });

  // The database's state as the clients see it: when it went down and came back.
  let phase: 'up' | 'stopping' | 'down' | 'starting' = 'up';
  let downFrom = Infinity;
  let downUntil = Infinity;
  const seen: Seen[] = [];
  let accepted = 0;

  async function attempt(token: string, i: number): Promise<Seen & { receipt?: string }> {
    const startedAt = Date.now();
    try {
      const r = await postVote(app!.url, token, answersOf(i), HANG_MS);
      const s = {
        status: r.status,
        type: r.type,
        detail: r.body.detail,
        ms: Date.now() - startedAt,
        startedAt,
        endedAt: Date.now(),
      };
      seen.push(s);
      return { ...s, ...(r.body.receipt ? { receipt: r.body.receipt } : {}) };
    } catch (err) {
      const s = {
        error: String((err as Error).cause ?? err),
        ms: Date.now() - startedAt,
        startedAt,
        endedAt: Date.now(),
      };
      seen.push(s);
      return s;
    }
  }

  // 10 voters at once on a quiet machine, fewer on a busy one.
  const casting = pool(tokens, atOnce(10), async ({ token }, index): Promise<Outcome> => {
    for (let tries = 1; tries <= 500; tries++) {
      const r = await attempt(token, index);
      if ('error' in r) return { kind: 'unexpected', index, what: `no answer: ${r.error} after ${r.ms} ms` };
      if (r.status === 201 && r.receipt) {
        accepted++;
        return { kind: 'receipt', receipt: r.receipt, index };
      }
      if (r.status === 409 && r.detail === USED_DETAIL) {
        // Used on a retry: an earlier attempt committed though its answer was a 503.
        return tries > 1
          ? { kind: 'committed-unknown', index }
          : { kind: 'unexpected', index, what: 'already used on the first attempt' };
      }
      // Keep asking while the database is away, so that requests are made while it is down.
      if (r.status === 503) {
        await sleep(50);
        continue;
      }
      return { kind: 'unexpected', index, what: `${r.status} ${r.type} ${r.detail ?? ''}` };
    }
    return { kind: 'unexpected', index, what: 'no success after 500 attempts' };
  });

  // A third of the way in, stop the database; hold it down a while; start it again.
  const restart = (async () => {
    while (accepted < MEMBERS / 3) await sleep(5);
    phase = 'stopping';
    await pg!.stop();
    phase = 'down';
    downFrom = Date.now();
    // The organiser's side, while down: a clean problem too (sessions live in the database).
    const turnout = await org.request('GET', `/api/v1/ballots/${ballotId}/turnout`);
    const probe = { status: turnout.status, type: turnout.headers.get('content-type') ?? '' };
    await turnout.arrayBuffer();
    // Down for 1.5 s at least, and until clients have had a dozen answers while it was.
    await sleep(1500);
    await waitFor('a dozen answers while the database is down', () =>
      seen.filter((s) => s.startedAt >= downFrom).length >= 12 ? true : undefined,
    );
    downUntil = Date.now();
    phase = 'starting';
    const port = Number(new URL(app!.dbUrl).port);
    const again = await startPostgresProcess({ dataDir: path.join(base!, 'data'), port });
    expect(again.url).toBe(app!.dbUrl);
    pg = again;
    phase = 'up';
    return probe;
  })();

  const [outcomes, probe] = await Promise.all([casting, restart]);
  expect(phase).toBe('up');

  // Never a 500, never a hang: every answer was a 201, an already-used 409, or a 503 problem.
  expect(outcomes.filter((o) => o.kind === 'unexpected')).toEqual([]);
  const fiveHundreds = seen.filter((s) => 'status' in s && s.status >= 500 && s.status !== 503);
  expect(fiveHundreds).toEqual([]);
  const unavailable = seen.filter((s): s is Extract<Seen, { status: number }> => 'status' in s && s.status === 503);
  expect(unavailable.every((s) => s.type.startsWith('application/problem+json'))).toBe(true);
  expect(Math.max(...seen.map((s) => s.ms))).toBeLessThan(scaled(HANG_MS));
  // Requests made and answered wholly while the database was down: all clean 503s, and there were some.
  const whileDown = seen.filter((s) => s.startedAt >= downFrom && s.endedAt <= downUntil);
  expect(whileDown.length).toBeGreaterThan(10);
  expect(
    whileDown.every((s) => 'status' in s && s.status === 503 && s.type.startsWith('application/problem+json')),
  ).toBe(true);
  expect(probe.status).toBe(503);
  expect(probe.type).toMatch(/^application\/problem\+json/);

  const receipts = outcomes.flatMap((o) =>
    o.kind === 'receipt' ? [{ receipt: o.receipt, answers: answersOf(o.index) }] : [],
  );
  const unknown = outcomes.filter((o) => o.kind === 'committed-unknown').length;
  console.log(
    `db restart: ${seen.length} requests, ${unavailable.length} answered 503 (${whileDown.length} wholly while down), ` +
      `slowest ${Math.max(...seen.map((s) => s.ms))} ms; ${receipts.length} receipts, ${unknown} committed with the answer lost`,
  );
  expect(receipts.length + unknown).toBe(MEMBERS);

  // Full service after: the pool reconnected by itself; the box and the tokens agree.
  expect(await countUsedTokens(db!, ballotId)).toBe(MEMBERS);
  expect(await countSealedVotes(db!, ballotId)).toBe(MEMBERS);
  expect((await org.json('POST', `/api/v1/ballots/${ballotId}/close`)).status).toBe(204);
  const board = (await org.json<Board>('GET', `/api/v1/ballots/${ballotId}/board`)).body;
  expect(board.receipts).toHaveLength(MEMBERS);
  const onBoard = new Map(board.receipts.map((r) => [r.receipt, r.answers]));
  expect(onBoard.size).toBe(MEMBERS);
  for (const r of receipts) expect(onBoard.get(r.receipt)).toEqual(r.answers);
  const check = await countsCheckOf(db!, ballotId);
  expect(check?.votes).toBe(MEMBERS);
  expect(Object.fromEntries(Object.entries(check!.byBranch).map(([b, c]) => [b, [c.usedTokens, c.votes]]))).toEqual(
    Object.fromEntries(Object.entries(SIZES).map(([b, n]) => [b, [n, n]])),
  );
});

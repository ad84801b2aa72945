import { sql } from 'kysely';
import type { DelegateSettingsInput } from '@omov/core/domain/ballot';
import type { UnitFacts } from '@omov/core/domain/count';
import { countRecord, storedResults } from '@omov/core/record/record';
import * as audit from '../src/data/audit';
import * as box from '../src/data/ballot-box';
import * as ballotsData from '../src/data/ballots';
import * as electorate from '../src/data/electorate';
import { makeRoll, rollCsv } from '../src/demo/roll';
import { CloseThread } from '../src/services/close-thread';
import { LINK_PURPOSE } from '../src/services/invitations';
import { cast } from '../src/services/voting';
import { ballotTimes, type Client, setUpOrganisation, startTestApp, type TestApp } from './support/app';

/**
 * The close opens the box (decrypts, reconciles, orders the papers) and counts in a worker
 * thread of its own (issue 16: no request blocks the server). Shown on a ballot whose count
 * is slow (the delegate model's conference comparison, its flips and exact voting power,
 * beside two Meek STV counts): /healthz keeps answering while the thread counts, which a count
 * on the event loop would make impossible, and the stored results are exactly what the
 * count on the event loop gave. A thread that fails fails the close, leaves nothing
 * half-written, and is not left running.
 */

let app: TestApp;
let org: Client;
beforeAll(async () => {
  app = await startTestApp();
  org = await setUpOrganisation(app, 'Off the Loop Union');
  const roll = makeRoll({ members: 1200, branches: 30, seed: 'close-off-loop', emailDomain: 'example.org' });
  const imported = await org.json('POST', '/api/v1/roll/import', rollCsv(roll), { 'content-type': 'text/csv' });
  expect(imported.status).toBe(200);
});
afterAll(async () => app?.close());

type Ballot = { id: string; questions: Array<{ id: string }> };
const CANDIDATES = ['Ann', 'Bob', 'Cy', 'Dee', 'Eve', 'Fay', 'Gus', 'Hal'];

/** A ballot with a yes/no question, two Meek STV questions and the delegate model (bloc, 100), opened, every member voting. */
async function votedBallot(title: string): Promise<Ballot> {
  const created = await org.json<Ballot>('POST', '/api/v1/ballots', {
    title,
    ...ballotTimes(),
    delegates: { basis: 'members', rule: 'bloc', method: 'sainte-lague', seats: 100 },
    questions: [
      { title: 'Adopt the motion?', method: 'yesno' },
      {
        title: 'Executive',
        method: 'stv',
        settings: { seats: 3, rules: 'meek' },
        options: CANDIDATES.map((label) => ({ label })),
      },
      {
        title: 'Delegates to the council',
        method: 'stv',
        settings: { seats: 4, rules: 'meek' },
        options: CANDIDATES.map((label) => ({ label })),
      },
    ],
  });
  expect(created.status).toBe(201);
  const b = created.body;
  expect((await org.json('POST', `/api/v1/ballots/${b.id}/open`)).status).toBe(200);
  const tokens = (await electorate.listNonVoters(app.db, b.id)).map((v) =>
    app.ctx.keys.open(LINK_PURPOSE, v.sealedToken!),
  );
  const [yesno, stv, council] = b.questions.map((q) => q.id) as [string, string, string];
  // Rankings from a few blocs of opinion, so that Meek has transfers to make and the branches differ.
  const vote = (token: string, i: number) => {
    const start = (i * 7) % 5;
    const ranking = Array.from({ length: 2 + (i % 7) }, (_, j) => (start + j * (1 + (i % 3))) % 8);
    return cast(
      app.ctx,
      token,
      {
        [yesno]: { kind: 'choice', option: i % 5 < 3 ? 0 : 1 },
        [stv]: { kind: 'ranking', options: [...new Set(ranking)] },
        [council]: { kind: 'ranking', options: [...new Set(ranking)].reverse() },
      },
      '127.0.0.1',
    );
  };
  for (let i = 0; i < tokens.length; i += 8) await Promise.all(tokens.slice(i, i + 8).map((t, j) => vote(t, i + j)));
  return b;
}

/** The count as the close made it on the event loop before the thread: countRecord over the votes read back. */
async function countOnThisThread(id: string): Promise<string> {
  const b = (await ballotsData.findBallotById(app.db, id))!;
  const votes = await box.listVotes(app.db, id);
  const eligible = (await electorate.turnoutByBranch(app.db, id)).reduce((n, x) => n + Number(x.eligible), 0);
  const questions = await ballotsData.listQuestions(app.db, id);
  const delegates = (b.delegateSettings ?? null) as DelegateSettingsInput | null;
  return storedResults(countRecord({ id, delegates, questions }, votes, eligible, (b.units ?? []) as UnitFacts[])).hash;
}

const storedHash = async (id: string) =>
  (await sql<{ h: string }>`select results_hash as h from ballot_results where ballot_id = ${id}`.execute(app.db))
    .rows[0]?.h;

test('/healthz answers while a close counts in its thread, and the results are those of the count on the loop', async () => {
  const b = await votedBallot('Counted off the loop');
  let closing = true;
  const answers = { duringClose: 0, whileOpening: 0, whileCounting: 0 };
  const close = org.json('POST', `/api/v1/ballots/${b.id}/close`).finally(() => (closing = false));
  // Asked again and again, one at a time, until the close has answered.
  while (closing) {
    const r = await fetch(`${app.url}/healthz`);
    await r.arrayBuffer();
    expect(r.status).toBe(200);
    // Read as the answer arrives: on a loop held by the count no answer could arrive while it counts.
    if (closing) answers.duringClose++;
    if (CloseThread.running.opening > 0) answers.whileOpening++;
    if (CloseThread.running.counting > 0) answers.whileCounting++;
  }
  expect((await close).status).toBe(204);
  expect(answers.duringClose).toBeGreaterThan(0);
  expect(answers.whileCounting).toBeGreaterThan(0);
  expect(CloseThread.running).toEqual({ threads: 0, opening: 0, counting: 0 });
  const hash = await storedHash(b.id);
  expect(hash).toMatch(/^[0-9a-f]{64}$/);
  expect(await countOnThisThread(b.id)).toBe(hash);
  const [log] = await audit.listEntries(app.db, 'ballot.close', b.id);
  expect(log!.details).toMatchObject({ resultsHash: hash, votes: 1200 });
});

test("a failure in the close's thread fails the close: nothing is written and the thread is stopped", async () => {
  const b = await votedBallot('A paper that will not open');
  const count = async (table: 'box.sealed_votes' | 'box.votes' | 'ballot_results') =>
    Number(
      (
        await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where ballot_id = ${b.id}`.execute(
          app.db,
        )
      ).rows[0]!.n,
    );
  // One sealed paper no longer opens under the box key (its bytes reversed): the thread's decryption throws.
  const one = (
    await sql<{ id: string }>`select id from box.sealed_votes where ballot_id = ${b.id} limit 1`.execute(app.db)
  ).rows[0]!.id;
  await sql`update box.sealed_votes set sealed = reverse(sealed) where id = ${one}`.execute(app.db);
  const failed = await org.json<{ detail: string }>('POST', `/api/v1/ballots/${b.id}/close`);
  expect(failed.status).toBe(500);
  expect(CloseThread.running).toEqual({ threads: 0, opening: 0, counting: 0 });
  expect((await ballotsData.findBallotById(app.db, b.id))!.status).toBe('open');
  expect(await count('box.sealed_votes')).toBe(1200);
  expect(await count('box.votes')).toBe(0);
  expect(await count('ballot_results')).toBe(0);
  expect(await audit.listEntries(app.db, 'ballot.close', b.id)).toHaveLength(0);

  // Put back, the paper opens: the close goes through, counted as on the loop.
  await sql`update box.sealed_votes set sealed = reverse(sealed) where id = ${one}`.execute(app.db);
  expect((await org.json('POST', `/api/v1/ballots/${b.id}/close`)).status).toBe(204);
  expect(CloseThread.running.threads).toBe(0);
  expect(await count('box.votes')).toBe(1200);
  expect(await countOnThisThread(b.id)).toBe(await storedHash(b.id));
});

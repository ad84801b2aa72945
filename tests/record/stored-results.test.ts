import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { canonicalJson } from '@omov/core/record/canonical';
import type { ElectionRecord } from '@omov/core/record/record';
import { verifyRecord } from '@omov/core/record/verify';
import { Keyring } from '../../src/platform/secrets';
import { LINK_PURPOSE } from '../../src/services/invitations';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { omov } from '../support/cli';
import { exportedRecord } from '../support/record';

/**
 * Results are counted once, at close, and stored with their hash; every read serves the
 * stored results. Shown by tampering: after the close an insider changes votes in the
 * database so that a recount would give other results, and the pages, the API and the
 * downloads still show the stored ones (nothing recounted), while `omov verify` of the
 * exported record finds the change. The ballot has a Meek STV question and a delegate
 * model, the costliest count there is.
 */

let app: TestApp;
let org: Client;
let dir: string;
const keys = new Keyring('test-secret-0123456789-0123456789-abcdef');
const BRANCHES: Record<string, number> = { North: 12, South: 9, East: 6 };

type Ballot = { id: string; questions: Array<{ id: string }> };
let ballot: Ballot;

const storedRow = async () =>
  (
    await sql<{
      results: string;
      results_hash: string;
      counted_at: Date;
    }>`select results, results_hash, counted_at from ballot_results where ballot_id = ${ballot.id}`.execute(app.db)
  ).rows;
const exportRecord = async () => exportedRecord(app.db, ballot.id);
/** A page or file as served; the charts' element ids (a serial per drawing) left out. */
const text = async (c: Client, url: string) => {
  const res = await c.request('GET', url);
  expect(res.status).toBe(200);
  return (await res.text()).replace(/\bchart\d+/g, 'chart');
};

type VoteRow = { id: string; answers: Record<string, unknown> };
const votesOf = async () =>
  (await sql<VoteRow>`select id, answers from box.votes where ballot_id = ${ballot.id}`.execute(app.db)).rows;
const setAnswers = async (rows: VoteRow[]) => {
  for (const r of rows)
    await sql`update box.votes set answers = ${JSON.stringify(r.answers)}::jsonb where id = ${r.id}`.execute(app.db);
};

/** Changes every vote by `change`, runs `body`, and puts the votes back as they were. */
async function withVotesChanged(
  change: (answers: VoteRow['answers']) => VoteRow['answers'],
  body: () => Promise<void>,
) {
  const before = await votesOf();
  await setAnswers(before.map((v) => ({ id: v.id, answers: change(v.answers) })));
  try {
    await body();
  } finally {
    await setAnswers(before);
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-stored-'));
  app = await startTestApp();
  org = await setUpOrganisation(app, 'Stored Union');
  const rows = Object.entries(BRANCHES).flatMap(([b, n]) =>
    Array.from({ length: n }, (_, i) => `${b.toLowerCase()}${i}@example.org,${b} ${i},${b}`),
  );
  expect(
    (
      await org.json('POST', '/api/v1/roll/import', ['email,name,branch', ...rows].join('\n'), {
        'content-type': 'text/csv',
      })
    ).status,
  ).toBe(200);
  const created = await org.json<Ballot>('POST', '/api/v1/ballots', {
    title: 'Executive 2027',
    ...ballotTimes(),
    k: 3,
    delegates: { basis: 'members', rule: 'proportional', method: 'hamilton', seats: 12 },
    questions: [
      { title: 'Adopt the budget?', method: 'yesno' },
      {
        title: 'Executive',
        method: 'stv',
        settings: { seats: 2, rules: 'meek' },
        options: [{ label: 'Ann' }, { label: 'Bob' }, { label: 'Cy' }, { label: 'Dee' }],
      },
    ],
  });
  expect(created.status).toBe(201);
  ballot = created.body;
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  const tokens = await app.db
    .selectFrom('voting_tokens')
    .select(['sealed_token'])
    .where('ballot_id', '=', ballot.id)
    .orderBy('member_id')
    .execute();
  const [yesno, exec] = ballot.questions as [Ballot['questions'][0], Ballot['questions'][0]];
  for (const [i, t] of tokens.entries()) {
    // Yes carries 3 to 1; Ann and Bob lead the rankings, Cy and Dee trail.
    const r = await new Client(app.url).json('POST', '/api/v1/vote', {
      token: keys.open(LINK_PURPOSE, t.sealed_token!),
      answers: {
        [yesno.id]: { kind: 'choice', option: i % 4 === 0 ? 1 : 0 },
        [exec.id]: {
          kind: 'ranking',
          options: [
            [0, 1, 2],
            [1, 0, 3],
            [0, 2],
            [1, 3, 0],
            [2, 0, 1],
          ][i % 5]!,
        },
      },
    });
    expect(r.status).toBe(201);
  }
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/close`)).status).toBe(204);
});

afterAll(async () => {
  await app?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Every vote: No on the yes/no question, and Cy then Dee on the STV question. A recount would elect otherwise. */
const overturn = (a: VoteRow['answers']) => {
  const [yesno, exec] = ballot.questions.map((q) => q.id) as [string, string];
  return { ...a, [yesno]: { kind: 'choice', option: 1 }, [exec]: { kind: 'ranking', options: [2, 3] } };
};

test('the close counts every question once and stores the results with their hash, which the log records', async () => {
  const [row] = await storedRow();
  expect(row).toBeDefined();
  // The stored bytes are the canonical JSON the hash is taken over.
  expect(canonicalJson(JSON.parse(row!.results))).toBe(row!.results);
  expect(crypto.createHash('sha256').update(row!.results, 'utf8').digest('hex')).toBe(row!.results_hash);
  const r = (await org.json('GET', `/api/v1/ballots/${ballot.id}/results`)).body as {
    ballot: { resultsHash: string };
    questions: Array<{ elected: string[]; conference: unknown }>;
  };
  expect(r.ballot.resultsHash).toBe(row!.results_hash);
  expect(canonicalJson(r.questions)).toBe(row!.results);
  expect(r.questions[0]!.elected).toEqual(['Yes']);
  expect(r.questions[1]!.conference).not.toBeNull();
  const close = (
    await sql<{
      details: { resultsHash?: string };
    }>`select details from audit_log where action = 'ballot.close' and subject = ${ballot.id}`.execute(app.db)
  ).rows;
  expect(close.map((c) => c.details.resultsHash)).toEqual([row!.results_hash]);
  // No closed ballot lacks its results.
  const missing = await sql<{ n: number }>`select count(*)::int as n from ballots b
    where b.status in ('closed', 'published') and not exists (select 1 from ballot_results r where r.ballot_id = b.id)`.execute(
    app.db,
  );
  expect(missing.rows[0]!.n).toBe(0);
});

test("an insider's change to the votes after the close: the results page, API and downloads still show the stored results; omov verify fails V4", async () => {
  const urls = [
    `/api/v1/ballots/${ballot.id}/results`,
    `/ballots/${ballot.id}/results`,
    `/ballots/${ballot.id}/results.csv`,
    `/ballots/${ballot.id}/results.json`,
  ];
  const before = await Promise.all(urls.map((u) => text(org, u)));
  expect(before[1]).toContain('Results hash');
  await withVotesChanged(overturn, async () => {
    const record = JSON.parse(await exportRecord()) as ElectionRecord;
    // A recount would give other results: the verifier, recounting, says so for both questions.
    const v = verifyRecord(record);
    const failed = v.checks.filter((c) => c.verdict === 'FAIL');
    expect(failed.map((c) => c.id)).toEqual(['V4', 'V9.1', 'V9.2']);
    expect(failed[1]!.problems[0]).toBe('elected: published ["Yes"], recount ["No"]');
    // Nothing read recounts: every answer is byte for byte what it was.
    const after = await Promise.all(urls.map((u) => text(org, u)));
    after.forEach((a, i) => expect({ url: urls[i], text: a }).toEqual({ url: urls[i], text: before[i] }));
    const file = path.join(dir, 'tampered.json');
    fs.writeFileSync(file, JSON.stringify(record));
    const cli = await omov(
      'verify',
      file,
      '--root',
      (JSON.parse(before[0]!) as { ballot: { boxRoot: string } }).ballot.boxRoot,
    );
    expect(cli.code).toBe(1);
    expect(cli.out).toMatch(/^FAIL {2}V4 {4}box root: the votes are not the votes the box was closed with$/m);
    expect(cli.out).toMatch(/^FAIL {2}V5 {4}expected root: /m);
    expect(cli.out).toMatch(/^PASS {2}V8 {4}results hash: /m);
  });
  expect(verifyRecord(JSON.parse(await exportRecord())).ok).toBe(true);
});

test('the public results page of a published Meek STV ballot with a delegate model answers from storage, not by recounting', async () => {
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/publish`)).status).toBe(204);
  const [row] = await storedRow();
  // Publishing counted nothing: it published the stored results, and the log says which.
  const publish = (
    await sql<{
      details: { resultsHash?: string };
    }>`select details from audit_log where action = 'ballot.publish' and subject = ${ballot.id}`.execute(app.db)
  ).rows;
  expect(publish.map((p) => p.details.resultsHash)).toEqual([row!.results_hash]);
  const anyone = new Client(app.url);
  const urls = [`/results/${ballot.id}`, `/api/v1/published/${ballot.id}/results`];
  const before = await Promise.all(urls.map((u) => text(anyone, u)));
  const stv = (JSON.parse(before[1]!) as { questions: Array<{ elected: string[] }> }).questions[1]!;
  expect(stv.elected).not.toContain('Cy');
  await withVotesChanged(overturn, async () => {
    const v = verifyRecord(JSON.parse(await exportRecord()));
    // Recounted, the Meek STV question would elect Cy and Dee.
    expect(v.checks.find((c) => c.id === 'V9.2')!.problems[0]).toMatch(
      /^elected: published \[.*\], recount \["Cy","Dee"\]$/,
    );
    const after = await Promise.all(urls.map((u) => text(anyone, u)));
    expect(after).toEqual(before);
  });
});

test('a ballot closed before results were stored is counted once, when first asked for, and stored', async () => {
  const [original] = await storedRow();
  const api = await text(org, `/api/v1/ballots/${ballot.id}/results`);
  await sql`delete from ballot_results where ballot_id = ${ballot.id}`.execute(app.db);
  expect(await storedRow()).toEqual([]);
  // Two readers at once: one count, one row, the same results as before.
  const [a, b] = await Promise.all([
    text(org, `/api/v1/ballots/${ballot.id}/results`),
    text(new Client(app.url), `/results/${ballot.id}`),
  ]);
  expect(a).toBe(api);
  expect(b).toContain('Executive');
  const rows = await storedRow();
  expect(rows).toHaveLength(1);
  expect(rows[0]!.results).toBe(original!.results);
  expect(rows[0]!.results_hash).toBe(original!.results_hash);
  // Later reads serve that row: it is not counted again.
  await text(org, `/api/v1/ballots/${ballot.id}/results`);
  expect((await storedRow())[0]!.counted_at).toEqual(rows[0]!.counted_at);
  expect(verifyRecord(JSON.parse(await exportRecord())).ok).toBe(true);
});

type TurnoutBody = { turnout: { eligible: number; voted: number; byBranch: Array<{ branch: string; voted: number }> } };
const storedTurnout = async () =>
  (
    await sql<{
      turnout: unknown;
    }>`select turnout from ballot_results where ballot_id = ${ballot.id}`.execute(app.db)
  ).rows.map((r) => r.turnout);

test('the turnout is counted once, at close, and stored with the results: a read counts no tokens', async () => {
  // Every member voted: 12 in North, 9 in South, 6 in East (27 in all).
  expect(await storedTurnout()).toEqual([
    [
      { branch: 'East', eligible: 6, voted: 6 },
      { branch: 'North', eligible: 12, voted: 12 },
      { branch: 'South', eligible: 9, voted: 9 },
    ],
  ]);
  const url = `/api/v1/ballots/${ballot.id}/results`;
  const before = (await org.json<TurnoutBody>('GET', url)).body.turnout;
  expect(before.eligible).toBe(27);
  expect(before.voted).toBe(27);
  // An insider marks every token of North unused and deletes South's: a read that counted tokens would see it.
  await sql`update voting_tokens t set used = false from branches b
    where t.branch_id = b.id and b.name = 'North' and t.ballot_id = ${ballot.id}`.execute(app.db);
  const south = (
    await sql<Record<string, unknown>>`delete from voting_tokens t using branches b
      where t.branch_id = b.id and b.name = 'South' and t.ballot_id = ${ballot.id} returning t.*`.execute(app.db)
  ).rows;
  expect(south).toHaveLength(9);
  try {
    expect((await org.json<TurnoutBody>('GET', url)).body.turnout).toEqual(before);
    expect(await text(org, `/ballots/${ballot.id}/results`)).toContain('27');
    // A results row stored before the turnout was (migration 0036) has none: then the read counts the tokens.
    await sql`update ballot_results set turnout = null where ballot_id = ${ballot.id}`.execute(app.db);
    const counted = (await org.json<TurnoutBody>('GET', url)).body.turnout;
    expect(counted.eligible).toBe(18);
    expect(counted.voted).toBe(6);
  } finally {
    await sql`update voting_tokens t set used = true from branches b
      where t.branch_id = b.id and b.name = 'North' and t.ballot_id = ${ballot.id}`.execute(app.db);
    for (const r of south)
      await sql`insert into voting_tokens
        select * from json_populate_record(null::voting_tokens, ${JSON.stringify(r)}::json)`.execute(app.db);
  }
  expect((await org.json<TurnoutBody>('GET', url)).body.turnout).toEqual(before);
});

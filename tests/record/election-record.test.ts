import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { canonicalJson } from '@omov/core/record/canonical';
import { merkleRoot } from '@omov/core/record/merkle';
import { type ElectionRecord, voteLeaf } from '@omov/core/record/record';
import { type Check, verifyRecord } from '@omov/core/record/verify';
import { Keyring } from '../../src/platform/secrets';
import { LINK_PURPOSE } from '../../src/services/invitations';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { omov } from '../support/cli';
import { exportedRecord } from '../support/record';

/**
 * The election record end to end: a real ballot through the API (a yes/no, an IRV and an
 * STV question, with the delegate model), votes cast with real tokens, the close, the
 * export by API, service and CLI, and `omov verify` — then the database and the file are
 * tampered with, and verify must say what is wrong.
 */

let app: TestApp;
let org: Client;
let dir: string;
const keys = new Keyring('test-secret-0123456789-0123456789-abcdef');

/** Branch sizes and how many in each vote. At k = 5: Tiny (3 voters) and Wee (2) are pooled together (5). */
const BRANCHES: Record<string, { members: number; voting: number }> = {
  Big: { members: 14, voting: 14 },
  Mid: { members: 10, voting: 10 },
  Tiny: { members: 4, voting: 3 },
  Wee: { members: 3, voting: 2 },
  Empty: { members: 2, voting: 0 },
};

type Ballot = { id: string; questions: Array<{ id: string; options: Array<{ label: string }> }> };
let ballot: Ballot;
const receipts: string[] = [];
let yesVotes = 0;

async function apiRecord(
  id = ballot.id,
): Promise<{ status: number; type: string | null; disposition: string | null; text: string }> {
  const res = await org.request('GET', `/api/v1/ballots/${id}/record`);
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    disposition: res.headers.get('content-disposition'),
    text: await res.text(),
  };
}

const exportRecord = async () => exportedRecord(app.db, ballot.id);
const failed = (checks: Check[]) => checks.filter((c) => c.verdict === 'FAIL');
const failedNames = (checks: Check[]) => failed(checks).map((c) => c.name);
const problemsOf = (checks: Check[], name: string) => checks.find((c) => c.name === name)?.problems.join('\n') ?? '';

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-record-'));
  app = await startTestApp();
  org = await setUpOrganisation(app, 'Record Union');
  const rows = Object.entries(BRANCHES).flatMap(([b, { members }]) =>
    Array.from({ length: members }, (_, i) => `${b.toLowerCase()}${i}@example.org,${b} ${i},${b}`),
  );
  const imported = await org.json('POST', '/api/v1/roll/import', ['email,name,branch', ...rows].join('\n'), {
    'content-type': 'text/csv',
  });
  expect(imported.status).toBe(200);
  const created = await org.json<Ballot>('POST', '/api/v1/ballots', {
    title: 'Conference 2027',
    ...ballotTimes(),
    k: 5,
    // Each vote with its receipt: the tampers below edit votes by receipt. (Under 'inclusion' the
    // receipts are a list of their own: tests/trust/commitments.test.ts.)
    receiptPolicy: 'choices',
    delegates: { basis: 'members', rule: 'bloc', method: 'hamilton', seats: 10 },
    questions: [
      { title: 'Adopt the rule book?', method: 'yesno' },
      { title: 'Chair', method: 'irv', options: [{ label: 'Ann' }, { label: 'Bob' }, { label: 'Cy' }] },
      {
        title: 'Committee',
        method: 'stv',
        settings: { seats: 2, rules: 'scottish' },
        options: [{ label: 'Dee' }, { label: 'Eve' }, { label: 'Fay' }, { label: 'Gus' }],
      },
    ],
  });
  expect(created.status).toBe(201);
  ballot = created.body;
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);

  const tokens = await app.db
    .selectFrom('voting_tokens')
    .innerJoin('branches', 'branches.id', 'voting_tokens.branch_id')
    .innerJoin('members', 'members.id', 'voting_tokens.member_id')
    .select(['voting_tokens.sealed_token', 'branches.name as branch', 'members.email'])
    .where('voting_tokens.ballot_id', '=', ballot.id)
    .orderBy('members.email')
    .execute();
  const [yesno, chair, committee] = ballot.questions as [
    Ballot['questions'][0],
    Ballot['questions'][0],
    Ballot['questions'][0],
  ];
  const castSoFar: Record<string, number> = {};
  for (const [i, t] of tokens.entries()) {
    const n = castSoFar[t.branch] ?? 0;
    if (n >= BRANCHES[t.branch]!.voting) continue;
    castSoFar[t.branch] = n + 1;
    // Opinion varies by branch and member; some abstain on the committee.
    const yes = t.branch === 'Big' ? i % 3 === 0 : i % 4 !== 0;
    if (yes) yesVotes++;
    const r = await new Client(app.url).json<{ receipt: string }>('POST', '/api/v1/vote', {
      token: keys.open(LINK_PURPOSE, t.sealed_token!),
      answers: {
        [yesno.id]: { kind: 'choice', option: yes ? 0 : 1 },
        [chair.id]: { kind: 'ranking', options: [[0, 1, 2], [1, 2, 0], [2, 0], [1]][i % 4]! },
        [committee.id]:
          i % 7 === 0
            ? { kind: 'abstain' }
            : {
                kind: 'ranking',
                options: [
                  [0, 1, 2, 3],
                  [3, 2],
                  [1, 0, 3],
                  [2, 3, 0, 1],
                  [0, 3],
                ][i % 5]!,
              },
      },
    });
    expect(r.status).toBe(201);
    receipts.push(r.body.receipt);
  }
  expect(receipts).toHaveLength(29);
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/close`)).status).toBe(204);
});

afterAll(async () => {
  await app?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the record of a closed ballot', () => {
  test('the API serves it as a JSON download, the same bytes as the service, and it verifies', async () => {
    const r = await apiRecord();
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/json/);
    expect(r.disposition).toBe(`attachment; filename="omov-record-${ballot.id}.json"`);
    expect(r.text).toBe(await exportRecord());
    const v = verifyRecord(JSON.parse(r.text));
    expect(failed(v.checks)).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.checks.map((c) => c.name)).toEqual([
      'format',
      'votes',
      'receipts',
      'box root',
      'turnout',
      'units',
      'results hash',
      'count: question 1 "Adopt the rule book?"',
      'count: question 2 "Chair"',
      'count: question 3 "Committee"',
      'audit log',
      'audit log: the close',
      'commitment: definition',
      'commitment: electorate',
      'commitment: tokens',
      'box chain',
    ]);
  });

  test('it holds what the voters and the organiser saw: every receipt, the turnout, the units, the published results', async () => {
    const record = JSON.parse(await exportRecord()) as ElectionRecord;
    // Every receipt a voter was given is in the record, once, in receipt order.
    expect(record.receipts.codes).toEqual([...receipts].sort());
    expect(record.votes.map((v) => v.receipt)).toEqual(record.receipts.codes);
    expect(record.electorate).toEqual({
      eligible: 33,
      voted: 29,
      byBranch: [
        { branch: 'Big', eligible: 14, voted: 14, weight: '14' },
        { branch: 'Empty', eligible: 2, voted: 0, weight: '2' },
        { branch: 'Mid', eligible: 10, voted: 10, weight: '10' },
        { branch: 'Tiny', eligible: 4, voted: 3, weight: '4' },
        { branch: 'Wee', eligible: 3, voted: 2, weight: '3' },
      ],
    });
    // Vote figures only per unit: the small branches' votes are pooled.
    expect(record.units.map((u) => [u.name, u.electorate])).toEqual([
      ['Big', 14],
      ['Empty', 2],
      ['Mid', 10],
      ['Pooled: Tiny, Wee', 7],
    ]);
    expect(new Set(record.votes.map((v) => v.unit))).toEqual(new Set(['Big', 'Mid', 'Pooled: Tiny, Wee']));
    expect(record.results[0]!.options.find((o) => o.option === 'Yes')!.votes).toBe(String(yesVotes));
    expect(record.ballot.delegates).toMatchObject({ method: 'hamilton', seats: 10 });
    expect(record.ballot.timeZone).toBe('UTC');
    expect(record.results.every((q) => q.conference !== null)).toBe(true);
    // The results the organiser reads are the results in the record, with the same hash.
    const published = (
      await org.json<{ ballot: { resultsHash: string }; questions: unknown[] }>(
        'GET',
        `/api/v1/ballots/${ballot.id}/results`,
      )
    ).body;
    expect(canonicalJson(record.results)).toBe(canonicalJson(published.questions));
    expect(published.ballot.resultsHash).toBe(record.resultsHash);
    // The log recorded the close with this very root and these results.
    const close = record.auditLog.find((e) => e.action === 'ballot.close' && e.subject === ballot.id);
    expect(close?.details.boxRoot).toBe(record.boxRoot);
    expect(close?.details.resultsHash).toBe(record.resultsHash);
  });

  test('exporting twice gives byte-identical files (API, service and CLI)', async () => {
    const a = await apiRecord();
    const b = await apiRecord();
    expect(b.text).toBe(a.text);
    expect(await exportRecord()).toBe(a.text);
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = app.dbUrl;
    try {
      const file = path.join(dir, 'cli.json');
      const r = await omov('export', ballot.id, '--out', file);
      expect(r.code).toBe(0);
      expect(r.err).toContain('29 votes');
      expect(fs.readFileSync(file, 'utf8')).toBe(a.text);
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  });

  test('omov verify: exit 0 on the record, with the root; 1 with another root; 2 on a file that is not a record', async () => {
    const file = path.join(dir, 'record.json');
    fs.writeFileSync(file, await exportRecord());
    const root = (JSON.parse(fs.readFileSync(file, 'utf8')) as ElectionRecord).boxRoot;
    const ok = await omov('verify', file, '--root', root);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^PASS {2}V5 {4}expected root: /m);
    expect(ok.out).toMatch(/^VERIFIED: all 17 checks pass$/m);
    const closeHash = (JSON.parse(fs.readFileSync(file, 'utf8')) as ElectionRecord).auditLog.find(
      (e) => e.action === 'ballot.close',
    )!.hash;
    const both = await omov('verify', file, '--root', root, '--close-hash', closeHash);
    expect(both.code).toBe(0);
    expect(both.out).toMatch(/^PASS {2}V12 {3}expected close entry: entry \d+, the close, has the hash you were sent/m);
    expect((await omov('verify', file, '--close-hash', 'cd'.repeat(32))).code).toBe(1);
    expect((await omov('verify', file, '--close-hash', 'nothex')).code).toBe(2);
    const other = await omov('verify', file, '--root', 'ab'.repeat(32));
    expect(other.code).toBe(1);
    expect(other.out).toMatch(/^FAIL {2}V5 {4}expected root: /m);
    const json = await omov('verify', file, '--format', 'json');
    expect(json.code).toBe(0);
    expect((JSON.parse(json.out) as { ok: boolean }).ok).toBe(true);
    fs.writeFileSync(path.join(dir, 'junk.json'), '{"format": "something else"}');
    expect((await omov('verify', path.join(dir, 'junk.json'))).code).toBe(2);
    fs.writeFileSync(path.join(dir, 'cut.json'), fs.readFileSync(file, 'utf8').slice(0, 500));
    const cut = await omov('verify', path.join(dir, 'cut.json'));
    expect(cut.code).toBe(2);
    expect(cut.err).toContain('is not JSON');
    expect((await omov('verify', path.join(dir, 'absent.json'))).code).toBe(2);
  });

  test('drafts and open ballots have no record (API 409, CLI exit 2)', async () => {
    const draft = (
      await org.json<Ballot>('POST', '/api/v1/ballots', {
        title: 'Later',
        ...ballotTimes(),
        questions: [{ title: 'Q?', method: 'yesno' }],
      })
    ).body;
    const r = await apiRecord(draft.id);
    expect(r.status).toBe(409);
    expect(r.text).toContain('draft');
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = app.dbUrl;
    try {
      const e = await omov('export', draft.id);
      expect(e.code).toBe(2);
      expect(e.err).toMatch(/cannot export ballot .*: the ballot is draft/);
      expect((await omov('export', '00000000-0000-4000-8000-000000000000')).code).toBe(2);
      expect((await omov('export', 'not-a-ballot')).code).toBe(2);
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  });
});

describe('tampering is found', () => {
  type VoteRow = { id: string; unit: string; weight: string; receipt: string; answers: unknown };
  const votesOf = async () =>
    (
      await sql<VoteRow>`select id, unit, weight, receipt, answers from box.votes where ballot_id = ${ballot.id} order by receipt collate "C"`.execute(
        app.db,
      )
    ).rows;

  test('a changed vote: the root no longer matches, and the log disagrees even when the root is recomputed', async () => {
    const [victim] = await votesOf();
    const q0 = ballot.questions[0]!.id;
    const answers = victim!.answers as Record<string, { kind: string; option?: number }>;
    const flipped = { ...answers, [q0]: { kind: 'choice', option: answers[q0]!.option === 0 ? 1 : 0 } };
    await sql`update box.votes set answers = ${JSON.stringify(flipped)}::jsonb where id = ${victim!.id}`.execute(
      app.db,
    );
    try {
      const v = verifyRecord(JSON.parse(await exportRecord()));
      // The results were stored at close, not counted from the votes as they now are: the
      // root no longer matches the votes, nor the stored count of question 1 its recount.
      expect(failedNames(v.checks)).toEqual(['box root', 'count: question 1 "Adopt the rule book?"']);
      expect(problemsOf(v.checks, 'box root')).toContain('a vote was changed, removed or added');
      // The server would cover its tracks by recomputing the root: the log still holds the old one.
      const tampered = JSON.parse(await exportRecord()) as ElectionRecord;
      const newRoot = merkleRoot(tampered.votes.map(voteLeaf));
      const original = tampered.boxRoot;
      await sql`update ballots set box_root = ${newRoot} where id = ${ballot.id}`.execute(app.db);
      try {
        const again = JSON.parse(await exportRecord()) as ElectionRecord;
        const w = verifyRecord(again);
        expect(failedNames(w.checks)).toEqual(['count: question 1 "Adopt the rule book?"', 'audit log: the close']);
        expect(problemsOf(w.checks, 'audit log: the close')).toContain(`the close recorded box root "${original}"`);
        // And the root the auditor was emailed at close does not match.
        expect(failedNames(verifyRecord(again, { root: original }).checks)).toEqual([
          'expected root',
          'count: question 1 "Adopt the rule book?"',
          'audit log: the close',
        ]);
      } finally {
        await sql`update ballots set box_root = ${original} where id = ${ballot.id}`.execute(app.db);
      }
    } finally {
      await sql`update box.votes set answers = ${JSON.stringify(victim!.answers)}::jsonb where id = ${victim!.id}`.execute(
        app.db,
      );
    }
    expect(verifyRecord(JSON.parse(await exportRecord())).ok).toBe(true);
  });

  test('a deleted vote: root, turnout (naming the unit) and the close entry fail', async () => {
    const all = await votesOf();
    const victim = all.find((v) => v.unit === 'Mid')!;
    await sql`delete from box.votes where id = ${victim.id}`.execute(app.db);
    try {
      const v = verifyRecord(JSON.parse(await exportRecord()));
      // The stored counts include the vote: its questions' recounts (at least question 1's) differ.
      // The box chain, signed while the ballot was open, holds one vote more.
      expect(failedNames(v.checks).filter((n) => !n.startsWith('count: '))).toEqual([
        'box root',
        'turnout',
        'audit log: the close',
        'box chain',
      ]);
      expect(problemsOf(v.checks, 'box chain')).toMatch(/chain holds 29 votes .* the record 28/);
      expect(failedNames(v.checks)).toContain('count: question 1 "Adopt the rule book?"');
      expect(problemsOf(v.checks, 'turnout')).toContain('unit Mid: 9 votes, but 10 of its members voted');
      expect(problemsOf(v.checks, 'turnout')).toContain('the record holds 28 votes but 29 members voted');
    } finally {
      await sql`insert into box.votes (id, ballot_id, unit, weight, receipt, answers)
        values (${victim.id}, ${ballot.id}, ${victim.unit}, ${victim.weight}, ${victim.receipt}, ${JSON.stringify(victim.answers)}::jsonb)`.execute(
        app.db,
      );
    }
    expect(verifyRecord(JSON.parse(await exportRecord())).ok).toBe(true);
  });

  test('an inserted vote with a fresh receipt: root, turnout and the close entry fail', async () => {
    const [model] = await votesOf();
    const r = await sql<{ id: string }>`insert into box.votes (ballot_id, unit, weight, receipt, answers)
      values (${ballot.id}, 'Pooled: Tiny, Wee', '1', 'ZZZZZ-ZZZZZ-ZZZZZ', ${JSON.stringify(model!.answers)}::jsonb) returning id`.execute(
      app.db,
    );
    try {
      const record = JSON.parse(await exportRecord()) as ElectionRecord;
      expect(record.receipts.codes).toContain('ZZZZZ-ZZZZZ-ZZZZZ');
      const v = verifyRecord(record);
      // A vote that never reached the box while it was open: not in the signed chain.
      expect(failedNames(v.checks).filter((n) => !n.startsWith('count: '))).toEqual([
        'box root',
        'turnout',
        'audit log: the close',
        'box chain',
      ]);
      expect(problemsOf(v.checks, 'box chain')).toMatch(/votes were added that never reached the box/);
      expect(failedNames(v.checks)).toContain('count: question 1 "Adopt the rule book?"');
      expect(problemsOf(v.checks, 'turnout')).toContain('unit Pooled: Tiny, Wee: 6 votes, but 5 of its members voted');
    } finally {
      await sql`delete from box.votes where id = ${r.rows[0]!.id}`.execute(app.db);
    }
    expect(verifyRecord(JSON.parse(await exportRecord())).ok).toBe(true);
  });

  test('a changed audit log entry is named', async () => {
    const entries = (
      await sql<{ position: number; details: unknown }>`select position::int as position, details from audit_log
      where organisation_id = (select organisation_id from ballots where id = ${ballot.id}) order by position`.execute(
        app.db,
      )
    ).rows;
    expect(entries.length).toBeGreaterThan(2);
    const target = entries[1]!;
    const edit = async (details: unknown) => {
      await sql`alter table audit_log disable trigger audit_log_no_update`.execute(app.db);
      try {
        await sql`update audit_log set details = ${JSON.stringify(details)}::jsonb
          where position = ${target.position} and organisation_id = (select organisation_id from ballots where id = ${ballot.id})`.execute(
          app.db,
        );
      } finally {
        await sql`alter table audit_log enable trigger audit_log_no_update`.execute(app.db);
      }
    };
    await edit({ ...(target.details as object), forged: true });
    try {
      const v = verifyRecord(JSON.parse(await exportRecord()));
      expect(failedNames(v.checks)).toEqual(['audit log']);
      expect(problemsOf(v.checks, 'audit log')).toContain(
        `entry ${target.position}: its content does not match its hash (changed)`,
      );
    } finally {
      await edit(target.details);
    }
    expect(verifyRecord(JSON.parse(await exportRecord())).ok).toBe(true);
  });

  test('an edited record file: a changed result names the question and the field', async () => {
    const file = path.join(dir, 'edited.json');
    const record = JSON.parse(await exportRecord()) as ElectionRecord & {
      results: Array<{ elected: string[]; options: Array<{ votes: string }> }>;
    };
    const chair = record.results[1]!;
    const loser = ['Ann', 'Bob', 'Cy'].find((c) => !chair.elected.includes(c))!;
    chair.elected = [loser];
    fs.writeFileSync(file, JSON.stringify(record, null, 2));
    const r = await omov('verify', file);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL {2}V8 {4}results hash: /m);
    expect(r.out).toContain('question 2 "Chair": its result is not what its votes give (see V9.2)');
    expect(r.out).toMatch(/^FAIL {2}V9\.2 {2}count: question 2 "Chair": /m);
    expect(r.out).toContain(`elected: published ["${loser}"], recount`);
    expect(r.out).toMatch(/^PASS {2}V9\.1 {2}count: question 1 /m);
    expect(r.out).toMatch(/^NOT VERIFIED: 2 of 16 checks fail$/m);
  });
});

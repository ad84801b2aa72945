import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { textHashOf, wordingHashOf, type RecordProposal } from '@omov/core/record/proposals';
import type { VerifiableRecord } from '@omov/core/record/verifiable';
import { verifyRecord } from '@omov/core/record/verify';
import { decryptTally, makeMemberCredentials, makeTrusteeKeys } from '../../bench/support/verifiable';
import { appWithSmtpPerFile, ballotTimes, Client, proposalLinkOf, setUpOrganisation } from '../support/app';
import { omov } from '../support/cli';
import { scaled } from '../support/machine';
import { rechain } from '../../packages/core/tests/record/support';

/**
 * A member proposal on a verifiable ballot, in its election record (docs/election-record.md,
 * "A verifiable ballot's record"; checks V21 and V22), over HTTP against real PostgreSQL: a
 * motion qualifies with supporters in three branches (two under k, pooled), its proposer
 * writes the case for and members a case against that qualifies too; the office schedules it
 * on a verifiable ballot with a question of its own, whose case for it writes. Members vote
 * with `omov vote`; after the close two trustees decrypt. The record has the proposals section
 * as an office ballot's has it, `omov verify` passes it (V21 and V22 with the archive's
 * checks), and an altered statement hash, an altered support count and a removed proposal each
 * fail. (Amended motions and questions on a verifiable ballot: tests/verifiable/deliberation.test.ts.)
 */
const { app } = appWithSmtpPerFile();

/** Eight members: four in North, three in South, one in East. */
const BRANCH = ['North', 'North', 'North', 'North', 'South', 'South', 'South', 'East'];
const ROLL = ['email,name,branch', ...BRANCH.map((b, i) => `v${i}@vrecord.example.org,Member ${i},${b}`)].join('\n');
const MOTION = 'Conference meets twice a year.';
const FOR = 'Twice a year keeps the branches in the room.';
const AGAINST = 'A second conference costs what the branches need for organising.';
const ACCOUNTS_FOR = 'The accounts are in order.';

test(
  'a member proposal on a verifiable ballot: its record holds the proposals section, omov verify passes V21 and V22, tampering fails them',
  async () => {
    const org = await setUpOrganisation(app(), 'Verifiable Union', 'office@vrecord.example.org');
    expect((await org.json('POST', '/api/v1/roll/import', ROLL, { 'content-type': 'text/csv' })).status).toBe(200);
    expect(
      (
        await org.json('PUT', '/api/v1/proposal-rules', {
          sharePercent: null,
          minBranches: 3,
          windowDays: 42,
          scheduleDays: 30,
          k: 2,
          amendmentDays: 14,
        })
      ).status,
    ).toBe(200);
    const rows = await app()
      .db.selectFrom('members')
      .select(['id', 'organisation_id', 'email'])
      .where('email', 'like', '%@vrecord.example.org')
      .orderBy('email')
      .execute();
    const links = await Promise.all(rows.map((r) => proposalLinkOf(app().db, r)));
    const act = (i: number, route: string, body: Record<string, unknown> = {}) =>
      new Client(app().url).json('POST', `/api/v1/member/proposals${route}`, { token: links[i], ...body });

    // The motion: three supporters in North, one in South, one in East.
    const { id } = (await act(0, '', { proposal: { kind: 'motion', title: 'Two conferences', text: MOTION } }))
      .body as { id: string };
    expect((await act(0, `/${id}/start`)).status).toBe(200);
    for (const i of [1, 2, 4]) expect((await act(i, `/${id}/signatures`)).body.stage).toBe('gathering');
    expect((await act(7, `/${id}/signatures`)).body.stage).toBe('qualified');
    expect(
      (
        await new Client(app().url).json('PUT', `/api/v1/member/proposals/${id}/case-for`, {
          token: links[0],
          text: FOR,
        })
      ).status,
    ).toBe(200);
    // The members' case against: started in South, signed in North and East.
    const against = (await act(6, `/${id}/case-against`, { text: AGAINST })).body.id as string;
    expect((await act(6, `/${against}/start`)).status).toBe(200);
    expect((await act(2, `/${against}/signatures`)).body.stage).toBe('gathering');
    expect((await act(7, `/${against}/signatures`)).body.stage).toBe('qualified');

    // The amendment period closes (as far as the database can tell).
    await sql`update proposals set amendments_close_at = now() - interval '1 second' where id = ${id}`.execute(
      app().db,
    );

    const created = await org.json('POST', '/api/v1/ballots', {
      title: 'Conference ballot',
      ...ballotTimes(),
      questions: [{ title: 'Adopt the accounts?', method: 'yesno' }],
      mode: { kind: 'verifiable', trustees: 2, threshold: 2, credentialAuthority: 'Cara' },
    });
    expect(created.status).toBe(201);
    const ballotId = created.body.id as string;

    // The motion without amendments is a yes/no question: it goes on the verifiable ballot word for word.
    expect((await org.json('POST', `/api/v1/proposals/${id}/schedule`, { ballotId })).status).toBe(200);
    const questions = (await org.json('GET', `/api/v1/ballots/${ballotId}`)).body.questions as Array<{
      id: string;
      title: string;
      method: string;
    }>;
    expect(questions.map((q) => [q.title, q.method])).toEqual([
      ['Adopt the accounts?', 'yesno'],
      ['Two conferences', 'yesno'],
    ]);
    const [accounts, motion] = [questions[0]!, questions[1]!];
    expect(
      (
        await org.json('PUT', `/api/v1/ballots/${ballotId}/questions/${accounts.id}/statements`, {
          for: ACCOUNTS_FOR,
        })
      ).status,
    ).toBe(200);

    // The trustees make the key, the authority the credentials; the ballot opens.
    const organiser = (method: string, p: string, body?: unknown) => org.json(method, p, body);
    const trustees = await makeTrusteeKeys(app().url, organiser, ballotId, 2, 2);
    const credentials = await makeMemberCredentials(app().url, organiser, ballotId);
    expect((await org.json('POST', `/api/v1/ballots/${ballotId}/open`, {})).status).toBe(200);

    // Six members vote (1: yes, 2: no): the accounts 4 to 2, the motion 2 to 4.
    const cast: Array<[number, string]> = [
      [0, '1;1'],
      [1, '1;1'],
      [2, '1;2'],
      [4, '1;2'],
      [6, '2;2'],
      [7, '2;2'],
    ];
    for (const [m, answers] of cast) {
      const r = await omov(
        'vote',
        '--server',
        app().url,
        '--ballot',
        ballotId,
        '--credential',
        credentials.get(rows[m]!.id)!,
        '--answers',
        answers,
      );
      expect({ answers, code: r.code, err: r.err }).toMatchObject({ answers, code: 0 });
    }
    expect((await org.json('POST', `/api/v1/ballots/${ballotId}/close`)).status).toBeLessThan(300);
    await decryptTally(app().url, trustees, 2);
    const results = (await org.json('GET', `/api/v1/ballots/${ballotId}/results`)).body;
    expect(results.questions[1].options).toEqual([
      { option: 'Yes', votes: '2' },
      { option: 'No', votes: '4' },
    ]);

    // The record: the proposals section, as an office ballot's record has it.
    const download = await org.request('GET', `/api/v1/ballots/${ballotId}/record`);
    expect(download.status).toBe(200);
    const bytes = await download.text();
    const record = JSON.parse(bytes) as VerifiableRecord & { proposals: RecordProposal[] };
    expect(record.format).toBe('omov-verifiable-record/1');
    expect(record.proposals).toHaveLength(1);
    const p = record.proposals[0]!;
    expect(p).toMatchObject({
      id,
      kind: 'motion',
      title: 'Two conferences',
      text: MOTION,
      questionId: motion.id,
      needs: { supporters: null, branches: 3, combine: 'either' },
      late: false,
      amendments: [],
      support: {
        k: 2,
        supporters: 5,
        branches: 3,
        byBranch: [
          { name: 'North', branches: ['North'], supporters: 3, pooled: false },
          { name: 'Pooled: East, South', branches: ['East', 'South'], supporters: 2, pooled: true },
        ],
      },
      statements: {
        for: { author: 'proposers', text: FOR, textHash: textHashOf(FOR) },
        against: { author: 'members', text: AGAINST, textHash: textHashOf(AGAINST), proposal: { id: against } },
      },
    });
    expect(p.wordingHash).toBe(
      wordingHashOf({ kind: 'motion', title: 'Two conferences', text: MOTION, options: null }),
    );
    // Never who signed.
    expect(JSON.stringify(record.proposals)).not.toMatch(/vrecord\.example\.org|Member \d/);
    // The statements fixed at the open, by their hashes, in the log the record holds.
    const fixed = record.auditLog.find((e) => e.action === 'ballot.statements' && e.subject === ballotId)!;
    expect(fixed.details.statements).toEqual(
      expect.arrayContaining([
        { questionId: accounts.id, side: 'for', author: 'office', textHash: textHashOf(ACCOUNTS_FOR) },
        expect.objectContaining({ questionId: motion.id, side: 'against', author: 'members', caseAgainst: against }),
      ]),
    );

    // omov verify: the archive's checks and the proposals' all pass.
    const verified = verifyRecord(record);
    expect(verified.checks.filter((c) => c.verdict === 'FAIL')).toEqual([]);
    expect(verified.checks.map((c) => c.id)).toEqual(
      expect.arrayContaining(['V18', 'V9.1', 'V9.2', 'V19', 'V21', 'V22']),
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-verifiable-proposals-'));
    try {
      fs.writeFileSync(path.join(dir, 'record.json'), bytes);
      const cli = await omov('verify', path.join(dir, 'record.json'));
      expect(cli.code).toBe(0);
      expect(cli.out).toMatch(/PASS {2}V21 {3}member proposals: 1 member proposal on the ballot word for word/);
      expect(cli.out).toMatch(/PASS {2}V22 {3}proposals section: 1 member proposal and 0 amendments/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }

    // Each tampering fails, naming what differs.
    const failsWith = (id: string, change: (r: typeof record) => void, problem: RegExp) => {
      const r = structuredClone(record);
      change(r);
      const v = verifyRecord(r);
      expect(v.ok).toBe(false);
      const check = v.checks.find((c) => c.id === id)!;
      expect(check.verdict).toBe('FAIL');
      expect(check.problems.join('\n')).toMatch(problem);
    };
    // An altered statement hash: in the section, or in the log's entry at the open (the chain rehashed).
    failsWith(
      'V22',
      (r) => {
        r.proposals[0]!.statements.against!.textHash = textHashOf('A softer case against.');
      },
      /the case against: its text does not hash to its textHash/,
    );
    failsWith(
      'V22',
      (r) => {
        const at = r.auditLog.findIndex((e) => e.action === 'ballot.statements');
        const s = r.auditLog[at]!.details.statements as Array<{ questionId: string; side: string; textHash: string }>;
        s.find((x) => x.questionId === motion.id && x.side === 'for')!.textHash = textHashOf('Another case for.');
        rechain(r.auditLog, at);
      },
      /the case for is not the one on the ballot when it opened/,
    );
    // An altered support count.
    failsWith(
      'V22',
      (r) => {
        r.proposals[0]!.support!.byBranch[0]!.supporters = 4;
        r.proposals[0]!.support!.supporters = 6;
      },
      /its support \(6 supporters in 3 branches\) is not what it qualified with/,
    );
    // A removed proposal: the section cut out, or the proposal dropped from it.
    failsWith(
      'V22',
      (r) => {
        delete (r as Partial<typeof r>).proposals;
      },
      /the record has no proposals section, but a member proposal was scheduled on this ballot/,
    );
    failsWith(
      'V22',
      (r) => {
        r.proposals = [];
      },
      new RegExp(`proposal ${id}: scheduled on this ballot \\(entry \\d+\\), missing from the proposals section`),
    );
    // The motion's question reworded on the ballot.
    failsWith(
      'V21',
      (r) => {
        r.ballot.questions[1]!.description = 'Conference meets three times a year.';
      },
      new RegExp(`proposal ${id}: no question of the ballot is its wording unchanged`),
    );
  },
  scaled(600_000),
);

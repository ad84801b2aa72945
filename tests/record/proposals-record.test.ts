import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { type AuditEntry, auditHash } from '@omov/core/domain/audit';
import { textHashOf, wordingHashOf, type RecordProposal } from '@omov/core/record/proposals';
import { type ElectionRecord } from '@omov/core/record/record';
import { verifyRecord } from '@omov/core/record/verify';
import { appWithSmtpPerFile, ballotTimes, Client, proposalLinkOf, setUpOrganisation } from '../support/app';
import { tokensOf } from '../support/integrity';
import { omov } from '../support/cli';

/**
 * A member proposal in the election record (docs/election-record.md, "proposals"; check V22),
 * over HTTP against real PostgreSQL: a motion qualifies with supporters in three branches
 * (two of them under k, pooled), its proposer writes the case for, members table an
 * amendment and a case against that qualify too; the office schedules it on a ballot, which
 * opens, is voted on and closes. The record downloaded from the API has the proposals
 * section, `omov verify` passes it (V22 included), and each tampering with the section, the
 * ballot or the log fails V22 naming what differs.
 */
const { app } = appWithSmtpPerFile();

const SECRET = 'test-secret-0123456789-0123456789-abcdef'; // startTestApp's
/** Eight members: four in North, three in South, one in East. */
const BRANCH = ['North', 'North', 'North', 'North', 'South', 'South', 'South', 'East'];
const ROLL = ['email,name,branch', ...BRANCH.map((b, i) => `r${i}@record.example.org,Member ${i},${b}`)].join('\n');
const MOTION = 'Conference elects the general secretary every three years.';
const AMENDED = 'Conference elects the general secretary every two years.';
const FOR = 'Three years is long enough for anyone to hold the post unchecked.';
const AGAINST = 'Elections cost what the branches need for organising.';

const v22 = (r: unknown) => verifyRecord(r).checks.find((c) => c.id === 'V22');

test('a proposal run to a closed ballot: the record holds its section, omov verify passes it, tampering fails V22', async () => {
  const org = await setUpOrganisation(app(), 'Record Union', 'office@record.example.org');
  expect((await org.json('POST', '/api/v1/roll/import', ROLL, { 'content-type': 'text/csv' })).status).toBe(200);
  const rules = await org.json('PUT', '/api/v1/proposal-rules', {
    sharePercent: null,
    minBranches: 3,
    windowDays: 42,
    scheduleDays: 30,
    k: 2,
    amendmentDays: 14,
  });
  expect(rules.status).toBe(200);
  const rows = await app()
    .db.selectFrom('members')
    .select(['id', 'organisation_id', 'email'])
    .where('email', 'like', '%@record.example.org')
    .orderBy('email')
    .execute();
  const tokens = await Promise.all(rows.map((r) => proposalLinkOf(app().db, r)));
  const act = (i: number, route: string, body: Record<string, unknown> = {}) =>
    new Client(app().url).json('POST', `/api/v1/member/proposals${route}`, { token: tokens[i], ...body });

  // The motion: three supporters in North, one in South, one in East: the third branch qualifies it.
  const { id } = (await act(0, '', { proposal: { kind: 'motion', title: 'Elect the secretary', text: MOTION } }))
    .body as { id: string };
  expect((await act(0, `/${id}/start`)).status).toBe(200);
  for (const i of [1, 2, 4]) expect((await act(i, `/${id}/signatures`)).body.stage).toBe('gathering');
  expect((await act(7, `/${id}/signatures`)).body).toMatchObject({ stage: 'qualified', amendmentsOpen: true });
  const caseFor = await new Client(app().url).json('PUT', `/api/v1/member/proposals/${id}/case-for`, {
    token: tokens[0],
    text: FOR,
  });
  expect(caseFor.status).toBe(200);

  // An amendment (South, signed in North and East) and a members' case against (South, likewise).
  const amendment = (await act(5, `/${id}/amendments`, { amendment: { title: 'Two years', text: AMENDED } })).body
    .id as string;
  expect((await act(5, `/${amendment}/start`)).status).toBe(200);
  expect((await act(3, `/${amendment}/signatures`)).body.stage).toBe('gathering');
  expect((await act(7, `/${amendment}/signatures`)).body.stage).toBe('qualified');
  const against = (await act(6, `/${id}/case-against`, { text: AGAINST })).body.id as string;
  expect((await act(6, `/${against}/start`)).status).toBe(200);
  expect((await act(2, `/${against}/signatures`)).body.stage).toBe('gathering');
  expect((await act(7, `/${against}/signatures`)).body.stage).toBe('qualified');
  // A late signature counts on the public page, not in the support that qualified it.
  expect((await act(3, `/${id}/signatures`)).body.supporters).toBe(6);

  // The support kept at qualifying cannot be changed, whoever writes.
  await expect(
    sql`update proposals set qualified_support = '{}'::jsonb where id = ${id}`.execute(app().db),
  ).rejects.toThrow(/support a proposal qualified with cannot change/);

  // The amendment period closes (as far as the database can tell); the office schedules the motion.
  await sql`update proposals set amendments_close_at = now() - interval '1 second' where id = ${id}`.execute(app().db);
  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Rules ballot',
      ...ballotTimes(),
      questions: [{ title: 'Adopt the accounts?', method: 'yesno' }],
    })
  ).body as { id: string; questions: Array<{ id: string }> };
  expect((await org.json('POST', `/api/v1/proposals/${id}/schedule`, { ballotId: ballot.id })).status).toBe(200);
  const questions = (await org.json('GET', `/api/v1/ballots/${ballot.id}`)).body.questions as Array<{ id: string }>;
  const [accounts, motion] = questions as [{ id: string }, { id: string }];
  // The office's own question takes the office's statements.
  const office = await org.json('PUT', `/api/v1/ballots/${ballot.id}/questions/${accounts.id}/statements`, {
    for: 'The accounts are in order.',
  });
  expect(office.status).toBe(200);

  // Open, everyone votes (the motion's question ranks its variants), close.
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  const voters = await tokensOf(app().db, ballot.id, SECRET);
  expect(voters).toHaveLength(8);
  for (const [i, { token }] of voters.entries()) {
    const r = await new Client(app().url).json('POST', '/api/v1/vote', {
      token,
      answers: {
        [accounts.id]: { kind: 'choice', option: 0 },
        [motion.id]: { kind: 'ranking', options: i % 2 ? [1, 0, 2] : [0, 1, 2] },
      },
    });
    expect(r.status).toBe(201);
  }
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/close`)).status).toBe(204);

  // The record: the proposals section.
  const download = await org.request('GET', `/api/v1/ballots/${ballot.id}/record`);
  expect(download.status).toBe(200);
  const bytes = await download.text();
  const record = JSON.parse(bytes) as ElectionRecord & { proposals: RecordProposal[] };
  expect(record.proposals).toHaveLength(1);
  const p = record.proposals[0]!;
  expect(p).toMatchObject({
    id,
    kind: 'motion',
    title: 'Elect the secretary',
    text: MOTION,
    options: null,
    questionId: motion.id,
    needs: { supporters: null, branches: 3, combine: 'either' },
    late: false,
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
    wordingHashOf({ kind: 'motion', title: 'Elect the secretary', text: MOTION, options: null }),
  );
  expect(p.amendments).toEqual([
    expect.objectContaining({
      id: amendment,
      kind: 'amendment',
      text: AMENDED,
      tabledBy: null,
      support: expect.objectContaining({ supporters: 3, branches: 3 }),
    }),
  ]);
  expect(Date.parse(p.scheduledAt)).toBeLessThan(Date.parse(p.scheduleBy!));
  // Never who signed: the section names no member.
  expect(JSON.stringify(record.proposals)).not.toMatch(/record\.example\.org|Member \d/);
  // The statements were fixed at opening, by their hashes, in the log.
  const fixed = record.auditLog.find((e) => e.action === 'ballot.statements')!;
  expect(fixed.details.statements).toEqual(
    expect.arrayContaining([
      { questionId: accounts.id, side: 'for', author: 'office', textHash: textHashOf('The accounts are in order.') },
      expect.objectContaining({
        questionId: motion.id,
        side: 'against',
        author: 'members',
        textHash: textHashOf(AGAINST),
        caseAgainst: expect.any(String),
      }),
    ]),
  );

  // omov verify passes it, V22 included.
  expect(verifyRecord(record).checks.filter((c) => c.verdict === 'FAIL')).toEqual([]);
  expect(v22(record)).toMatchObject({
    verdict: 'PASS',
    summary: expect.stringMatching(/^1 member proposal and 1 amendment as the log has them/),
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-proposals-'));
  const file = path.join(dir, 'record.json');
  fs.writeFileSync(file, bytes);
  const cli = await omov('verify', file);
  expect(cli.code).toBe(0);
  expect(cli.out).toMatch(/PASS {2}V22 {3}proposals section: 1 member proposal/);
  // Exported again, the same bytes.
  expect(await (await org.request('GET', `/api/v1/ballots/${ballot.id}/record`)).text()).toBe(bytes);

  // Each tampering fails V22, naming what differs.
  const failsWith = (change: (r: typeof record) => void, problem: RegExp) => {
    const r = structuredClone(record);
    change(r);
    const check = v22(r)!;
    expect(check.verdict).toBe('FAIL');
    expect(check.problems.join('\n')).toMatch(problem);
  };
  /** A log entry's details changed, and the chain rehashed from it on (V10 then holds). */
  const rewrite = (
    r: typeof record,
    find: (e: AuditEntry) => boolean,
    change: (d: Record<string, unknown>) => void,
  ) => {
    const at = r.auditLog.findIndex(find);
    change(r.auditLog[at]!.details);
    for (let i = at; i < r.auditLog.length; i++) {
      const e = r.auditLog[i]!;
      if (i > 0) e.prevHash = r.auditLog[i - 1]!.hash;
      e.hash = auditHash(e);
    }
  };
  // The question's wording: a reworded text.
  failsWith((r) => {
    r.ballot.questions[1]!.description = 'Conference elects the general secretary every four years.';
  }, /question 2 "Elect the secretary": its text is not the proposal's/);
  // The support stated falls short of the threshold (and of what the log says it qualified with).
  failsWith((r) => {
    const s = r.proposals[0]!.support!;
    s.branches = 2;
    s.byBranch = [s.byBranch[0]!, { ...s.byBranch[1]!, name: 'Pooled: South', branches: ['South'] }];
  }, /falls short of its threshold/);
  // The pooled support does not add up to the total.
  failsWith((r) => {
    r.proposals[0]!.support!.byBranch[0]!.supporters = 4;
  }, /adds up to 6 supporters, not the 5 stated/);
  // A branch under k published on its own.
  failsWith((r) => {
    r.proposals[0]!.support!.byBranch = [
      { name: 'East', branches: ['East'], supporters: 1, pooled: false },
      { name: 'North', branches: ['North'], supporters: 3, pooled: false },
      { name: 'South', branches: ['South'], supporters: 1, pooled: false },
    ];
  }, /branch East: 1 supporter, under k = 2, published on its own/);
  // The threshold fixed at start, lowered.
  failsWith((r) => {
    r.proposals[0]!.needs.branches = 2;
  }, /its threshold .* is not the one fixed at start/);
  // An amendment's wording changed, its hash recomputed: not the wording tabled.
  failsWith((r) => {
    const a = r.proposals[0]!.amendments[0]!;
    a.text = 'Conference elects the general secretary every year.';
    a.wordingHash = wordingHashOf(a);
  }, /amendment 1 "Two years" .*: its wording is not the wording started/);
  // An amendment dropped from the section.
  failsWith((r) => {
    r.proposals[0]!.amendments = [];
  }, /its amendments on the ballot \(none\) are not the ones tabled and qualified in the log/);
  // The case for changed, its hash recomputed.
  failsWith((r) => {
    const s = r.proposals[0]!.statements.for!;
    s.text = 'A softer case for.';
    s.textHash = textHashOf(s.text);
  }, /the case for is not the one its proposers last wrote/);
  // The office's case against shown in place of the members' that qualified.
  failsWith((r) => {
    r.proposals[0]!.statements.against = {
      author: 'office',
      text: 'The office says no.',
      textHash: textHashOf('The office says no.'),
    };
  }, /the members' case against \(.*\) qualified .* but the record shows the office's/);
  // Said not late when it was: the deadline moved before the scheduling.
  failsWith((r) => {
    r.proposals[0]!.scheduleBy = new Date(Date.parse(r.proposals[0]!.scheduledAt) - 1000).toISOString();
  }, /its schedule deadline .* is not the one set when it qualified|said not to be late/);
  // The log's qualify entry says other support (the chain rehashed): the section no longer agrees.
  failsWith((r) => {
    rewrite(
      r,
      (e) => e.action === 'proposal.qualify' && e.subject === id,
      (d) => {
        d.supporters = 6;
      },
    );
  }, /is not what it qualified with \(entry \d+: 6 in 3\)/);
  // The section cut out of a record whose log says the server keeps one.
  failsWith((r) => {
    delete (r as Partial<typeof r>).proposals;
  }, /the record has no proposals section/);
  // The statements fixed at opening are not the ones in the section.
  failsWith((r) => {
    rewrite(
      r,
      (e) => e.action === 'ballot.statements',
      (d) => {
        (d.statements as Array<{ questionId: string; side: string; textHash: string }>)
          .filter((s) => s.questionId === motion.id && s.side === 'for')
          .forEach((s) => (s.textHash = textHashOf('Another case for.')));
      },
    );
  }, /the case for is not the one on the ballot when it opened/);
});

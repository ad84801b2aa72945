import { sql } from 'kysely';
import * as outbox from '../src/data/outbox';
import { verifyRecord } from '@omov/core/record/verify';
import { appWithSmtpPerFile, ballotTimes, Client, setUpOrganisation } from './support/app';
import { tokensOf } from './support/integrity';
import { linkIn, waitFor } from './support/smtp';

/**
 * Amendments over HTTP, against real PostgreSQL and SMTP (docs/proposals.md#amendments): a
 * members' motion qualifies and its amendment period opens (every member is mailed); two
 * amendments are tabled and qualify with signatures across branches; the office cannot edit
 * or drop one, nor put the motion on a ballot before the period closes; scheduled, the motion
 * becomes one ranked question across its variants word for word, with the agenda's declared
 * order; nine members vote as in the core's hand-worked example, and the results give the
 * Schulze winner, the declared agenda's outcome and that the order mattered; the election
 * record verifies, and fails once the agenda's result is tampered with.
 */
const { app, smtp } = appWithSmtpPerFile();

const SECRET = 'test-secret-0123456789-0123456789-abcdef'; // startTestApp's
const unfolded = (raw: string) => raw.replace(/=\r?\n/g, '');
const BRANCHES = ['North', 'South', 'East'];
/** Nine members, three in each branch. */
const ROLL = [
  'email,name,branch',
  ...Array.from({ length: 9 }, (_, i) => `a${i}@amend.example.org,Member ${i},${BRANCHES[Math.floor(i / 3)]}`),
].join('\n');

const MOTION = 'Conference sets the dues at 1% of income.';
const TEXT_A = 'Conference sets the dues at 0.5% of income.';
const TEXT_B = 'Conference sets the dues at 1% of income, capped at £20 a month.';

const member = () => new Client(app().url);

test('two amendments qualify; the ranked question decides; the declared order of the agenda mattered', async () => {
  const org = await setUpOrganisation(app(), 'Amending Union', 'office@amend.example.org');
  expect((await org.json('POST', '/api/v1/roll/import', ROLL, { 'content-type': 'text/csv' })).status).toBe(200);
  const rules = await org.json('PUT', '/api/v1/proposal-rules', {
    sharePercent: null,
    minBranches: 2,
    windowDays: 42,
    scheduleDays: 30,
    k: 1,
    amendmentDays: 14,
  });
  expect(rules.status).toBe(200);
  expect(rules.body.amendmentDays).toBe(14);
  expect((await org.json('POST', '/api/v1/proposal-links')).status).toBe(202);
  const tokens: string[] = [];
  for (let i = 0; i < 9; i++) {
    const mail = await waitFor(`the proposals link of member ${i}`, () =>
      smtp().received.find((m) => m.to[0] === `a${i}@amend.example.org` && /\/p\//.test(unfolded(m.raw))),
    );
    tokens[i] = linkIn(mail.raw, 'p').split('/p/')[1]!;
  }

  // The motion: started in North, signed in South, it qualifies and its amendment period opens.
  const { id: motion } = (
    await member().json('POST', '/api/v1/member/proposals', {
      token: tokens[0],
      proposal: { kind: 'motion', title: 'Set the dues', text: MOTION },
    })
  ).body as { id: string };
  expect((await member().json('POST', `/api/v1/member/proposals/${motion}/start`, { token: tokens[0] })).status).toBe(
    200,
  );
  // Not yet qualified: no amendments.
  const early = await member().json('POST', `/api/v1/member/proposals/${motion}/amendments`, {
    token: tokens[1],
    amendment: { title: 'Too soon', text: 'x' },
  });
  expect(early.status).toBe(409);
  const qualified = await member().json('POST', `/api/v1/member/proposals/${motion}/signatures`, { token: tokens[3] });
  expect(qualified.body).toMatchObject({ stage: 'qualified', amendmentsOpen: true });
  // Every member is mailed that amendments are open, with a link of their own.
  const opened = await waitFor('the "amendments are open" email to member 8', () =>
    smtp().received.find(
      (m) => m.to[0] === 'a8@amend.example.org' && /members may table amendments/.test(unfolded(m.raw)),
    ),
  );
  expect(unfolded(opened.raw)).toContain(`/proposals/${motion}`);
  const fresh = linkIn(opened.raw, 'p').split('/p/')[1]!;
  expect((await member().request('GET', `/p/${fresh}`)).status).toBe(200);

  // Two amendments, each tabled and started by a member, signed in another branch.
  const table = async (i: number, title: string, text: string) => {
    const drafted = await member().json('POST', `/api/v1/member/proposals/${motion}/amendments`, {
      token: tokens[i],
      amendment: { title, text },
    });
    expect(drafted.status).toBe(201);
    const id = drafted.body.id as string;
    const started = await member().json('POST', `/api/v1/member/proposals/${id}/start`, { token: tokens[i] });
    expect(started.body).toMatchObject({ kind: 'amendment', parentId: motion, stage: 'gathering' });
    return id;
  };
  const a = await table(1, 'Half the rate', TEXT_A);
  const b = await table(4, 'A cap', TEXT_B);
  // Too long for the ballot's option: refused, naming the field.
  const long = await member().json('POST', `/api/v1/member/proposals/${motion}/amendments`, {
    token: tokens[2],
    amendment: { title: 'Long', text: 'x'.repeat(2001) },
  });
  expect(long.status).toBe(422);
  expect(long.body.errors[0].path).toMatch(/amendment.*text/);
  expect(
    (await member().json('POST', `/api/v1/member/proposals/${a}/signatures`, { token: tokens[6] })).body.stage,
  ).toBe('qualified');
  expect(
    (await member().json('POST', `/api/v1/member/proposals/${b}/signatures`, { token: tokens[7] })).body.stage,
  ).toBe('qualified');
  // Each qualifying amendment is mailed to its mover, the motion's proposer and the organiser: nobody else
  // (its supporter, member 6, is not known; every member sees it on the ballot).
  const told = await sql<{ recipient: string; why: string }>`
    select recipient, payload->>'why' as why from mail_outbox
    where kind = 'amendment-qualified' and payload->>'title' = 'Half the rate' order by recipient`.execute(app().db);
  expect(told.rows).toEqual([
    { recipient: 'a0@amend.example.org', why: 'you proposed the motion' },
    { recipient: 'a1@amend.example.org', why: 'you tabled it' },
    { recipient: 'office@amend.example.org', why: 'you organise the ballot it goes on' },
  ]);
  const moverMail = await waitFor('the "amendment has qualified" email to its mover', () =>
    smtp().received.find((m) => m.to[0] === 'a1@amend.example.org' && /amendment has qualified/.test(m.raw)),
  );
  expect(unfolded(moverMail.raw)).toContain(`/proposals/${motion}`);
  expect(unfolded(moverMail.raw)).toMatch(/The amendment "Half the rate" to the members' motion "Set the dues"/);
  const pub = await member().json('GET', `/api/v1/proposals/${a}/public`);
  expect(pub.body).toMatchObject({ kind: 'amendment', supporters: 2, branches: 2 });

  // The office can neither edit nor drop an amendment; both attempts are logged.
  expect((await org.json('PATCH', `/api/v1/proposals/${a}`, { text: 'Softer.' })).status).toBe(409);
  expect((await org.json('DELETE', `/api/v1/proposals/${b}`)).status).toBe(403);
  await expect(sql`update proposals set text = 'Softer.' where id = ${a}`.execute(app().db)).rejects.toThrow(
    /wording cannot change/,
  );
  const log = (await org.json('GET', '/api/v1/audit-log')).body.entries as Array<{ action: string; subject: string }>;
  expect(log.some((e) => e.action === 'proposal.reword-refused' && e.subject === a)).toBe(true);
  expect(log.some((e) => e.action === 'proposal.withdraw-refused' && e.subject === b)).toBe(true);
  expect(log.some((e) => e.action === 'amendments.open' && e.subject === motion)).toBe(true);

  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Dues ballot',
      ...ballotTimes(),
      questions: [{ title: 'Adopt the accounts?', method: 'yesno' }],
    })
  ).body as { id: string };
  // An amendment is not scheduled alone; the motion waits for its amendment period to close.
  expect((await org.json('POST', `/api/v1/proposals/${a}/schedule`, { ballotId: ballot.id })).status).toBe(409);
  const tooSoon = await org.json('POST', `/api/v1/proposals/${motion}/schedule`, { ballotId: ballot.id });
  expect(tooSoon.status).toBe(409);
  expect(tooSoon.body.detail).toMatch(/may table amendments to this motion until/);
  // The period closes (the clock moved on, as far as the database can tell).
  await sql`update proposals set amendments_close_at = now() - interval '1 second' where id = ${motion}`.execute(
    app().db,
  );
  expect((await org.json('POST', `/api/v1/proposals/${motion}/schedule`, { ballotId: ballot.id })).status).toBe(200);

  // One ranked question across the variants, word for word, with the agenda declared.
  const questions = (await org.json('GET', `/api/v1/ballots/${ballot.id}`)).body.questions as Array<{
    id: string;
    title: string;
    description: string;
    method: string;
    position: number;
    settings: { agenda?: unknown };
    options: Array<{ label: string; description: string }>;
  }>;
  const q = questions[1]!;
  expect(q).toMatchObject({ title: 'Set the dues', description: MOTION, method: 'schulze' });
  expect(q.options.map((o) => [o.label, o.description])).toEqual([
    ['The motion as proposed', 'The text above, unamended.'],
    ['Amendment 1: Half the rate', TEXT_A],
    ['Amendment 2: A cap', TEXT_B],
    ['None: the motion falls', 'None of these texts: the motion is not adopted.'],
  ]);
  expect(q.settings.agenda).toEqual({ original: 0, amendments: [1, 2], rejection: 3, order: [1, 2] });
  // The office declares the order; a wrong one is refused, naming the field.
  const wrong = await org.json('PUT', `/api/v1/proposals/${motion}/agenda-order`, { order: [a, a] });
  expect(wrong.status).toBe(422);
  expect(wrong.body.errors[0].path).toBe('order');
  const reversed = await org.json('PUT', `/api/v1/proposals/${motion}/agenda-order`, { order: [b, a] });
  expect(reversed.body.order.map((x: { label: string }) => x.label)).toEqual([
    'Amendment 2: A cap',
    'Amendment 1: Half the rate',
  ]);
  expect((await org.json('PUT', `/api/v1/proposals/${motion}/agenda-order`, { order: [a, b] })).status).toBe(200);
  // An edit of the draft must keep the variants word for word.
  const reworded = await org.json('PUT', `/api/v1/ballots/${ballot.id}`, {
    title: 'Dues ballot',
    ...ballotTimes(),
    questions: [
      { title: 'Adopt the accounts?', method: 'yesno' },
      {
        title: 'Set the dues',
        description: MOTION,
        method: 'schulze',
        options: q.options.map((o, i) => (i === 1 ? { ...o, description: 'Softer.' } : o)),
      },
    ],
  });
  expect(reworded.status).toBe(409);

  // Nine members vote as in the core's hand-worked example (O the motion, A and B the amendments,
  // F "the motion falls", ranked last by all): 4 rank A > B > O, 3 rank B > O > A, 2 rank O > A > B.
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  const p = q.position;
  const rank = (order: number[]): Array<[string, string]> => [
    ...order.map((option, r): [string, string] => [`q_${p}_${option}`, String(r + 1)]),
    [`q_${p}_3`, '4'],
  ];
  const papers = [
    ...Array.from({ length: 4 }, () => rank([1, 2, 0])),
    ...Array.from({ length: 3 }, () => rank([2, 0, 1])),
    ...Array.from({ length: 2 }, () => rank([0, 1, 2])),
  ];
  const voters = await tokensOf(app().db, ballot.id, SECRET);
  expect(voters).toHaveLength(9);
  for (const [i, { token }] of voters.entries()) {
    const voter = new Client(app().url);
    const page = await (await voter.request('GET', `/v/${token}`)).text();
    expect(page).toContain('Amendment 2: A cap');
    expect(page).toContain(TEXT_B);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const done = await voter.form(`/v/${token}`, [['csrf', csrf], ['step', 'cast'], ['q_0', '0'], ...papers[i]!]);
    expect(done.status).toBe(201);
  }
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/close`)).status).toBe(204);

  // Hand count. Order (A, B): O beats A 5-4, then B beats O 7-2, then B beats F 9-0: B adopted.
  // Order (B, A): B beats O 7-2, then A beats B 6-3: A adopted. Schulze elects A.
  const results = (await org.json('GET', `/api/v1/ballots/${ballot.id}/results`)).body;
  const r = results.questions[1];
  expect(r.elected).toEqual(['Amendment 1: Half the rate']);
  expect(r.agenda).toEqual({
    declaredOrder: ['Amendment 1: Half the rate', 'Amendment 2: A cap'],
    steps: [
      {
        standing: 'The motion as proposed',
        challenger: 'Amendment 1: Half the rate',
        forChallenger: '4',
        forStanding: '5',
        winner: 'The motion as proposed',
      },
      {
        standing: 'The motion as proposed',
        challenger: 'Amendment 2: A cap',
        forChallenger: '7',
        forStanding: '2',
        winner: 'Amendment 2: A cap',
      },
      {
        standing: 'Amendment 2: A cap',
        challenger: 'None: the motion falls',
        forChallenger: '0',
        forStanding: '9',
        winner: 'Amendment 2: A cap',
      },
    ],
    outcome: 'Amendment 2: A cap',
    outcomes: [
      { outcome: 'Amendment 2: A cap', orders: [['Amendment 1: Half the rate', 'Amendment 2: A cap']] },
      { outcome: 'Amendment 1: Half the rate', orders: [['Amendment 2: A cap', 'Amendment 1: Half the rate']] },
    ],
    orderMatters: true,
  });
  const page = await (await org.request('GET', `/ballots/${ballot.id}/results`)).text();
  expect(page).toContain('The agenda adopts: Amendment 2: A cap.');
  expect(page).toContain('The order mattered');
  const csv = await (await org.request('GET', `/ballots/${ballot.id}/results.csv`)).text();
  expect(csv).toContain('(agenda step 2)');
  expect(csv).toMatch(/\(agenda over every order\),Amendment 1: Half the rate,orders,1,no/);

  // The election record verifies: the agenda is recounted from the votes. Tampered, it fails.
  const record = (await org.json('GET', `/api/v1/ballots/${ballot.id}/record`)).body;
  expect(record.ballot.questions[1].settings.agenda.order).toEqual([1, 2]);
  expect(record.results[1].agenda.orderMatters).toBe(true);
  expect(verifyRecord(record).checks.filter((c) => c.verdict === 'FAIL')).toEqual([]);
  const tampered = structuredClone(record);
  tampered.results[1].agenda.outcome = 'Amendment 1: Half the rate';
  const failed = verifyRecord(tampered).checks.filter((c) => c.verdict === 'FAIL');
  expect(failed.map((c) => c.name)).toContain('count: question 2 "Set the dues"');
  // V21: the motion is on the ballot word for word and qualified by its threshold (from the log).
  const v20 = (r: unknown) => verifyRecord(r).checks.find((c) => c.id === 'V21')!;
  expect(v20(record)).toMatchObject({ verdict: 'PASS', summary: expect.stringMatching(/^1 member proposal on/) });
  const rewordedRecord = structuredClone(record);
  rewordedRecord.ballot.questions[1].description = 'Conference sets the dues at 2% of income.';
  expect(v20(rewordedRecord)).toMatchObject({ verdict: 'FAIL' });
  expect(v20(rewordedRecord).problems.join(' ')).toMatch(/no question of the ballot is its wording unchanged/);
  const short = structuredClone(record);
  const qualifyEntry = short.auditLog.find(
    (e: { action: string; subject: string }) => e.action === 'proposal.qualify' && e.subject === motion,
  );
  qualifyEntry.details.branches = 1;
  expect(v20(short).problems.join(' ')).toMatch(/qualified with 2 supporters in 1 branches, short of its threshold/);
});

test('an amendment mail queued before question amendments (no wording in its payload) is still sent, worded for a motion', async () => {
  await setUpOrganisation(app(), 'Older Queue Union', 'office@older.example.org');
  const { id } = (
    await sql<{ id: string }>`select id from organisations where name = 'Older Queue Union'`.execute(app().db)
  ).rows[0]!;
  await outbox.enqueue(app().db, [
    {
      organisationId: id,
      ballotId: null,
      memberId: null,
      kind: 'amendment-qualified',
      recipient: 'mover@older.example.org',
      sealedSecret: null,
      // The payload as it was queued before `what` came in.
      payload: {
        name: 'A Mover',
        why: 'you tabled it',
        title: 'Half the rate',
        motion: 'Set the dues',
        organisationName: 'Older Queue Union',
        url: `${app().url}/proposals/00000000-0000-4000-8000-000000000000`,
      },
    },
  ]);
  const mail = await waitFor('the older amendment mail', () =>
    smtp().received.find((m) => m.to[0] === 'mover@older.example.org'),
  );
  expect(unfolded(mail.raw)).toMatch(/The amendment "Half the rate" to the members' motion "Set the dues"/);
});

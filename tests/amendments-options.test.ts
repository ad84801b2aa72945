import { sql } from 'kysely';
import { verifyRecord } from '@omov/core/record/verify';
import { appWithSmtpPerFile, ballotTimes, Client, setUpOrganisation } from './support/app';
import { tokensOf } from './support/integrity';
import { linkIn, waitFor } from './support/smtp';

/**
 * Amendments to a members' question with options, over HTTP against real PostgreSQL and SMTP
 * (docs/proposals.md#amendments-to-a-question): the question qualifies and its amendment
 * period opens (every member is mailed); one amendment adds an option, another rewords one
 * (Blue becomes Navy) and so removes it; both qualify. The office cannot reword an
 * amendment. Scheduled, the ballot holds "Which version of the question", ranked across the
 * versions with the agenda declared, then the question itself over the union of the
 * versions' options, ranked. Nine members vote; by hand, the declared order adopts the
 * rewording while Schulze (and the other order) adopt the added option, and the options
 * struck pass members' votes to their next option still standing. The record verifies, and
 * fails once an amendment's wording is altered.
 */
const { app, smtp } = appWithSmtpPerFile();

const SECRET = 'test-secret-0123456789-0123456789-abcdef'; // startTestApp's
const unfolded = (raw: string) => raw.replace(/=\r?\n/g, '');
const BRANCHES = ['North', 'South', 'East'];
const ROLL = [
  'email,name,branch',
  ...Array.from({ length: 9 }, (_, i) => `o${i}@opts.example.org,Member ${i},${BRANCHES[Math.floor(i / 3)]}`),
].join('\n');

const TITLE = 'Which colour for the banner?';
const TEXT = 'The union’s new banner will be in one colour.';
const member = () => new Client(app().url);

test('two amendments to a question qualify; the version adopted decides which options count', async () => {
  const org = await setUpOrganisation(app(), 'Colour Union', 'office@opts.example.org');
  expect((await org.json('POST', '/api/v1/roll/import', ROLL, { 'content-type': 'text/csv' })).status).toBe(200);
  expect(
    (
      await org.json('PUT', '/api/v1/proposal-rules', {
        sharePercent: null,
        minBranches: 2,
        windowDays: 42,
        scheduleDays: 30,
        k: 1,
        amendmentDays: 14,
      })
    ).status,
  ).toBe(200);
  expect((await org.json('POST', '/api/v1/proposal-links')).status).toBe(202);
  const tokens: string[] = [];
  for (let i = 0; i < 9; i++) {
    const mail = await waitFor(`the proposals link of member ${i}`, () =>
      smtp().received.find((m) => m.to[0] === `o${i}@opts.example.org` && /\/p\//.test(unfolded(m.raw))),
    );
    tokens[i] = linkIn(mail.raw, 'p').split('/p/')[1]!;
  }

  // The question: started in North, signed in South, it qualifies and its amendment period opens.
  const { id: question } = (
    await member().json('POST', '/api/v1/member/proposals', {
      token: tokens[0],
      proposal: { kind: 'question', title: TITLE, text: TEXT, options: ['Red', 'Blue'] },
    })
  ).body as { id: string };
  expect((await member().json('POST', `/api/v1/member/proposals/${question}/start`, { token: tokens[0] })).status).toBe(
    200,
  );
  const qualified = await member().json('POST', `/api/v1/member/proposals/${question}/signatures`, {
    token: tokens[3],
  });
  expect(qualified.body).toMatchObject({ stage: 'qualified', amendmentsOpen: true });
  const opened = await waitFor('the "amendments are open" email to member 8', () =>
    smtp().received.find(
      (m) => m.to[0] === 'o8@opts.example.org' && /members may table amendments/.test(unfolded(m.raw)),
    ),
  );
  expect(unfolded(opened.raw)).toContain(`The members' question "${TITLE}" has qualified`);
  expect(unfolded(opened.raw)).toMatch(/each amendment is a new list of the question's options/);

  const draft = (i: number, amendment: Record<string, unknown>) =>
    member().json('POST', `/api/v1/member/proposals/${question}/amendments`, { token: tokens[i], amendment });
  // An amendment to a question must give its options, and change something: refused, naming the field.
  const noOptions = await draft(2, { title: 'Nothing', text: TEXT });
  expect(noOptions.status).toBe(422);
  expect(noOptions.body.errors[0].path).toBe('options');
  const same = await draft(2, { title: 'Same', text: TEXT, options: ['Red', 'Blue'] });
  expect(same.status).toBe(422);
  expect(same.body.errors[0].path).toBe('options');
  const twice = await draft(2, { title: 'Twice', text: TEXT, options: ['Red', 'red'] });
  expect(twice.status).toBe(422);
  expect(twice.body.errors[0].path).toMatch(/options/);

  const table = async (i: number, title: string, options: string[]) => {
    const drafted = await draft(i, { title, text: TEXT, options });
    expect(drafted.status).toBe(201);
    const id = drafted.body.id as string;
    const started = await member().json('POST', `/api/v1/member/proposals/${id}/start`, { token: tokens[i] });
    expect(started.body).toMatchObject({ kind: 'amendment', parentId: question, stage: 'gathering', options });
    return id;
  };
  const a = await table(1, 'Add green', ['Red', 'Blue', 'Green']);
  const b = await table(4, 'Navy, not blue', ['Red', 'Navy']);
  expect(
    (await member().json('POST', `/api/v1/member/proposals/${a}/signatures`, { token: tokens[6] })).body.stage,
  ).toBe('qualified');
  expect(
    (await member().json('POST', `/api/v1/member/proposals/${b}/signatures`, { token: tokens[7] })).body.stage,
  ).toBe('qualified');
  const told = await sql<{ recipient: string; why: string }>`
    select recipient, payload->>'why' as why from mail_outbox
    where kind = 'amendment-qualified' and payload->>'title' = 'Add green' order by recipient`.execute(app().db);
  expect(told.rows).toEqual([
    { recipient: 'o0@opts.example.org', why: 'you proposed the question' },
    { recipient: 'o1@opts.example.org', why: 'you tabled it' },
    { recipient: 'office@opts.example.org', why: 'you organise the ballot it goes on' },
  ]);
  const moverMail = await waitFor('the "amendment has qualified" email to its mover', () =>
    smtp().received.find((m) => m.to[0] === 'o1@opts.example.org' && /amendment has qualified/.test(m.raw)),
  );
  expect(unfolded(moverMail.raw)).toMatch(/The amendment "Add green" to the members' question "Which colour/);

  // A branch tables one through its secretary: the same rules (its options named when missing);
  // with no member's signature it does not qualify, and stays off the ballot.
  const email = 'secretary-east@opts.example.org';
  expect(
    (await org.json('PUT', '/api/v1/branch-secretaries', { branch: 'East', name: 'Eve Secretary', email })).status,
  ).toBe(200);
  const secretaryMail = await waitFor('the secretary link', () => smtp().received.find((m) => m.to[0] === email));
  const link = /\/s\/([A-Za-z0-9_-]{43})/.exec(unfolded(secretaryMail.raw))![1]!;
  const byBranch = (amendment: Record<string, unknown>) =>
    member().json('POST', '/api/v1/secretary/amendments', { token: link, motionId: question, amendment });
  const unnamed = await byBranch({ title: 'Purple', text: TEXT });
  expect(unnamed.status).toBe(422);
  expect(unnamed.body.errors[0].path).toBe('options');
  const branchAmendment = await byBranch({ title: 'Purple', text: TEXT, options: ['Red', 'Purple'] });
  expect(branchAmendment.status).toBe(201);
  expect(branchAmendment.body).toMatchObject({
    kind: 'amendment',
    parentId: question,
    tabledBy: 'East',
    options: ['Red', 'Purple'],
    amends: { title: TITLE, text: TEXT, options: ['Red', 'Blue'] },
    supporters: 0,
  });

  // From the secretary's page (no script): the question's options to amend, prefilled; a refusal names the field.
  const secretary = new Client(app().url);
  const sPage = await (await secretary.request('GET', `/s/${link}`)).text();
  expect(sPage).toContain(`Table an amendment to “${TITLE}” for East branch`);
  expect(sPage).toMatch(/The options as amended, one on each line[\s\S]*>Red\nBlue<\/textarea>/);
  const sCsrf = /name="csrf" value="([^"]+)"/.exec(sPage)![1]!;
  const sForm = (options: string) =>
    secretary.form(`/s/${link}`, [
      ['csrf', sCsrf],
      ['action', 'amend'],
      ['motion', question],
      ['amendmentTitle', 'Gold'],
      ['amendmentText', TEXT],
      ['amendmentOptions', options],
    ]);
  const sameAsQuestion = await sForm('Red\nBlue');
  expect(sameAsQuestion.status).toBe(422);
  expect(sameAsQuestion.text).toContain('The amendment’s options: the options and the text are the question’s own');
  const gold = await sForm('Red\n\nGold\n');
  expect(gold.status).toBe(201);
  expect(gold.text).toContain('Tabled for the branch: “Gold”');
  expect(
    (await sql<{ options: string[] }>`select options from proposals where title = 'Gold'`.execute(app().db)).rows,
  ).toEqual([{ options: ['Red', 'Gold'] }]);

  // The office cannot reword an amendment to a question: refused and logged; the database refuses it too.
  expect((await org.json('PATCH', `/api/v1/proposals/${b}`, { options: ['Red', 'Blue'] })).status).toBe(409);
  await expect(
    sql`update proposals set options = '["Red","Blue"]'::jsonb where id = ${b}`.execute(app().db),
  ).rejects.toThrow(/wording cannot change/);
  const log = (await org.json('GET', '/api/v1/audit-log')).body.entries as Array<{ action: string; subject: string }>;
  expect(log.some((e) => e.action === 'proposal.reword-refused' && e.subject === b)).toBe(true);
  expect(log.some((e) => e.action === 'amendments.open' && e.subject === question)).toBe(true);

  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Banner ballot',
      ...ballotTimes(),
      questions: [{ title: 'Adopt the accounts?', method: 'yesno' }],
    })
  ).body as { id: string };
  await sql`update proposals set amendments_close_at = now() - interval '1 second' where id = ${question}`.execute(
    app().db,
  );
  expect((await org.json('POST', `/api/v1/proposals/${question}/schedule`, { ballotId: ballot.id })).status).toBe(200);

  type Q = {
    id: string;
    title: string;
    description: string;
    method: string;
    position: number;
    settings: Record<string, unknown>;
    options: Array<{ label: string; description: string }>;
  };
  const questions = (await org.json('GET', `/api/v1/ballots/${ballot.id}`)).body.questions as Q[];
  const [, versionQ, unionQ] = questions as [Q, Q, Q];
  expect(versionQ).toMatchObject({ title: `Which version of the question: ${TITLE}`, method: 'schulze' });
  expect(versionQ.options.map((o) => [o.label, o.description])).toEqual([
    ['The question as proposed', `${TEXT}\n\nOptions: Red; Blue`],
    ['Amendment 1: Add green', `${TEXT}\n\nOptions: Red; Blue; Green`],
    ['Amendment 2: Navy, not blue', `${TEXT}\n\nOptions: Red; Navy`],
  ]);
  expect(versionQ.settings.agenda).toEqual({ original: 0, amendments: [1, 2], rejection: null, order: [1, 2] });
  // The office declares the order on the version question, as for a motion (logged); here it keeps (A, B).
  const reversed = await org.json('PUT', `/api/v1/proposals/${question}/agenda-order`, { order: [b, a] });
  expect(reversed.body).toMatchObject({ questionId: versionQ.id });
  expect(reversed.body.order.map((x: { label: string }) => x.label)).toEqual([
    'Amendment 2: Navy, not blue',
    'Amendment 1: Add green',
  ]);
  expect((await org.json('PUT', `/api/v1/proposals/${question}/agenda-order`, { order: [a, b] })).status).toBe(200);
  const staff = await (await org.request('GET', '/proposals')).text();
  expect(staff).toContain(`The order of the amendments to “${TITLE}”`);
  expect(unionQ).toMatchObject({ title: TITLE, description: TEXT, method: 'irv' });
  expect(unionQ.options.map((o) => o.label)).toEqual(['Red', 'Blue', 'Green', 'Navy']);
  expect(unionQ.options[3]!.description).toBe('In: Amendment 2: Navy, not blue');
  expect(unionQ.settings.versions).toEqual({
    question: versionQ.title,
    options: [
      [0, 1],
      [0, 1, 2],
      [0, 3],
    ],
  });
  // East's secretary records the meeting's position on the versions, worded as a question's (none is "against").
  const positionsPage = await (await secretary.request('GET', `/s/${link}`)).text();
  expect(positionsPage).toContain('An amended question: members rank its versions');
  expect(positionsPage).toContain('For the question as proposed (The question as proposed)');
  expect(positionsPage).toContain('For Amendment 1: Add green (the question as this amendment words it)');
  expect(positionsPage).not.toContain('the motion falls');
  // An edit of the draft must keep the union question word for word; one that keeps it keeps its versions.
  const edit = (qs: unknown[]) =>
    org.json('PUT', `/api/v1/ballots/${ballot.id}`, { title: 'Banner ballot', ...ballotTimes(), questions: qs });
  const plain = (q: Q) => ({ title: q.title, description: q.description, method: q.method, options: q.options });
  const dropped = await edit([
    { title: 'Adopt the accounts?', method: 'yesno' },
    plain(versionQ),
    { ...plain(unionQ), options: unionQ.options.slice(0, 3) },
  ]);
  expect(dropped.status).toBe(409);
  expect((await edit([{ title: 'Adopt the accounts?', method: 'yesno' }, plain(versionQ), plain(unionQ)])).status).toBe(
    200,
  );
  const kept = (await org.json('GET', `/api/v1/ballots/${ballot.id}`)).body.questions as Q[];
  expect(kept[2]!.settings.versions).toEqual(unionQ.settings.versions);
  expect(kept[1]!.settings.agenda).toEqual(versionQ.settings.agenda);

  // Nine members vote. The versions (O the question as proposed, A "Add green", B "Navy"):
  // 4 rank A > B > O, 3 rank B > O > A, 2 rank O > A > B. The options (Red, Blue, Green, Navy):
  // the first group ranks Green > Navy > Red > Blue (one of them Green only), the second
  // Navy > Blue > Red, the third Blue > Red.
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  const ranks = (q: Q, order: number[]): Array<[string, string]> =>
    order.map((option, r): [string, string] => [`q_${q.position}_${option}`, String(r + 1)]);
  const RED = 0;
  const BLUE = 1;
  const GREEN = 2;
  const NAVY = 3;
  const papers = [
    [...ranks(versionQ, [1, 2, 0]), ...ranks(unionQ, [GREEN])],
    ...Array.from({ length: 3 }, () => [...ranks(versionQ, [1, 2, 0]), ...ranks(unionQ, [GREEN, NAVY, RED, BLUE])]),
    ...Array.from({ length: 3 }, () => [...ranks(versionQ, [2, 0, 1]), ...ranks(unionQ, [NAVY, BLUE, RED])]),
    ...Array.from({ length: 2 }, () => [...ranks(versionQ, [0, 1, 2]), ...ranks(unionQ, [BLUE, RED])]),
  ];
  const voters = await tokensOf(app().db, ballot.id, SECRET);
  expect(voters).toHaveLength(9);
  for (const [i, { token }] of voters.entries()) {
    const voter = new Client(app().url);
    const page = await (await voter.request('GET', `/v/${token}`)).text();
    expect(page).toContain('Which version of the question');
    expect(page).toContain('Navy');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const done = await voter.form(`/v/${token}`, [['csrf', csrf], ['step', 'cast'], ['q_0', '0'], ...papers[i]!]);
    expect(done.status).toBe(201);
  }
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/close`)).status).toBe(204);

  // By hand. The versions, in the declared order (A, B): O beats A 5-4, then B beats O 7-2: B
  // ("Navy") is adopted. In the order (B, A) A would be; Schulze elects A ("Add green").
  const results = (await org.json('GET', `/api/v1/ballots/${ballot.id}/results`)).body;
  const rv = results.questions[1];
  expect(rv.elected).toEqual(['Amendment 1: Add green']);
  expect(rv.agenda).toMatchObject({ outcome: 'Amendment 2: Navy, not blue', orderMatters: true });
  // The question over B's options (Red, Navy): Blue and Green are struck. The first group's
  // three pass from Green to Navy, the one who ranked Green only has no option standing
  // (an abstention), the second group stays with Navy, the third passes from Blue to Red:
  // Navy 6, Red 2. Under A (Red, Blue, Green; Navy struck): Green 4, the second group passes
  // from Navy to Blue, so Blue 3 + 2 = 5, Red 0: Blue.
  const ru = results.questions[2];
  expect(ru).toMatchObject({ method: 'plurality', elected: ['Navy'], abstentions: '1' });
  expect(ru.options).toEqual([
    { option: 'Red', votes: '2' },
    { option: 'Navy', votes: '6' },
  ]);
  expect(ru.versions).toEqual({
    question: versionQ.title,
    adopted: 'Amendment 2: Navy, not blue',
    condorcet: 'Amendment 1: Add green',
    struck: ['Blue', 'Green'],
    otherwise: {
      version: 'Amendment 1: Add green',
      struck: ['Navy'],
      options: [
        { option: 'Red', votes: '0' },
        { option: 'Blue', votes: '5' },
        { option: 'Green', votes: '4' },
      ],
      elected: ['Blue'],
    },
  });
  const page = await (await org.request('GET', `/ballots/${ballot.id}/results`)).text();
  expect(page).toContain('The version adopted: Amendment 2: Navy, not blue');
  expect(page).toContain('Under Amendment 1: Add green, which the ranked count (Schulze) elected');
  expect(page).not.toContain('the motion falls');
  const csv = await (await org.request('GET', `/ballots/${ballot.id}/results.csv`)).text();
  expect(csv).toMatch(/\(struck: not in Amendment 2: Navy, not blue\)"?,Blue,votes,0,no/);
  expect(csv).toMatch(/\(under Amendment 1: Add green\)"?,Blue,votes,5,yes/);

  // The record verifies: the versions and the question are recounted from the votes. An
  // amendment's wording altered fails the proposals section (V22); a changed count fails too.
  const record = (await org.json('GET', `/api/v1/ballots/${ballot.id}/record`)).body;
  expect(record.results[2].versions.adopted).toBe('Amendment 2: Navy, not blue');
  expect(verifyRecord(record).checks.filter((c) => c.verdict === 'FAIL')).toEqual([]);
  const v22 = (r: unknown) => verifyRecord(r).checks.find((c) => c.id === 'V22')!;
  expect(v22(record).verdict).toBe('PASS');
  const altered = structuredClone(record);
  altered.proposals[0].amendments[1].options = ['Red', 'Blue'];
  expect(v22(altered).verdict).toBe('FAIL');
  expect(v22(altered).problems.join(' ')).toMatch(/amendment 2 "Navy, not blue".*does not hash/);
  const recounted = structuredClone(record);
  recounted.results[2].versions.adopted = 'Amendment 1: Add green';
  const failed = verifyRecord(recounted).checks.filter((c) => c.verdict === 'FAIL');
  expect(failed.map((c) => c.name)).toContain(`count: question 3 "${TITLE}"`);
});

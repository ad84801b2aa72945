import { sql } from 'kysely';
import { verifyRecord } from '@omov/core/record/verify';
import { appWithSmtpPerFile, ballotTimes, Client, proposalLinkOf, setUpOrganisation } from './support/app';
import { tokensOf } from './support/integrity';
import { waitFor } from './support/smtp';

/**
 * The members' case against a question the office put on a draft ballot (docs/proposals.md,
 * "The case for and the case against"), over HTTP with real PostgreSQL and SMTP. Members see
 * the office's questions from their proposals link; two groups write a case against the same
 * question, it follows its question through an edit of the draft, and the first to gather the
 * support (supporters in 2 branches) replaces the office's; its writer and the organiser are
 * mailed, nobody else. The office's attempts to write over it, remove it, reword or drop its
 * question, or delete the draft, are refused and logged; an edit that keeps the question
 * keeps the case. The invitation and the voting page show it; the election record's V21
 * passes, and fails for a case the ballot opened without.
 */
const { app, smtp } = appWithSmtpPerFile();

const SECRET = 'test-secret-0123456789-0123456789-abcdef'; // startTestApp's
const BRANCHES = ['North', 'South', 'East'];
const ROLL = [
  'email,name,branch',
  ...Array.from({ length: 6 }, (_, i) => `q${i}@qagainst.example.org,Member ${i},${BRANCHES[Math.floor(i / 2)]}`),
].join('\n');
const OFFICE = 'The office says: the accounts are sound.';
const FIRST = 'The accounts hide a deficit of a tenth of the dues: do not adopt them until the auditors have reported.';
const SECOND = 'The accounts came too late to read.';
const unfolded = (raw: string) => raw.replace(/=\r?\n/g, '');

const ACCOUNTS = { title: 'Adopt the accounts?', description: 'The accounts for last year.', method: 'yesno' };
const VENUE = {
  title: 'Where should conference meet?',
  method: 'plurality',
  options: [{ label: 'Leeds' }, { label: 'York' }],
};

type OfficeQuestion = { ballotId: string; questionId: string; title: string; caseAgainstOpen: boolean };

async function setUp(name: string, domain: string) {
  const org = await setUpOrganisation(app(), name, `office@${domain}`);
  const roll = ROLL.replaceAll('qagainst.example.org', domain);
  expect((await org.json('POST', '/api/v1/roll/import', roll, { 'content-type': 'text/csv' })).status).toBe(200);
  expect(
    (
      await org.json('PUT', '/api/v1/proposal-rules', {
        sharePercent: null,
        minBranches: 2,
        windowDays: 42,
        scheduleDays: 30,
        k: 1,
      })
    ).status,
  ).toBe(200);
  const rows = await app()
    .db.selectFrom('members')
    .select(['id', 'organisation_id', 'email'])
    .where('email', 'like', `%@${domain}`)
    .orderBy('email')
    .execute();
  const tokens = await Promise.all(rows.map((r) => proposalLinkOf(app().db, r)));
  const member = () => new Client(app().url);
  const act = (i: number, path: string, body: Record<string, unknown> = {}) =>
    member().json('POST', `/api/v1/member${path}`, { token: tokens[i], ...body });
  const questionsOf = async (i: number) => (await act(i, '/ballot-questions')).body as OfficeQuestion[];
  return { org, tokens, member, act, questionsOf };
}

const ballotInput = (title: string, questions: unknown[]) => ({ title, ...ballotTimes(), questions });

test('members write the case against an office question: the first to qualify stands, and the office cannot drop it', async () => {
  const { org, member, act, questionsOf } = await setUp('Question Union', 'qagainst.example.org');
  const ballot = (await org.json('POST', '/api/v1/ballots', ballotInput('Annual ballot', [ACCOUNTS, VENUE]))).body as {
    id: string;
    questions: Array<{ id: string; title: string }>;
  };
  const accounts = ballot.questions.find((q) => q.title === ACCOUNTS.title)!;
  // The office writes its case against its own question, as before.
  const statements = (qid: string) => `/api/v1/ballots/${ballot.id}/questions/${qid}/statements`;
  expect((await org.json('PUT', statements(accounts.id), { against: OFFICE })).body).toEqual({
    against: { text: OFFICE, author: 'office' },
  });

  // A member sees the office's questions on the draft, each open to a case against.
  const listed = await questionsOf(0);
  expect(listed.map((q) => [q.title, q.caseAgainstOpen])).toEqual([
    [ACCOUNTS.title, true],
    [VENUE.title, true],
  ]);
  const against = (i: number, qid: string, text: string) =>
    act(i, `/ballots/${ballot.id}/questions/${qid}/case-against`, { text });
  // Equal space: longer than a statement may be is refused, naming the field; an unknown question is 404.
  const long = await against(0, accounts.id, 'x'.repeat(2001));
  expect(long.status).toBe(422);
  expect(long.body.errors[0].path).toMatch(/text/);
  expect((await against(0, '00000000-0000-4000-8000-000000000000', FIRST)).status).toBe(404);

  // Two groups draft and start a case against the accounts (each writer its first supporter).
  const first = (await against(0, accounts.id, FIRST)).body.id as string;
  const second = (await against(2, accounts.id, SECOND)).body.id as string;
  expect((await act(0, `/proposals/${first}/start`)).body).toMatchObject({
    kind: 'against',
    parentId: null,
    stage: 'gathering',
    question: { ballotId: ballot.id, ballotTitle: 'Annual ballot', questionId: accounts.id, title: ACCOUNTS.title },
  });
  expect((await act(2, `/proposals/${second}/start`)).body.stage).toBe('gathering');
  // A member of the writer's branch signs: one branch, not yet.
  expect((await act(1, `/proposals/${first}/signatures`)).body.stage).toBe('gathering');

  // The office edits the draft while they gather: the cases follow their question (new ids) by its title.
  const edited = await org.json('PUT', `/api/v1/ballots/${ballot.id}`, ballotInput('Annual ballot', [VENUE, ACCOUNTS]));
  expect(edited.status).toBe(200);
  const moved = (edited.body.questions as Array<{ id: string; title: string }>).find(
    (q) => q.title === ACCOUNTS.title,
  )!;
  expect(moved.id).not.toBe(accounts.id);
  expect((await member().json('GET', `/api/v1/proposals/${first}/public`)).body.question).toMatchObject({
    questionId: moved.id,
    title: ACCOUNTS.title,
  });

  // A member of South signs the first: 2 branches, it qualifies and replaces the office's.
  expect((await act(3, `/proposals/${first}/signatures`)).body.stage).toBe('qualified');
  // Mailed to its writer and the organiser, nobody else (its supporters are known to no one).
  const told = await sql<{ recipient: string; why: string; answers: string }>`
    select recipient, payload->>'why' as why, payload->>'answers' as answers from mail_outbox
    where kind = 'case-against-qualified' and recipient like '%qagainst.example.org' order by recipient`.execute(
    app().db,
  );
  expect(told.rows).toEqual([
    {
      recipient: 'office@qagainst.example.org',
      why: 'you organise the ballot it goes on',
      answers: 'the question "Adopt the accounts?" on the ballot "Annual ballot"',
    },
    {
      recipient: 'q0@qagainst.example.org',
      why: 'you wrote it',
      answers: 'the question "Adopt the accounts?" on the ballot "Annual ballot"',
    },
  ]);
  const writerMail = await waitFor('the "case against has qualified" email to its writer', () =>
    smtp().received.find((m) => m.to[0] === 'q0@qagainst.example.org' && /case against has qualified/.test(m.raw)),
  );
  expect(unfolded(writerMail.raw)).toContain(`/proposals/${first}`);

  // The second gathers no more, and no third starts.
  const late = await act(4, `/proposals/${second}/signatures`);
  expect(late.status).toBe(409);
  expect(late.body.detail).toMatch(/already written the case against this question/);
  expect((await against(5, moved.id, 'A third view.')).status).toBe(409);
  expect((await questionsOf(5)).find((q) => q.title === ACCOUNTS.title)).toMatchObject({
    caseAgainstOpen: false,
    caseAgainst: { id: first, text: FIRST },
  });

  // The office cannot write over it nor remove it (403, logged); it still writes the case for its question.
  const over = await org.json('PUT', statements(moved.id), { against: 'The office insists.' });
  expect(over.status).toBe(403);
  expect(over.body.detail).toMatch(/the office cannot write over it or remove it/);
  expect((await org.json('PUT', statements(moved.id), { against: null })).status).toBe(403);
  expect((await org.json('PUT', statements(moved.id), { for: 'Adopt them.' })).body).toEqual({
    for: { text: 'Adopt them.', author: 'office' },
    against: { text: FIRST, author: 'members' },
  });
  // Nor reword or withdraw the case itself.
  expect((await org.json('PATCH', `/api/v1/proposals/${first}`, { text: 'Softer.' })).status).toBe(409);
  expect((await org.json('DELETE', `/api/v1/proposals/${first}`)).status).toBe(403);

  // Nor drop its question: rewording it, removing it, or deleting the draft is refused (409) and logged.
  const reworded = await org.json(
    'PUT',
    `/api/v1/ballots/${ballot.id}`,
    ballotInput('Annual ballot', [VENUE, { ...ACCOUNTS, description: 'The accounts, as corrected.' }]),
  );
  expect(reworded.status).toBe(409);
  expect(reworded.body.detail).toMatch(/"Adopt the accounts\?" carries the members' case against/);
  expect((await org.json('PUT', `/api/v1/ballots/${ballot.id}`, ballotInput('Annual ballot', [VENUE]))).status).toBe(
    409,
  );
  expect((await org.json('DELETE', `/api/v1/ballots/${ballot.id}`)).status).toBe(409);
  // An edit that keeps the question word for word keeps the case (here the ballot's title and the other question change).
  const kept = await org.json(
    'PUT',
    `/api/v1/ballots/${ballot.id}`,
    ballotInput('The annual ballot', [ACCOUNTS, { ...VENUE, options: [{ label: 'Leeds' }, { label: 'Hull' }] }]),
  );
  expect(kept.status).toBe(200);
  const accountsNow = (kept.body.questions as Array<{ id: string; title: string }>).find(
    (q) => q.title === ACCOUNTS.title,
  )!;
  expect((await org.json('PUT', statements(accountsNow.id), { for: 'Adopt them.' })).body.against).toEqual({
    text: FIRST,
    author: 'members',
  });
  const log = (await org.json('GET', '/api/v1/audit-log')).body.entries as Array<{
    action: string;
    subject: string;
    details: Record<string, unknown>;
  }>;
  expect(log.filter((e) => e.action === 'statement.against-refused')).toHaveLength(2);
  expect(
    log.filter((e) => e.action === 'case-against.drop-refused' && e.subject === first).map((e) => e.details.asked),
  ).toEqual(expect.arrayContaining(['changed', 'removed', 'ballot deleted']));
  expect(log.find((e) => e.action === 'proposal.start' && e.subject === first)?.details).toMatchObject({
    againstQuestion: { ballotId: ballot.id, title: ACCOUNTS.title },
  });

  // The public page says what it answers.
  const pub = await (await member().request('GET', `/proposals/${first}`)).text();
  expect(pub).toContain('A members’ case against the question “Adopt the accounts?” on the ballot “The annual ballot”');
  expect(pub).toContain(FIRST);

  // Opened: nothing more is written or signed; the invitation and the voting page give the members' case against.
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  const venueNow = (kept.body.questions as Array<{ id: string; title: string }>).find((q) => q.title === VENUE.title)!;
  const afterOpen = await against(5, venueNow.id, 'Too late.');
  expect(afterOpen.status).toBe(409);
  expect(afterOpen.body.detail).toMatch(/has opened/);
  expect(await questionsOf(5)).toEqual([]);
  const invitation = await waitFor('the invitation to member 5', () =>
    smtp().received.find(
      (m) => m.to[0] === 'q5@qagainst.example.org' && /The case for and against/.test(unfolded(m.raw)),
    ),
  );
  expect(unfolded(invitation.raw)).toContain('The case against (written by a group of members)');
  expect(unfolded(invitation.raw)).not.toContain(OFFICE);
  const voters = await tokensOf(app().db, ballot.id, SECRET);
  const paper = await (await member().request('GET', `/v/${voters[0]!.token}`)).text();
  expect(paper).toContain(FIRST);
  expect(paper).not.toContain(OFFICE);

  // The election record: V21 finds the case against among the statements the ballot opened with.
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/close`)).status).toBe(204);
  const record = (await org.json('GET', `/api/v1/ballots/${ballot.id}/record`)).body;
  const v21 = (r: unknown) => verifyRecord(r).checks.find((c) => c.id === 'V21')!;
  expect(verifyRecord(record).checks.filter((c) => c.verdict === 'FAIL')).toEqual([]);
  expect(v21(record)).toMatchObject({
    verdict: 'PASS',
    summary: expect.stringMatching(/1 members' case against on it as qualified/),
  });
  // Had the ballot opened with the office's text in its place, V21 fails.
  const replaced = structuredClone(record);
  const opened = replaced.auditLog.find(
    (e: { action: string; subject: string }) => e.action === 'ballot.statements' && e.subject === ballot.id,
  );
  const membersCase = opened.details.statements.find((s: { side: string; caseAgainst?: string }) => s.caseAgainst);
  Object.assign(membersCase, { author: 'office', textHash: 'ab'.repeat(32), caseAgainst: undefined });
  expect(v21(replaced)).toMatchObject({ verdict: 'FAIL' });
  expect(v21(replaced).problems.join(' ')).toMatch(/opened without it/);
});

test("a case against still gathering goes with its question; one dropped below the service fails the record's V21", async () => {
  const { org, member, act, questionsOf } = await setUp('Dropped Union', 'qdropped.example.org');
  const ballot = (await org.json('POST', '/api/v1/ballots', ballotInput('Spring ballot', [ACCOUNTS, VENUE]))).body as {
    id: string;
    questions: Array<{ id: string; title: string }>;
  };
  const venue = ballot.questions.find((q) => q.title === VENUE.title);
  const draft = (i: number, qid: string, text: string) =>
    act(i, `/ballots/${ballot.id}/questions/${qid}/case-against`, { text });

  // A case against the venue, still gathering, does not hold the office's question: the office may drop it.
  // A member of another organisation does not reach this organisation's ballot.
  const stranger = await setUp('Stranger Union', 'qstranger.example.org');
  expect(
    (
      await stranger.act(0, `/ballots/${ballot.id}/questions/${venue!.id}/case-against`, {
        text: 'Not ours to answer.',
      })
    ).status,
  ).toBe(404);
  expect(await stranger.questionsOf(0)).toEqual([]);
  const gathering = (await draft(0, venue!.id, 'York is too far for the South.')).body.id as string;
  expect((await act(0, `/proposals/${gathering}/start`)).status).toBe(200);
  expect((await org.json('PUT', `/api/v1/ballots/${ballot.id}`, ballotInput('Spring ballot', [ACCOUNTS]))).status).toBe(
    200,
  );
  const gone = await act(2, `/proposals/${gathering}/signatures`);
  expect(gone.status).toBe(409);
  expect(gone.body.detail).toMatch(/no longer on its draft ballot/);
  expect((await member().json('GET', `/api/v1/proposals/${gathering}/public`)).body.question).toEqual({
    ballotId: ballot.id,
    ballotTitle: 'Spring ballot',
    questionId: null,
    title: null,
  });
  expect((await questionsOf(0)).map((q) => q.title)).toEqual([ACCOUNTS.title]);

  // A case against the accounts qualifies; then someone with the database's keys unhooks it from its
  // question (no service does): the office's case against stands at open, and the record's V21 fails.
  const accountsNow = (await questionsOf(0))[0]!;
  await org.json('PUT', `/api/v1/ballots/${ballot.id}/questions/${accountsNow.questionId}/statements`, {
    against: OFFICE,
  });
  const qualified = (await draft(1, accountsNow.questionId, FIRST)).body.id as string;
  expect((await act(1, `/proposals/${qualified}/start`)).status).toBe(200);
  expect((await act(4, `/proposals/${qualified}/signatures`)).body.stage).toBe('qualified');
  // The trigger keeps a started case on its ballot, whoever writes.
  const other = (await org.json('POST', '/api/v1/ballots', ballotInput('Another ballot', [VENUE]))).body as {
    id: string;
  };
  await expect(
    sql`update proposals set question_ballot_id = ${other.id} where id = ${qualified}`.execute(app().db),
  ).rejects.toThrow(/answers the ballot it started on/);
  await sql`update proposals set question_id = null where id = ${qualified}`.execute(app().db);
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/close`)).status).toBe(204);
  const record = (await org.json('GET', `/api/v1/ballots/${ballot.id}/record`)).body;
  const v21 = verifyRecord(record).checks.find((c) => c.id === 'V21')!;
  expect(v21.verdict).toBe('FAIL');
  expect(v21.problems.join(' ')).toMatch(
    new RegExp(`case against ${qualified}: it qualified, and the ballot opened without it`),
  );
  // The rest of the record holds: only V21 fails.
  expect(
    verifyRecord(record)
      .checks.filter((c) => c.verdict === 'FAIL')
      .map((c) => c.id),
  ).toEqual(['V21']);
});

test("only the members a ballot's eligibility rule includes see its questions and write or support a case against them", async () => {
  const { org, member, act, questionsOf, tokens } = await setUp('Eligible Union', 'qeligible.example.org');
  // Members 0 and 1 are in North, 2 and 3 in South, 4 and 5 in East.
  const northSouth = (
    await org.json('POST', '/api/v1/ballots', {
      ...ballotInput('North and South ballot', [ACCOUNTS]),
      eligibility: { branches: ['North', 'South'] },
    })
  ).body as { id: string; questions: Array<{ id: string }> };
  const everyone = (await org.json('POST', '/api/v1/ballots', ballotInput('Whole ballot', [VENUE]))).body as {
    id: string;
  };
  const accounts = northSouth.questions[0]!.id;
  const titles = async (i: number) => (await questionsOf(i)).map((q) => [q.ballotId, q.title]);

  // East's members are not on the North and South ballot: they are shown only the whole membership's question.
  expect(await titles(4)).toEqual([[everyone.id, VENUE.title]]);
  expect((await titles(0)).sort()).toEqual(
    [
      [northSouth.id, ACCOUNTS.title],
      [everyone.id, VENUE.title],
    ].sort(),
  );
  const draft = (i: number, text: string) =>
    act(i, `/ballots/${northSouth.id}/questions/${accounts}/case-against`, { text });
  // Drafting one anyway is refused, saying why; nothing is written.
  const outsider = await draft(4, 'East has a view too.');
  expect(outsider.status).toBe(403);
  expect(outsider.body.detail).toBe(
    'only members of the branches North, South may vote on the ballot “North and South ballot”, so only they may write or support a case against its questions, and you are not among them',
  );
  const count = async () =>
    Number(
      (
        await sql<{
          n: string;
        }>`select count(*) as n from proposals where question_ballot_id = ${northSouth.id}`.execute(app().db)
      ).rows[0]!.n,
    );
  expect(await count()).toBe(0);

  // North writes one and starts it; East cannot support it (403, its page says why), South can.
  const first = (await draft(0, FIRST)).body.id as string;
  expect((await act(0, `/proposals/${first}/start`)).body.stage).toBe('gathering');
  const refused = await act(5, `/proposals/${first}/signatures`);
  expect(refused.status).toBe(403);
  expect(refused.body.detail).toMatch(/only members of the branches North, South may vote/);
  const eastPage = await (await member().request('GET', `/p/${tokens[5]}`)).text();
  expect(eastPage).toContain('You cannot support it: only members of the branches North, South may vote');
  expect(eastPage).not.toContain('Support “The case against”');
  // The case is public, so its page names the question it answers; the question is not offered to East to answer.
  expect(eastPage).toContain('A members’ case against the question “Adopt the accounts?”');
  expect(eastPage).not.toContain('<h3>Adopt the accounts?</h3>');
  expect(eastPage).toContain(`<h3>${VENUE.title}</h3>`);
  // Member 2 of South drafts a second case; then the office narrows the ballot to North (the question kept word for word).
  const second = (await draft(2, SECOND)).body.id as string;
  const narrowed = await org.json('PUT', `/api/v1/ballots/${northSouth.id}`, {
    ...ballotInput('North and South ballot', [ACCOUNTS]),
    eligibility: { branches: ['North'] },
  });
  expect(narrowed.status).toBe(200);
  // South's member may start theirs no more, nor support the first; the first's proposer sees it as before.
  const start = await act(2, `/proposals/${second}/start`);
  expect(start.status).toBe(403);
  expect(start.body.detail).toMatch(/only members of the branch North may vote/);
  expect((await act(3, `/proposals/${first}/signatures`)).status).toBe(403);
  expect((await questionsOf(3)).map((q) => q.title)).toEqual([VENUE.title]);
  // North's member 1 still supports it.
  const signed = await act(1, `/proposals/${first}/signatures`);
  expect(signed.status).toBe(201);
  expect(signed.body).toMatchObject({ stage: 'gathering', supporters: 2, outside: null });
  const log = (await org.json('GET', '/api/v1/audit-log')).body.entries as Array<{ action: string; subject: string }>;
  expect(log.filter((e) => e.action === 'proposal.start' && e.subject === second)).toEqual([]);
});

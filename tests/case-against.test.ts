import { sql } from 'kysely';
import { verifyRecord } from '@omov/core/record/verify';
import { Keyring } from '../src/platform/secrets';
import { LINK_PURPOSE } from '../src/services/invitations';
import { appWithSmtpPerFile, ballotTimes, Client, proposalLinkOf, setUpOrganisation } from './support/app';
import { waitFor } from './support/smtp';

/**
 * The members' case against (docs/proposals.md, "The case for and the case against"), over
 * HTTP with real PostgreSQL and SMTP: the office writes a case against a member proposal's
 * question; two groups of members draft their own, and the first to gather the proposal's
 * support (supporters in 2 branches) becomes the case against, in place of the office's;
 * the second can gather no more, and no third starts. Neither side writes over the other:
 * the office's attempt (through the statements route, a rewording, a direct UPDATE) is
 * refused and logged; the proposer cannot write a case against, and the case against's
 * writers cannot write the case for. The invitation and the voting page show the members'.
 */
const { app, smtp } = appWithSmtpPerFile();

const SECRET = 'test-secret-0123456789-0123456789-abcdef'; // startTestApp's
const BRANCHES = ['North', 'South', 'East'];
const ROLL = [
  'email,name,branch',
  ...Array.from({ length: 6 }, (_, i) => `m${i}@against.example.org,Member ${i},${BRANCHES[Math.floor(i / 2)]}`),
].join('\n');
const FOR = 'Members in hardship keep their vote and their cover.';
const OFFICE = 'The office says: the budget cannot carry it.';
const FIRST = 'A dues holiday for some is a dues rise for the rest: the branches lose a tenth of their income.';
const SECOND = 'Hardship is already covered by the branch funds.';

test("the first members' case against to gather the support stands; neither side writes over the other", async () => {
  const org = await setUpOrganisation(app(), 'Against Union', 'office@against.example.org');
  expect((await org.json('POST', '/api/v1/roll/import', ROLL, { 'content-type': 'text/csv' })).status).toBe(200);
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
    .where('email', 'like', '%@against.example.org')
    .orderBy('email')
    .execute();
  const tokens = await Promise.all(rows.map((r) => proposalLinkOf(app().db, r)));
  const member = () => new Client(app().url);
  const act = (i: number, path: string, body: Record<string, unknown> = {}) =>
    member().json('POST', `/api/v1/member/proposals${path}`, { token: tokens[i], ...body });

  // Member 0 (North) proposes; member 2 (South) signs: it qualifies. The proposer writes the case for.
  const { id } = (
    await act(0, '', {
      proposal: { kind: 'motion', title: 'A dues holiday', text: 'Members in hardship pay no dues for a year.' },
    })
  ).body as { id: string };
  expect((await act(0, `/${id}/start`)).body.stage).toBe('gathering');
  expect((await act(2, `/${id}/signatures`)).body).toMatchObject({ stage: 'qualified', caseAgainstOpen: true });
  expect(
    (await member().json('PUT', `/api/v1/member/proposals/${id}/case-for`, { token: tokens[0], text: FOR })).status,
  ).toBe(200);
  // The proposer cannot write the case against.
  const own = await act(0, `/${id}/case-against`, { text: 'Against myself.' });
  expect(own.status).toBe(403);
  expect(own.body.detail).toMatch(/the proposer writes the case for/);
  // Equal space: longer than the case for may be is refused, naming the field.
  const long = await act(1, `/${id}/case-against`, { text: 'x'.repeat(2001) });
  expect(long.status).toBe(422);
  expect(long.body.errors[0].path).toMatch(/text/);

  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Dues ballot',
      ...ballotTimes(),
      questions: [{ title: 'Adopt the accounts?', method: 'yesno' }],
    })
  ).body as { id: string };
  expect((await org.json('POST', `/api/v1/proposals/${id}/schedule`, { ballotId: ballot.id })).status).toBe(200);
  const q = (
    (await org.json('GET', `/api/v1/ballots/${ballot.id}`)).body.questions as Array<{ id: string; title: string }>
  ).find((x) => x.title === 'A dues holiday')!;
  const statements = `/api/v1/ballots/${ballot.id}/questions/${q.id}/statements`;
  // Until members' own qualifies, the office's case against stands.
  expect((await org.json('PUT', statements, { against: OFFICE })).body).toEqual({
    for: { text: FOR, author: 'proposers' },
    against: { text: OFFICE, author: 'office' },
  });

  // Two groups draft a case against; both start (each writer its first supporter).
  const first = (await act(1, `/${id}/case-against`, { text: FIRST })).body.id as string;
  const second = (await act(3, `/${id}/case-against`, { text: SECOND })).body.id as string;
  expect((await act(1, `/${first}/start`)).body).toMatchObject({ kind: 'against', parentId: id, stage: 'gathering' });
  expect((await act(3, `/${second}/start`)).body).toMatchObject({ kind: 'against', stage: 'gathering' });
  // The second gets a supporter in East (its writer is in South): 2 branches, it qualifies first.
  expect((await act(4, `/${second}/signatures`)).body.stage).toBe('qualified');
  // Its writer, the proposer and the organiser are mailed that it qualified; its supporter (member 4) is known to no one.
  const told = await sql<{ recipient: string; why: string }>`
    select recipient, payload->>'why' as why from mail_outbox
    where kind = 'case-against-qualified' and recipient like '%@against.example.org' order by recipient`.execute(
    app().db,
  );
  expect(told.rows).toEqual([
    { recipient: 'm0@against.example.org', why: 'you proposed what it answers' },
    { recipient: 'm3@against.example.org', why: 'you wrote it' },
    { recipient: 'office@against.example.org', why: 'you organise the ballot it goes on' },
  ]);
  const writerMail = await waitFor('the "case against has qualified" email to its writer', () =>
    smtp().received.find((m) => m.to[0] === 'm3@against.example.org' && /case against has qualified/.test(m.raw)),
  );
  expect(writerMail.raw.replace(/=\r?\n/g, '')).toContain(
    `A members' case against the members' proposal "A dues holiday"`,
  );
  // The first can gather no more, and no third case against starts.
  const late = await act(5, `/${first}/signatures`);
  expect(late.status).toBe(409);
  expect(late.body.detail).toMatch(/already written the case against/);
  expect((await act(2, `/${id}/case-against`, { text: 'A third view.' })).status).toBe(409);

  // The members' case against replaces the office's; the public page says so.
  expect((await org.json('GET', `/api/v1/proposals/${id}/public`)).body).toMatchObject({
    caseAgainst: { id: second, text: SECOND },
    caseAgainstOpen: false,
  });
  const pub = await (await member().request('GET', `/proposals/${id}`)).text();
  expect(pub).toContain('The members’ case against');
  expect(pub).toContain(SECOND);

  // The office cannot write over it: refused and logged; nor reword it; nor can anyone write to its row.
  const over = await org.json('PUT', statements, { against: 'The office insists.' });
  expect(over.status).toBe(403);
  expect(over.body.detail).toMatch(/the office cannot write over it/);
  expect((await org.json('PUT', statements, { against: null })).status).toBe(403);
  expect((await org.json('PATCH', `/api/v1/proposals/${second}`, { text: 'Softer.' })).status).toBe(409);
  await expect(sql`update proposals set text = 'Softer.' where id = ${second}`.execute(app().db)).rejects.toThrow(
    /wording cannot change/,
  );
  const log = (await org.json('GET', '/api/v1/audit-log')).body.entries as Array<{ action: string; subject: string }>;
  expect(log.filter((e) => e.action === 'statement.against-refused')).toHaveLength(2);
  expect(log.some((e) => e.action === 'proposal.reword-refused' && e.subject === second)).toBe(true);
  // The case against's writer cannot write the case for, of the proposal or of their own text.
  for (const target of [id, second])
    expect(
      (await member().json('PUT', `/api/v1/member/proposals/${target}/case-for`, { token: tokens[3], text: 'Mine.' }))
        .status,
    ).toBe(403);
  // Nor can the case against be put on a ballot as a question.
  expect((await org.json('POST', `/api/v1/proposals/${second}/schedule`, { ballotId: ballot.id })).status).toBe(409);

  // Opened: the invitation and the voting page give the members' case against, not the office's.
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  const invitation = await waitFor('the invitation to member 5', () =>
    smtp().received.find(
      (m) => m.to[0] === 'm5@against.example.org' && /The case for and against/.test(m.raw.replace(/=\r?\n/g, '')),
    ),
  );
  const mail = invitation.raw.replace(/=\r?\n/g, '');
  expect(mail).toContain('The case against (written by a group of members)');
  expect(mail).not.toContain('The office says');
  const keys = new Keyring(SECRET);
  const sealed = await app()
    .db.selectFrom('voting_tokens')
    .select('sealed_token')
    .where('ballot_id', '=', ballot.id)
    .executeTakeFirstOrThrow();
  const paper = await (await member().request('GET', `/v/${keys.open(LINK_PURPOSE, sealed.sealed_token!)}`)).text();
  expect(paper).toContain(SECOND);
  expect(paper).toContain(FOR);
  expect(paper).not.toContain(OFFICE);

  // The election record's V21: the members' case against is the one the ballot opened with.
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/close`)).status).toBe(204);
  const record = (await org.json('GET', `/api/v1/ballots/${ballot.id}/record`)).body;
  expect(verifyRecord(record).checks.find((c) => c.id === 'V21')).toMatchObject({
    verdict: 'PASS',
    summary: expect.stringMatching(/^1 member proposal on the ballot .*; 1 members' case against on it as qualified$/),
  });
});

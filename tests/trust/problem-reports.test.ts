import crypto from 'node:crypto';
import { sql } from 'kysely';
import { Keyring } from '../../src/platform/secrets';
import { LINK_PURPOSE } from '../../src/services/invitations';
import { appWithSmtpPerFile, ballotTimes, Client, joinByInvitation, setUpOrganisation } from '../support/app';
import { waitFor } from '../support/smtp';

/**
 * "Report a problem" reaches the auditors, not only the office: a member with no sign-in
 * and no voting link reports from the board's link; every auditor of the ballot (of the
 * organisation, or of that ballot) is mailed the text, an auditor of another ballot is not;
 * the audit log holds the text's hash and the board counts it; when the office deletes the
 * kept report, the auditors' listing names the log entry left without it. The text rule and
 * the rate limit hold, and the pages a member meets when something is wrong lead there.
 */
const { app, smtp } = appWithSmtpPerFile();

const csrfOf = (page: string) => /name="csrf" value="([^"]+)"/.exec(page)![1]!;
const sha256 = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest('hex');
const unfolded = (raw: string) => raw.replace(/=\r?\n/g, '');

async function openBallot(org: Client, title: string) {
  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title,
      ...ballotTimes(),
      questions: [{ title: 'Agree?', method: 'yesno' }],
    })
  ).body as { id: string; questions: Array<{ id: string }> };
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  return ballot;
}

test('a report goes to every auditor of the ballot, is logged and counted, and cannot quietly disappear', async () => {
  const org = await setUpOrganisation(app(), 'Reporting Union');
  const csv = ['email,name,branch', ...Array.from({ length: 4 }, (_, i) => `r${i}@example.org,Member ${i},North`)];
  expect((await org.json('POST', '/api/v1/roll/import', csv.join('\n'), { 'content-type': 'text/csv' })).status).toBe(
    200,
  );
  const ballot = await openBallot(org, 'Reported');
  const other = await openBallot(org, 'Other');
  const auditor = await joinByInvitation(app(), smtp(), org, { role: 'auditor' }, 'all-ballots@example.org');
  await joinByInvitation(app(), smtp(), org, { role: 'auditor', ballotId: ballot.id }, 'this-ballot@example.org');
  await joinByInvitation(app(), smtp(), org, { role: 'auditor', ballotId: other.id }, 'other-ballot@example.org');

  // One member votes; their link now says "already used", and it points to the report form.
  const keys = new Keyring('test-secret-0123456789-0123456789-abcdef');
  const tokens = await app()
    .db.selectFrom('voting_tokens')
    .select('sealed_token')
    .where('ballot_id', '=', ballot.id)
    .execute();
  const token = keys.open(LINK_PURPOSE, tokens[0]!.sealed_token!);
  const member = new Client(app().url);
  expect(
    (
      await member.json('POST', '/api/v1/vote', {
        token,
        answers: { [ballot.questions[0]!.id]: { kind: 'choice', option: 0 } },
      })
    ).status,
  ).toBe(201);
  const used = await member.request('GET', `/v/${token}`);
  expect(used.status).toBe(409);
  expect(await used.text()).toContain(`href="/report/${ballot.id}"`);
  const unknown = await member.request('GET', `/v/${'x'.repeat(43)}`);
  expect(unknown.status).toBe(404);
  expect(await unknown.text()).toContain('href="/report"');

  // While the ballot is open, the board shows the committed electorate, how to check, and where to report.
  const boardPage = await (await member.request('GET', `/board/${ballot.id}`)).text();
  expect(boardPage).toMatch(/<td>North<\/td><td>4<\/td>/);
  expect(boardPage).toContain(`href="/report/${ballot.id}"`);
  expect(boardPage).toContain('0 problems have been reported to the auditors.');

  // A stranger to the server (no session, no link) reports, giving the board's address.
  const reporter = new Client(app().url);
  const form = await (await reporter.request('GET', '/report')).text();
  expect(form).not.toMatch(/name="token"/);
  const text = 'My link says "already used", but I have not voted.\nAnn <ann@example.org>';
  const sent = await reporter.form('/report', [
    ['csrf', csrfOf(form)],
    ['ballot', `${app().url}/board/${ballot.id}`],
    ['text', text],
  ]);
  expect(sent.status).toBe(202);
  expect(sent.text).toContain('sent to the ballot’s auditors');

  // Every auditor of this ballot is mailed the text; the auditor of another ballot is not.
  for (const to of ['all-ballots@example.org', 'this-ballot@example.org']) {
    const mail = await waitFor(`the report to ${to}`, () =>
      smtp().received.find((m) => m.to[0] === to && /reported a problem/.test(m.raw)),
    );
    expect(unfolded(mail.raw)).toContain('I have not voted.');
    expect(unfolded(mail.raw)).toContain(sha256(text));
  }
  const queued = await sql<{ recipient: string }>`
    select recipient from mail_outbox where kind = 'problem-report' order by recipient`.execute(app().db);
  expect(queued.rows.map((r) => r.recipient)).toEqual(['all-ballots@example.org', 'this-ballot@example.org']);

  // The audit log holds the text's hash, nothing about the sender; the board counts the report.
  const log = (await auditor.json('GET', '/api/v1/audit-log')).body.entries as Array<{
    position: number;
    action: string;
    actor: string;
    subject: string;
    details: Record<string, unknown>;
  }>;
  const entry = log.find((e) => e.action === 'problem.reported')!;
  expect(entry.subject).toBe(ballot.id);
  expect(entry.actor).toBe('system:member-report');
  expect(Object.keys(entry.details).sort()).toEqual(['report', 'textHash']);
  expect(entry.details.textHash).toBe(sha256(text));
  const board = (await member.json('GET', `/api/v1/ballots/${ballot.id}/board`)).body;
  expect(board).toMatchObject({ closed: false, problemReports: 1, receipts: [], boxRoot: null });
  expect((await member.json('GET', `/api/v1/ballots/${other.id}/board`)).body.problemReports).toBe(0);

  // The auditors read it.
  const listed = (await auditor.json('GET', `/api/v1/ballots/${ballot.id}/problem-reports`)).body;
  expect(listed.reports).toHaveLength(1);
  expect(listed.reports[0]).toMatchObject({ text, intact: true, logEntry: entry.position });
  expect(listed).toMatchObject({ logged: 1, missingFromStore: [] });

  // The office deletes the kept report: the log still counts it, and the listing names the entry left alone.
  await sql`delete from problem_reports where ballot_id = ${ballot.id}`.execute(app().db);
  const after = (await auditor.json('GET', `/api/v1/ballots/${ballot.id}/problem-reports`)).body;
  expect(after).toMatchObject({ reports: [], logged: 1, missingFromStore: [entry.position] });
  expect((await member.json('GET', `/api/v1/ballots/${ballot.id}/board`)).body.problemReports).toBe(1);
  // And the log entry itself cannot be deleted by the application's statements.
  await expect(sql`delete from audit_log where action = 'problem.reported'`.execute(app().db)).rejects.toThrow();
});

test('reports keep the text rule, name no ballot that does not exist, and are rate-limited', async () => {
  const org = await setUpOrganisation(app(), 'Limited Union');
  expect(
    (
      await org.json('POST', '/api/v1/roll/import', 'email,name,branch\nl0@example.org,L,B', {
        'content-type': 'text/csv',
      })
    ).status,
  ).toBe(200);
  const ballot = await openBallot(org, 'Limited');
  const draft = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Draft',
      ...ballotTimes(),
      questions: [{ title: 'Agree?', method: 'yesno' }],
    })
  ).body as { id: string };
  // Each from its own address, as a proxy would forward it, so that the limit below is this test's alone.
  const reporter = new Client(app().url);
  const headers = { 'x-forwarded-for': '203.0.113.9' };
  const form = await (await reporter.request('GET', `/report/${ballot.id}`, undefined, headers)).text();
  expect(form).toContain('About the ballot: Limited');
  const post = async (fields: Array<[string, string]>) => {
    const res = await reporter.request('POST', '/report', new URLSearchParams(fields).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      ...headers,
    });
    return { status: res.status, text: await res.text() };
  };
  const csrf = csrfOf(form);
  expect((await reporter.request('GET', `/report/${draft.id}`)).status).toBe(404);
  expect(
    (
      await post([
        ['csrf', csrf],
        ['ballot', draft.id],
        ['text', 'x'],
      ])
    ).status,
  ).toBe(422);
  expect(
    (
      await post([
        ['csrf', csrf],
        ['ballot', 'not a ballot'],
        ['text', 'x'],
      ])
    ).status,
  ).toBe(422);
  const empty = await post([
    ['csrf', csrf],
    ['ballot', ballot.id],
    ['text', '   '],
  ]);
  expect(empty.status).toBe(422);
  expect(empty.text).toContain('say what went wrong');
  const nul = await post([
    ['csrf', csrf],
    ['ballot', ballot.id],
    ['text', 'a\u0000b'],
  ]);
  expect(nul.status).toBe(422);
  expect(nul.text).toContain('NUL');
  expect(
    (
      await post([
        ['ballot', ballot.id],
        ['text', 'no form token'],
      ])
    ).status,
  ).toBe(403);
  const tooLong = await post([
    ['csrf', csrf],
    ['ballot', ballot.id],
    ['text', 'x'.repeat(4001)],
  ]);
  expect(tooLong.status).toBe(422);
  const counted = await sql<{ n: number }>`select count(*)::int as n from problem_reports`.execute(app().db);
  // Five reports an hour from one address; the sixth is refused and kept nowhere.
  for (let i = 0; i < 5; i++)
    expect(
      (
        await post([
          ['csrf', csrf],
          ['ballot', ballot.id],
          ['text', `report ${i}`],
        ])
      ).status,
    ).toBe(202);
  const sixth = await post([
    ['csrf', csrf],
    ['ballot', ballot.id],
    ['text', 'report 5'],
  ]);
  expect(sixth.status).toBe(429);
  const now = await sql<{ n: number }>`select count(*)::int as n from problem_reports`.execute(app().db);
  expect(now.rows[0]!.n - counted.rows[0]!.n).toBe(5);
});

import { sql } from 'kysely';
import { appWithSmtpPerFile, ballotTimes, Client, proposalLinkOf, setUpOrganisation } from './support/app';
import { waitFor } from './support/smtp';

/**
 * Amendments tabled by a branch through its secretary (docs/proposals.md#amendments), over
 * HTTP with real PostgreSQL and SMTP: a members' motion qualifies and its amendment period
 * opens; the organiser names York's secretary, who is mailed their /s/ link; from the page
 * (a form posted without JavaScript) the secretary tables an amendment for the branch (an
 * empty title first, refused on the page); it starts at once with no supporter, and needs
 * members' signatures with the same threshold as a member's amendment (supporters in 2
 * branches). Once it qualifies, the secretary, the motion's proposer and the organiser are
 * mailed. The office cannot reword it, and the database refuses a change of its branch.
 * Scheduled, the motion's ranked question carries it as a variant, word for word.
 */
const { app, smtp } = appWithSmtpPerFile();

const unfolded = (raw: string) => raw.replace(/=\r?\n/g, '');
const BRANCHES = ['North', 'South', 'York'];
const ROLL = [
  'email,name,branch',
  ...Array.from({ length: 6 }, (_, i) => `b${i}@branch.example.org,Member ${i},${BRANCHES[Math.floor(i / 2)]}`),
].join('\n');
const TEXT = 'Conference sets the dues at 1% of income, and at half that for students.';

test('a branch secretary tables an amendment for the branch; members support it; it qualifies and goes on the ballot', async () => {
  const org = await setUpOrganisation(app(), 'Branch Amending Union', 'office@branch.example.org');
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
  const rows = await app()
    .db.selectFrom('members')
    .select(['id', 'organisation_id'])
    .where('email', 'like', '%@branch.example.org')
    .orderBy('email')
    .execute();
  const tokens = await Promise.all(rows.map((r) => proposalLinkOf(app().db, r)));
  const member = () => new Client(app().url);
  const act = (i: number, path: string, body: Record<string, unknown> = {}) =>
    member().json('POST', `/api/v1/member/proposals${path}`, { token: tokens[i], ...body });

  // The York secretary, named before any motion takes amendments: the page says none does.
  const email = 'secretary-york@branch.example.org';
  expect(
    (await org.json('PUT', '/api/v1/branch-secretaries', { branch: 'York', name: 'Yan Secretary', email })).status,
  ).toBe(200);
  const mail = await waitFor('the secretary link', () => smtp().received.find((m) => m.to[0] === email));
  const link = /\/s\/([A-Za-z0-9_-]{43})/.exec(unfolded(mail.raw))![1]!;
  const secretary = new Client(app().url);
  expect(await (await secretary.request('GET', `/s/${link}`)).text()).toContain('No motion takes amendments now.');

  // The motion: member 0 (North) proposes, member 2 (South) signs; its amendment period opens.
  const { id: motion } = (
    await act(0, '', { proposal: { kind: 'motion', title: 'Set the dues', text: 'Conference sets the dues at 1%.' } })
  ).body as { id: string };
  await act(0, `/${motion}/start`);
  expect((await act(2, `/${motion}/signatures`)).body).toMatchObject({ stage: 'qualified', amendmentsOpen: true });

  // From the page: an empty title is refused on the page, then the amendment is tabled for York.
  const pageText = await (await secretary.request('GET', `/s/${link}`)).text();
  expect(pageText).toContain('Table an amendment to “Set the dues” for York branch');
  const csrf = /name="csrf" value="([^"]+)"/.exec(pageText)![1]!;
  const form = (title: string) =>
    secretary.form(`/s/${link}`, [
      ['csrf', csrf],
      ['action', 'amend'],
      ['motion', motion],
      ['amendmentTitle', title],
      ['amendmentText', TEXT],
    ]);
  const empty = await form(' ');
  expect(empty.status).toBe(422);
  expect(empty.text).toContain('The amendment’s title');
  const tabled = await form('Students pay half');
  expect(tabled.status).toBe(201);
  expect(tabled.text).toContain('Tabled for the branch: “Students pay half”');
  // Through the API: a bad link is 404; a motion of no amendment period 409 (the amendment itself).
  const api = (token: string, motionId: string) =>
    member().json('POST', '/api/v1/secretary/amendments', {
      token,
      motionId,
      amendment: { title: 'Another', text: 'Other text.' },
    });
  expect((await api('A'.repeat(43), motion)).status).toBe(404);

  const [amendment] = (await org.json('GET', '/api/v1/proposals')).body.filter(
    (p: { kind: string }) => p.kind === 'amendment',
  ) as Array<{ id: string }>;
  expect((await api(link, amendment!.id)).status).toBe(409);
  const id = amendment!.id;
  // It started at once, tabled by York, with no supporter: the branch is not a member.
  expect((await member().json('GET', `/api/v1/proposals/${id}/public`)).body).toMatchObject({
    kind: 'amendment',
    parentId: motion,
    tabledBy: 'York',
    stage: 'gathering',
    supporters: 0,
  });
  expect(await (await member().request('GET', `/proposals/${id}`)).text()).toContain(
    'Tabled by York branch, through its secretary.',
  );
  // The office cannot reword it; nobody can change whose it is.
  expect((await org.json('PATCH', `/api/v1/proposals/${id}`, { text: 'Softer.' })).status).toBe(409);
  await expect(sql`update proposals set branch_id = null where id = ${id}`.execute(app().db)).rejects.toThrow();

  // Members support it: York (member 4), then North (member 1) brings it to 2 branches.
  expect((await act(4, `/${id}/signatures`)).body.stage).toBe('gathering');
  expect((await act(1, `/${id}/signatures`)).body.stage).toBe('qualified');
  const told = await sql<{ recipient: string; why: string }>`
    select recipient, payload->>'why' as why from mail_outbox
    where kind = 'amendment-qualified' and payload->>'title' = 'Students pay half' order by recipient`.execute(
    app().db,
  );
  expect(told.rows).toEqual([
    { recipient: 'b0@branch.example.org', why: 'you proposed the motion' },
    { recipient: 'office@branch.example.org', why: 'you organise the ballot it goes on' },
    { recipient: email, why: 'you tabled it for the York branch' },
  ]);
  await waitFor('the "amendment has qualified" email to the secretary', () =>
    smtp().received.find((m) => m.to[0] === email && /amendment has qualified/.test(m.raw)),
  );
  const listed = await (await secretary.request('GET', `/s/${link}`)).text();
  expect(listed).toContain('Tabled by York branch');
  expect(listed).toMatch(/Students pay half<\/a>: 2 supporters in 2 branches \(qualified\)/);

  // After the period, scheduled: the branch's amendment is a variant of the ranked question, word for word.
  await sql`update proposals set amendments_close_at = now() - interval '1 second' where id = ${motion}`.execute(
    app().db,
  );
  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Dues ballot',
      ...ballotTimes(),
      questions: [{ title: 'Adopt the accounts?', method: 'yesno' }],
    })
  ).body as { id: string };
  expect((await org.json('POST', `/api/v1/proposals/${motion}/schedule`, { ballotId: ballot.id })).status).toBe(200);
  const q = (
    (await org.json('GET', `/api/v1/ballots/${ballot.id}`)).body.questions as Array<{
      title: string;
      options: Array<{ label: string; description: string }>;
    }>
  ).find((x) => x.title === 'Set the dues')!;
  expect(q.options[1]).toMatchObject({ label: 'Amendment 1: Students pay half', description: TEXT });
});

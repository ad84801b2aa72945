import { sql } from 'kysely';
import { appWithSmtpPerFile, ballotTimes, setUpOrganisation } from './support/app';
import { waitFor } from './support/smtp';
import { scaled } from './support/machine';

const { app, smtp } = appWithSmtpPerFile();

/** The emails of a ballot's electorate, as drawn in the database. */
const electorateOf = async (ballotId: string) =>
  (
    await app()
      .db.selectFrom('voting_tokens')
      .innerJoin('members', 'members.id', 'voting_tokens.member_id')
      .select('members.email')
      .where('ballot_id', '=', ballotId)
      .execute()
  )
    .map((w) => w.email)
    .sort();

const ROLL = [
  'email,name,branch,joined',
  'old.north@example.org,Old North,North,2019-01-01',
  'new.north@example.org,New North,North,2026-06-01',
  'old.south@example.org,Old South,South,2018-05-05',
  'undated@example.org,Undated,North,',
].join('\n');

test('eligibility by branch and by joining date decides the electorate', async () => {
  const org = await setUpOrganisation(app());
  await org.json('POST', '/api/v1/roll/import', ROLL, { 'content-type': 'text/csv' });
  const q = [{ title: 'Q', method: 'yesno' }];
  const north = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'North only',
      ...ballotTimes(),
      questions: q,
      eligibility: { branches: ['North'] },
    })
  ).body;
  expect((await org.json('POST', `/api/v1/ballots/${north.id}/open`)).body.electorate).toBe(3);
  const veterans = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Veterans',
      ...ballotTimes(),
      questions: q,
      eligibility: { joinedBefore: '2020-01-01' },
    })
  ).body;
  expect((await org.json('POST', `/api/v1/ballots/${veterans.id}/open`)).body.electorate).toBe(2);
  const both = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Both',
      ...ballotTimes(),
      questions: q,
      eligibility: { branches: ['North'], joinedBefore: '2020-01-01' },
    })
  ).body;
  expect((await org.json('POST', `/api/v1/ballots/${both.id}/open`)).body.electorate).toBe(1);
  expect(await electorateOf(both.id)).toEqual(['old.north@example.org']);
  // A member outside the rule cannot be added later either.
  const south = (await org.json('GET', '/api/v1/members?search=old.south')).body[0];
  const r = await org.json('POST', `/api/v1/ballots/${north.id}/electorate/${south.id}`);
  expect(r.status).toBe(409);
  expect(r.body.detail).toMatch(/eligibility/);
  // A rule nobody meets is refused at opening, naming the cause.
  const nobody = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Nobody',
      ...ballotTimes(),
      questions: q,
      // (A branch the roll does not have is refused when the ballot is saved: tests/branch-guards.test.ts.)
      eligibility: { branches: ['South'], joinedBefore: '2000-01-01' },
    })
  ).body;
  const refused = await org.json('POST', `/api/v1/ballots/${nobody.id}/open`);
  expect(refused.status).toBe(422);
  expect(refused.body.detail).toMatch(/eligibility/);
});

test("who may vote is decided once: a draft's count, the electorate drawn at opening and a member added later agree", async () => {
  const org = await setUpOrganisation(app());
  // Every branch with every kind of joining date, including the cut-off day itself and none.
  const grid = ['North', 'South', 'East'].flatMap((branch) =>
    ['2019-06-01', '2020-01-01', '2021-06-01', ''].map((joined, i) => ({
      email: `${branch.toLowerCase()}${i}@example.org`,
      branch,
      joined,
    })),
  );
  const csv = ['email,name,branch,joined', ...grid.map((m) => `${m.email},M,${m.branch},${m.joined}`)];
  await org.json('POST', '/api/v1/roll/import', [...csv, 'gone@example.org,Gone,North,2019-06-01'].join('\n'), {
    'content-type': 'text/csv',
  });
  const gone = (await org.json('GET', '/api/v1/members?search=gone@')).body[0];
  expect((await org.json('DELETE', `/api/v1/members/${gone.id}`)).status).toBe(204);
  const ids = new Map(
    ((await org.json('GET', '/api/v1/members?limit=100')).body as Array<{ id: string; email: string }>).map((m) => [
      m.email,
      m.id,
    ]),
  );
  expect(ids.size).toBe(grid.length);

  // The rule as the README states it, written out here independently of the code.
  type Rule = { branches?: string[]; joinedBefore?: string } | null;
  const meets = (rule: Rule, m: (typeof grid)[number]) =>
    (!rule?.branches || rule.branches.includes(m.branch)) &&
    (!rule?.joinedBefore || (m.joined !== '' && m.joined < rule.joinedBefore));
  const rules: Rule[] = [
    null,
    { branches: ['North', 'East'] },
    { joinedBefore: '2020-01-01' },
    { branches: ['South'], joinedBefore: '2021-01-01' },
  ];
  for (const rule of rules) {
    const expected = grid.filter((m) => meets(rule, m)).map((m) => m.email);
    const b = (
      await org.json('POST', '/api/v1/ballots', {
        title: `Rule ${JSON.stringify(rule)}`,
        ...ballotTimes(),
        questions: [{ title: 'Q', method: 'yesno' }],
        eligibility: rule,
      })
    ).body;
    const overview = await (await org.request('GET', `/ballots/${b.id}`)).text();
    expect(overview).toContain(`Open the ballot and email ${expected.length} members`);
    expect((await org.json('POST', `/api/v1/ballots/${b.id}/open`)).body.electorate).toBe(expected.length);
    expect(await electorateOf(b.id)).toEqual([...expected].sort());
    for (const m of grid) {
      const r = await org.json('POST', `/api/v1/ballots/${b.id}/electorate/${ids.get(m.email)}`);
      expect([m.email, r.status, r.body.detail]).toEqual([
        m.email,
        409,
        expected.includes(m.email)
          ? 'this member is already in the electorate'
          : "this member does not meet the ballot's eligibility rule",
      ]);
    }
    // A removed member is no longer a member: not drawn, not added.
    expect((await org.json('POST', `/api/v1/ballots/${b.id}/electorate/${gone.id}`)).status).toBe(404);
  }
});

test('invitations can wait for a set time', async () => {
  const org = await setUpOrganisation(app());
  await org.json('POST', '/api/v1/roll/import', 'email,name,branch\nlater@example.org,Later,B\n', {
    'content-type': 'text/csv',
  });
  const b = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Later',
      ...ballotTimes(180),
      questions: [{ title: 'Q', method: 'yesno' }],
    })
  ).body;
  const sendAt = new Date(Date.now() + 3600_000).toISOString();
  const opened = await org.json('POST', `/api/v1/ballots/${b.id}/open`, { sendAt });
  expect(opened.status).toBe(200);
  expect(new Date(opened.body.invitationsAt).toISOString()).toBe(sendAt);
  // Nothing is sent meanwhile (0.7 s on a quiet machine: the worker polls every 0.1 s).
  await new Promise((r) => setTimeout(r, scaled(700)));
  expect(smtp().received.find((m) => m.to[0] === 'later@example.org')).toBeUndefined();
  expect((await org.json('GET', `/api/v1/ballots/${b.id}/invitations`)).body.progress.invitation.queued).toBe(1);
  // The moment comes (moved forward in the database): the worker sends it.
  await sql`update mail_outbox set next_attempt_at = now() where ballot_id = ${b.id}`.execute(app().db);
  await waitFor('the invitation', () => smtp().received.find((m) => m.to[0] === 'later@example.org'));
  const late = await org.json(
    'POST',
    `/api/v1/ballots/${(await org.json('POST', '/api/v1/ballots', { title: 'Too late', ...ballotTimes(), questions: [{ title: 'Q', method: 'yesno' }] })).body.id}/open`,
    { sendAt: new Date(Date.now() + 7200_000 * 24).toISOString() },
  );
  expect(late.status).toBe(422);
  expect(late.body.errors[0].path).toBe('sendAt');
});

test('turnout over time is recorded as counts, minute by minute', async () => {
  const org = await setUpOrganisation(app());
  await org.json('POST', '/api/v1/roll/import', 'email,name,branch\nt1@example.org,T1,B\nt2@example.org,T2,B\n', {
    'content-type': 'text/csv',
  });
  const b = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Over time',
      ...ballotTimes(),
      questions: [{ title: 'Q', method: 'yesno' }],
    })
  ).body;
  await org.json('POST', `/api/v1/ballots/${b.id}/open`);
  const history = await waitFor('a snapshot', async () => {
    const h = (await org.json('GET', `/api/v1/ballots/${b.id}/turnout/history`)).body as Array<{
      at: string;
      voted: number;
    }>;
    return h.length ? h : undefined;
  });
  expect(history[0]!.voted).toBe(0);
  expect(new Date(history[0]!.at).getUTCSeconds()).toBe(0);
  // With two moments recorded, the turnout page draws the chart.
  await sql`insert into turnout_history (ballot_id, at, voted) values (${b.id}, date_trunc('minute', now()) - interval '5 minutes', 0)`.execute(
    app().db,
  );
  const page = await (await org.request('GET', `/ballots/${b.id}/turnout`)).text();
  expect(page).toContain('Members who had voted, over time');
  expect(page).toMatch(/<polyline points="[\d.,\s]+"/);
  const cols = await sql<{
    column_name: string;
  }>`select column_name from information_schema.columns where table_name = 'turnout_history'`.execute(app().db);
  expect(cols.rows.map((c) => c.column_name).sort()).toEqual(['at', 'ballot_id', 'voted']);
});

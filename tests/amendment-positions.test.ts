import { sql } from 'kysely';
import { storedResults } from '@omov/core/record/record';
import { verifyRecord } from '@omov/core/record/verify';
import { appWithSmtpPerFile, ballotTimes, Client, proposalLinkOf, setUpOrganisation } from './support/app';
import { postVote, tokensOf } from './support/integrity';
import { waitFor } from './support/smtp';

/**
 * A branch meeting's position on an amended motion (docs/proposals.md, "Branch positions"),
 * over HTTP with real PostgreSQL and SMTP. An amended motion is one ranked question across its
 * variants, so a position is one of them: North's meeting supports amendment A (named by its
 * id), South's opposes the motion ("None: the motion falls"), East's supports the motion
 * unamended. An amendment that never qualified, the motion's own id and a label that is no
 * variant are refused (422, naming the field). The positions survive an edit of the draft and
 * a new declared order, members see theirs in the amendment's words, the results set them
 * beside the members' first preferences pooled under k, the mandated conference uses them,
 * and the record verifies, failing once a position is changed.
 *
 * Roll: North 4, South 5, East 2, West 4 (3 vote); k = 3. Options: 0 O (the motion as
 * proposed), 1 A, 2 B, 3 R (the motion falls). Papers, first preference first:
 *   North: 3 × A O B R, 1 × O A B R            first preferences A 3, O 1: majority A
 *   South: 3 × B O A R, 1 × R O A B, 1 × O B A R  B 3, R 1, O 1: majority B
 *   East:  2 × O A B R;  West: 2 × A O B R, 1 × O B A R
 * East (2 voters) is under k and joins the smallest branch at or over it, West (3): the unit
 * "Pooled: East, West" (A 2, O 3). By hand: North's meeting (A) matched its members; South's
 * (against) differed (they put B first); East is pooled, not compared; West took none.
 * Mandates: 10 delegates by Sainte-Laguë on members (North 4, South 5, the pool 6): quotients
 * 6, 5, 4, 2, 1.67, 1.33, 1.2, 1, 0.86, 0.8 give the pool 4, South 3, North 3. North's 3 go to
 * A, South's 3 to R; the pool's branches disagree (East O, West none), so by `majority` its 4
 * follow its voters' first preferences, O (3 to 2): A 3, R 3, O 4, and O has the most.
 */
const { app, smtp } = appWithSmtpPerFile();

const SECRET = 'test-secret-0123456789-0123456789-abcdef';
const unfolded = (raw: string) => raw.replace(/=\r?\n/g, '');
const SIZES: Record<string, number> = { North: 4, South: 5, East: 2, West: 4 };
const ROLL = [
  'email,name,branch',
  ...Object.entries(SIZES).flatMap(([branch, n]) =>
    Array.from({ length: n }, (_, i) => `${branch.toLowerCase()}${i}@pos.example.org,${branch} ${i},${branch}`),
  ),
].join('\n');
const MOTION = 'Conference sets the dues at 1% of income.';
const O = 'The motion as proposed';
const A = 'Amendment 1: Half the rate';
const B = 'Amendment 2: A cap';
const R = 'None: the motion falls';
const MANDATED = {
  label: 'Mandated, else majority',
  model: { basis: 'members', method: 'sainte-lague', rule: 'bloc', seats: 10 },
  mandates: 'majority',
};

test('branch meetings take positions on an amended motion: for an amendment, against, unamended', async () => {
  const org = await setUpOrganisation(app(), 'Position Union', 'office@pos.example.org');
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
    .select(['id', 'organisation_id', 'email'])
    .where('email', 'like', '%@pos.example.org')
    .execute();
  const link = new Map(await Promise.all(rows.map(async (r) => [r.email, await proposalLinkOf(app().db, r)] as const)));
  const act = (who: string, path: string, body: Record<string, unknown> = {}) =>
    new Client(app().url).json('POST', `/api/v1/member/proposals${path}`, {
      token: link.get(`${who}@pos.example.org`),
      ...body,
    });

  // The motion (North, signed in South); two amendments qualify; a third never does.
  const motion = (await act('north0', '', { proposal: { kind: 'motion', title: 'Set the dues', text: MOTION } })).body
    .id as string;
  await act('north0', `/${motion}/start`);
  expect((await act('south0', `/${motion}/signatures`)).body.stage).toBe('qualified');
  const table = async (who: string, title: string, text: string) => {
    const id = (await act(who, `/${motion}/amendments`, { amendment: { title, text } })).body.id as string;
    expect((await act(who, `/${id}/start`)).status).toBe(200);
    return id;
  };
  const a = await table('north1', 'Half the rate', 'Conference sets the dues at 0.5% of income.');
  const b = await table('south1', 'A cap', 'Conference sets the dues at 1% of income, capped at £20.');
  const lapsed = await table('west0', 'No dues', 'Conference abolishes the dues.');
  expect((await act('south2', `/${a}/signatures`)).body.stage).toBe('qualified');
  expect((await act('north2', `/${b}/signatures`)).body.stage).toBe('qualified');
  await sql`update proposals set amendments_close_at = now() - interval '1 second' where id = ${motion}`.execute(
    app().db,
  );
  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Dues ballot',
      ...ballotTimes(),
      k: 3,
      questions: [{ title: 'Adopt the accounts?', method: 'yesno' }],
    })
  ).body as { id: string };
  expect((await org.json('POST', `/api/v1/proposals/${motion}/schedule`, { ballotId: ballot.id })).status).toBe(200);
  const q = (await org.json('GET', `/api/v1/ballots/${ballot.id}`)).body.questions[1] as {
    id: string;
    options: Array<{ label: string; description: string }>;
  };
  expect(q.options.map((o) => o.label)).toEqual([O, A, B, R]);

  // Secretaries for North, South and East.
  const links: Record<string, string> = {};
  for (const branch of ['North', 'South', 'East']) {
    const email = `secretary-${branch.toLowerCase()}@pos.example.org`;
    expect((await org.json('PUT', '/api/v1/branch-secretaries', { branch, name: `${branch} Sec`, email })).status).toBe(
      200,
    );
    const mail = await waitFor(`the link mailed to ${email}`, () => smtp().received.find((m) => m.to[0] === email));
    links[branch] = /\/s\/([A-Za-z0-9_-]{43})/.exec(unfolded(mail.raw))![1]!;
  }
  const secretary = new Client(app().url);
  const put = (branch: string, body: Record<string, unknown>) =>
    secretary.json('PUT', '/api/v1/secretary/positions', {
      token: links[branch],
      ballotId: ballot.id,
      questionId: q.id,
      attendance: 10,
      ...body,
    });

  // The secretary's view names the amendments on the question, with their variants.
  const view = (await secretary.json('POST', '/api/v1/secretary', { token: links.North })).body;
  expect(view.ballots[0].questions[1]).toMatchObject({
    amendments: [
      { id: a, title: 'Half the rate', option: A },
      { id: b, title: 'A cap', option: B },
    ],
    unamended: O,
    against: R,
  });
  expect(view.ballots[0].questions[0].amendments).toBeUndefined();

  // Positions that name nothing on the ballot are refused, naming the field, and nothing is written.
  for (const wrong of [
    { amendment: lapsed },
    { amendment: motion },
    { amendment: '00000000-0000-4000-8000-000000000000' },
  ]) {
    const r = await put('North', wrong);
    expect(r.status).toBe(422);
    expect(r.body.errors[0].path).toBe('amendment');
    expect(r.body.errors[0].message).toMatch(/not an amendment on "Set the dues" on this ballot/);
  }
  const notVariant = await put('North', { position: 'Amendment 3: No dues' });
  expect(notVariant.status).toBe(422);
  expect(notVariant.body.errors[0].path).toBe('position');
  const both = await put('North', { amendment: a, position: B });
  expect(both.status).toBe(422);
  expect(both.body.errors[0].path).toBe('position');
  const onYesNo = await secretary.json('PUT', '/api/v1/secretary/positions', {
    token: links.North,
    ballotId: ballot.id,
    questionId: (await org.json('GET', `/api/v1/ballots/${ballot.id}`)).body.questions[0].id,
    amendment: a,
    attendance: 10,
  });
  expect(onYesNo.status).toBe(422);
  expect(onYesNo.body.errors[0].message).toMatch(/not an amended motion/);
  expect((await org.json('GET', `/api/v1/ballots/${ballot.id}/positions`)).body.positions).toEqual([]);

  // North first backs B, then A (by the amendment's id); South against; East the motion unamended.
  expect((await put('North', { amendment: b, attendance: 11 })).status).toBe(200);
  const north = await put('North', { amendment: a, attendance: 12 });
  expect(north.status).toBe(200);
  expect(north.body).toMatchObject({ branch: 'North', position: A, attendance: 12 });
  expect((await put('South', { position: R, attendance: 8 })).status).toBe(200);
  expect((await put('East', { position: O, attendance: 3 })).status).toBe(200);
  // The log says what each position means: the variant, and the amendment by its id.
  const log = (await org.json('GET', '/api/v1/audit-log')).body.entries as Array<{
    action: string;
    details: { branch?: string; before?: unknown; after?: unknown };
  }>;
  const recorded = log.filter((e) => e.action === 'branch-position.record');
  expect(recorded.filter((e) => e.details.branch === 'North').map((e) => [e.details.before, e.details.after])).toEqual([
    [null, { position: B, attendance: 11, stance: 'amendment', amendment: b }],
    [
      { position: B, attendance: 11, stance: 'amendment', amendment: b },
      { position: A, attendance: 12, stance: 'amendment', amendment: a },
    ],
  ]);
  expect(recorded.find((e) => e.details.branch === 'South')!.details.after).toEqual({
    position: R,
    attendance: 8,
    stance: 'against',
  });
  expect(recorded.find((e) => e.details.branch === 'East')!.details.after).toEqual({
    position: O,
    attendance: 3,
    stance: 'unamended',
  });

  // A new declared order and an edit of the draft (declaring the mandated comparison) keep them.
  expect((await org.json('PUT', `/api/v1/proposals/${motion}/agenda-order`, { order: [b, a] })).status).toBe(200);
  const full = (await org.json('GET', `/api/v1/ballots/${ballot.id}`)).body.questions[1];
  const edited = await org.json('PUT', `/api/v1/ballots/${ballot.id}`, {
    title: 'Dues ballot',
    ...ballotTimes(),
    k: 3,
    questions: [
      { title: 'Adopt the accounts?', method: 'yesno' },
      {
        title: full.title,
        description: full.description,
        method: 'schulze',
        settings: full.settings,
        options: full.options.map((o: { label: string; description: string }) => ({
          label: o.label,
          description: o.description,
        })),
        comparisons: [MANDATED],
      },
    ],
  });
  expect(edited.status).toBe(200);
  const kept = (await org.json('GET', `/api/v1/ballots/${ballot.id}/positions`)).body.positions as Array<{
    branch: string;
    position: string;
  }>;
  expect(kept.map((p) => [p.branch, p.position])).toEqual([
    ['East', O],
    ['North', A],
    ['South', R],
  ]);

  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  const opened = (await org.json('GET', `/api/v1/ballots/${ballot.id}`)).body.questions[1];
  expect(opened.positions).toEqual([
    { branch: 'East', position: O, attendance: 3 },
    { branch: 'North', position: A, attendance: 12 },
    { branch: 'South', position: R, attendance: 8 },
  ]);
  // Fixed at opening, by amendment as by label.
  expect((await put('North', { amendment: b })).status).toBe(409);

  // Members see their own branch meeting's position in the amendment's words.
  const tokens = await tokensOf(app().db, ballot.id, SECRET);
  const paperOf = async (branch: string) =>
    (
      await (await new Client(app().url).request('GET', `/v/${tokens.find((t) => t.branch === branch)!.token}`)).text()
    ).replace(/&#39;|&#x27;/g, "'");
  expect(await paperOf('North')).toContain(
    `Your branch meeting (North, 12 present) supported ${A} (the motion as this amendment words it)`,
  );
  expect(await paperOf('South')).toContain(`Your branch meeting (South, 8 present) opposed the motion (${R})`);
  expect(await paperOf('East')).toContain(
    `Your branch meeting (East, 3 present) supported the motion unamended (${O})`,
  );
  expect(await paperOf('West')).not.toContain('Your branch meeting');

  const plan: Record<string, number[][]> = {
    North: [
      [1, 0, 2, 3],
      [1, 0, 2, 3],
      [1, 0, 2, 3],
      [0, 1, 2, 3],
    ],
    South: [
      [2, 0, 1, 3],
      [2, 0, 1, 3],
      [2, 0, 1, 3],
      [3, 0, 1, 2],
      [0, 2, 1, 3],
    ],
    East: [
      [0, 1, 2, 3],
      [0, 1, 2, 3],
    ],
    West: [
      [1, 0, 2, 3],
      [1, 0, 2, 3],
      [0, 2, 1, 3],
    ],
  };
  const accounts = (await org.json('GET', `/api/v1/ballots/${ballot.id}`)).body.questions[0].id as string;
  for (const [branch, papers] of Object.entries(plan)) {
    const mine = tokens.filter((t) => t.branch === branch);
    for (const [i, options] of papers.entries()) {
      const r = await postVote(app().url, mine[i]!.token, {
        [accounts]: { kind: 'choice', option: 0 },
        [opened.id]: { kind: 'ranking', options },
      });
      expect(r.status).toBe(201);
    }
  }
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/close`)).status).toBe(204);

  const result = (await org.json('GET', `/api/v1/ballots/${ballot.id}/results`)).body.questions[1];
  const report = result.positions;
  const row = (branch: string) => (report.rows as Array<{ branch: string }>).find((r) => r.branch === branch);
  expect(row('North')).toMatchObject({
    pooled: false,
    position: A,
    attendance: 12,
    votes: { [O]: 1, [A]: 3, [B]: 0, [R]: 0 },
    majority: A,
    comparison: 'matched',
  });
  expect(row('South')).toMatchObject({
    pooled: false,
    position: R,
    votes: { [O]: 1, [A]: 0, [B]: 3, [R]: 1 },
    majority: B,
    comparison: 'differed',
  });
  expect(row('East')).toMatchObject({ pooled: true, unit: 'Pooled: East, West', position: O, comparison: 'pooled' });
  expect(row('West')).toMatchObject({ position: null, comparison: 'no-position' });
  // What each branch's members decided by the ballot's procedures (declared order: B, then A), by hand:
  //   North: B v O 0-4, O; A v O 3-1, A; R v A 0-4: A. Condorcet A (beats O 3-1, B and R 4-0). The meeting's A matches both.
  //   South: B v O 3-2, B; A v B 1-4, B; R v B 1-4: B. Condorcet B (beats O 3-2, A and R 4-1). Against (R) differs from both.
  //   The pool (East, West): B v O 0-5, O; A v O 2-3, O; R v O 0-5: O. Condorcet O (beats A 3-2, B and R 5-0).
  expect(row('North')).toMatchObject({
    procedures: { agenda: A, agendaComparison: 'matched', condorcet: A, condorcetComparison: 'matched' },
  });
  expect(row('South')).toMatchObject({
    procedures: { agenda: B, agendaComparison: 'differed', condorcet: B, condorcetComparison: 'differed' },
  });
  // Pooled under k as the first preferences: East's own decisions are not published, nor compared.
  expect(row('East')).toMatchObject({
    procedures: { agenda: null, agendaComparison: 'pooled', condorcet: null, condorcetComparison: 'pooled' },
  });
  expect(row('West')).toMatchObject({
    procedures: { agenda: null, agendaComparison: 'no-position', condorcet: null, condorcetComparison: 'no-position' },
  });
  expect(report.pools).toEqual([
    {
      unit: 'Pooled: East, West',
      votes: { [O]: 3, [A]: 2, [B]: 0, [R]: 0 },
      procedures: { agenda: O, condorcet: O },
    },
  ]);
  expect(report.summary.procedures).toEqual({
    agenda: { compared: 2, matched: 1 },
    condorcet: { compared: 2, matched: 1 },
    text: 'The meeting’s position was what its own members decided by the agenda in the declared order, in 1 of 2 branches; by the Condorcet winner among the variants, in 1 of 2 branches.',
  });
  expect(report.summary.text).toBe(
    'In 1 of 2 branches (4 members), the meeting’s position was its members’ majority; in 1 (5 members), the members voted otherwise. 1 branch with a position is pooled under k and not compared.',
  );
  expect(result.comparisons[0].mandated).toEqual({
    rule: 'majority',
    totals: { [O]: 4, [A]: 3, [B]: 0, [R]: 3 },
    abstained: 0,
    elected: O,
    agree: result.elected[0] === O,
  });
  const page = await (await org.request('GET', `/ballots/${ballot.id}/results`)).text();
  expect(page).toContain(report.summary.text);
  expect(page).toContain('An amended motion: a meeting’s position is the variant it supported');
  expect(page).toContain(report.summary.procedures.text);
  expect(page).toContain('<th scope="col">Their agenda adopts</th><th scope="col">Their Condorcet winner</th>');
  expect(page).toContain(`<td>${B} <span class="hint">not the meeting’s position</span></td>`);
  const csv = await (await org.request('GET', `/ballots/${ballot.id}/results.csv`)).text();
  expect(csv).toContain(`2,Set the dues,schulze,(branch meeting: South),${R},meeting attendance,8,differed`);
  expect(csv).toContain(`2,Set the dues,schulze,(branch members' agenda: North),${A},adopted,,matched`);
  expect(csv).toContain(`2,Set the dues,schulze,(branch members' Condorcet: South),${B},Condorcet winner,,differed`);
  expect(csv).toContain(`2,Set the dues,schulze,"(branch members' agenda: Pooled: East, West)",${O},adopted,,`);

  // The record carries the positions and verifies; a position moved to another amendment fails.
  const record = JSON.parse(await (await org.request('GET', `/api/v1/ballots/${ballot.id}/record`)).text());
  expect(record.ballot.questions[1].positions).toEqual(opened.positions);
  expect(verifyRecord(record).checks.filter((c) => c.verdict === 'FAIL')).toEqual([]);
  const tampered = structuredClone(record);
  tampered.ballot.questions[1].positions[1].position = B;
  const failed = verifyRecord(tampered)
    .checks.filter((c) => c.verdict === 'FAIL')
    .map((c) => c.name);
  expect(failed).toEqual(expect.arrayContaining(['commitment: definition']));
  expect(failed.some((n) => n.startsWith('count'))).toBe(true);
  // A branch's decision by the agenda changed in the stored results fails the question's recount.
  const decision = structuredClone(record);
  decision.results[1].positions.rows.find((r: { branch: string }) => r.branch === 'South').procedures.agenda = R;
  expect(
    verifyRecord(decision)
      .checks.filter((c) => c.verdict === 'FAIL')
      .some((c) => c.name.startsWith('count')),
  ).toBe(true);
  // Results stored before format 5 have no branch decisions: under their own format their count
  // holds (only the log's close entry, which names the hash of the results this ballot really
  // closed with, tells these apart from them)…
  const before = structuredClone(record);
  const positions = before.results[1].positions;
  for (const part of [...positions.rows, ...positions.pools]) delete part.procedures;
  delete positions.summary.procedures;
  before.resultsHash = storedResults(before.results).hash;
  expect(
    verifyRecord({ ...before, format: 'omov-election-record/4' })
      .checks.filter((c) => c.verdict === 'FAIL')
      .map((c) => c.name),
  ).toEqual(['audit log: the close']);
  // …and called format 5 they lack what the recount gives.
  expect(
    verifyRecord({ ...before, format: 'omov-election-record/5' })
      .checks.filter((c) => c.verdict === 'FAIL')
      .some((c) => c.name.startsWith('count')),
  ).toBe(true);
  // A position naming no variant at all fails too.
  const nothing = structuredClone(record);
  nothing.ballot.questions[1].positions[1].position = 'Amendment 3: No dues';
  expect(verifyRecord(nothing).ok).toBe(false);
});

import { sql } from 'kysely';
import { verifyRecord } from '@omov/core/record/verify';
import { appWithSmtpPerFile, ballotTimes, Client, setUpOrganisation } from './support/app';
import { postVote, rollCsv, tokensOf } from './support/integrity';
import { waitFor } from './support/smtp';

/**
 * Branch meetings' positions through the server (docs/proposals.md, "Branch positions"):
 * the organiser names a secretary per branch, who is mailed a personal link; from it the
 * secretary records the meeting's position and attendance before the ballot opens; at
 * opening they are fixed (the office's later attempt through a new link is refused, and so
 * is a write straight to the table) and committed; each member's paper shows their own
 * branch's; at close the results set each branch's position beside its votes, pooled under
 * k; the record verifies, and a tampered position fails.
 *
 * Roll: Leeds 6, York 5, Hull 2, Bath 2; k = 3. Votes on "Adopt?": Leeds 4 Yes 1 No, York 1 Yes
 * 3 No, Hull 1 Yes, Bath 1 No. Hull (1 voter) and Bath (1) are pooled (2 voters, under k, so
 * the smallest large branch, York with 4, joins: "Pooled: Bath, Hull, York").
 * Meetings: Leeds (23 present) supported Yes, York (9) supported Yes, Hull (4) supported No,
 * Bath none recorded.
 * By hand: Leeds stands alone, its majority is Yes (4 to 1): matched. York and Hull are
 * pooled: shown with their positions, not compared. So "In 1 of 1 branch (6 members), the
 * meeting's position was its members' majority; in 0 (0 members), the members voted
 * otherwise. 2 branches with a position are pooled under k and not compared."
 */
const { app, smtp } = appWithSmtpPerFile();
const SECRET = 'test-secret-0123456789-0123456789-abcdef';
/**
 * The same conference twice, its delegates mandated by the meetings, declared before opening
 * with each rule for branches without a position. 10 delegates by Sainte-Laguë on members:
 * Leeds 6 members, the pool 9: quotients 9, 6, 3, 2, 1.8, 1.29, 1.2, 1, 0.86, 0.82 give the
 * pool 6 and Leeds 4. Leeds's mandate is its meeting's Yes. The pool's branches disagree
 * (York Yes, Hull No, Bath none), so the pool has no position: by `majority` its voters'
 * majority (No, 4 to 2): Yes 4, No 6, the conference says No while the members carried Yes
 * (6 to 5); by `abstain`: Yes 4, 6 abstaining, Yes, as the members.
 */
const MODEL = { basis: 'members', method: 'sainte-lague', rule: 'bloc', seats: 10 };
const MANDATED = [
  { label: 'Mandated, else majority', model: MODEL, mandates: 'majority' },
  { label: 'Mandated, else abstain', model: MODEL, mandates: 'abstain' },
];

function secretaryLink(raw: string): string {
  const m = /https?:\/\/[^\s"<>]+\/s\/([A-Za-z0-9_-]{43})/.exec(raw.replace(/=\r?\n/g, ''));
  if (!m) throw new Error('no secretary link in the message');
  return m[1]!;
}

test('a secretary records positions before opening; members see theirs; results set them beside the votes; verify catches a change', async () => {
  const org = await setUpOrganisation(app(), 'Branch Union');
  expect(
    (
      await org.json('POST', '/api/v1/roll/import', rollCsv({ Leeds: 6, York: 5, Hull: 2, Bath: 2 }), {
        'content-type': 'text/csv',
      })
    ).status,
  ).toBe(200);
  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Rule book ballot',
      ...ballotTimes(),
      k: 3,
      questions: [{ title: 'Adopt?', method: 'yesno', comparisons: MANDATED }],
    })
  ).body as { id: string; questions: Array<{ id: string }> };
  const questionId = ballot.questions[0]!.id;

  // Naming a secretary of a branch that does not exist is refused, naming the field.
  const unknown = await org.json('PUT', '/api/v1/branch-secretaries', {
    branch: 'Leds',
    name: 'Sam',
    email: 's@example.org',
  });
  expect(unknown.status).toBe(422);
  expect(unknown.body.errors[0].path).toBe('branch');

  const links: Record<string, string> = {};
  for (const branch of ['Leeds', 'York', 'Hull']) {
    const email = `secretary-${branch.toLowerCase()}@example.org`;
    const named = await org.json('PUT', '/api/v1/branch-secretaries', { branch, name: `${branch} Secretary`, email });
    expect(named.status).toBe(200);
    const mail = await waitFor(`the link mailed to ${email}`, () => smtp().received.find((m) => m.to[0] === email));
    expect(mail.raw.replace(/=\r?\n/g, '')).toContain(`secretary of ${branch} branch`);
    links[branch] = secretaryLink(mail.raw);
  }
  // The link is never in the log.
  const log = JSON.stringify((await org.json('GET', '/api/v1/audit-log')).body);
  expect(log).toContain('branch-secretary.name');
  for (const t of Object.values(links)) expect(log).not.toContain(t);

  const secretary = new Client(app().url);
  const put = (token: string, position: string | null, attendance: number) =>
    secretary.json('PUT', '/api/v1/secretary/positions', {
      token,
      ballotId: ballot.id,
      questionId,
      position,
      attendance,
    });
  // Not an option: refused, naming the field. A bad link: 404.
  const wrong = await put(links.Leeds!, 'Maybe', 23);
  expect(wrong.status).toBe(422);
  expect(wrong.body.errors[0].path).toBe('position');
  expect((await put('A'.repeat(43), 'Yes', 23)).status).toBe(404);
  // Leeds first records No, then changes to Yes: both are logged.
  expect((await put(links.Leeds!, 'No', 20)).status).toBe(200);
  const leeds = await put(links.Leeds!, 'Yes', 23);
  expect(leeds.status).toBe(200);
  expect(leeds.body).toMatchObject({ branch: 'Leeds', position: 'Yes', attendance: 23 });
  expect((await put(links.York!, 'Yes', 9)).status).toBe(200);
  expect((await put(links.Hull!, 'No', 4)).status).toBe(200);
  const view = await secretary.json('POST', '/api/v1/secretary', { token: links.York! });
  expect(view.body.secretary.branch).toBe('York');
  expect(view.body.ballots[0].questions[0].recorded).toMatchObject({ position: 'Yes', attendance: 9 });
  const entries = (await org.json('GET', '/api/v1/audit-log')).body.entries as Array<{
    action: string;
    details: { branch?: string; before?: unknown; after?: unknown };
  }>;
  const leedsEntries = entries.filter((e) => e.action === 'branch-position.record' && e.details.branch === 'Leeds');
  expect(leedsEntries.map((e) => e.details.after)).toEqual([
    { position: 'No', attendance: 20 },
    { position: 'Yes', attendance: 23 },
  ]);

  // An edit of the draft keeps the positions with their question.
  const edited = await org.json('PUT', `/api/v1/ballots/${ballot.id}`, {
    title: 'Rule book ballot',
    ...ballotTimes(),
    k: 3,
    questions: [{ title: 'Adopt?', method: 'yesno', description: 'The new rule book.', comparisons: MANDATED }],
  });
  expect(edited.status).toBe(200);
  const positions = await org.json('GET', `/api/v1/ballots/${ballot.id}/positions`);
  expect(positions.body.fixed).toBe(false);
  expect(
    (positions.body.positions as Array<{ branch: string; position: string | null }>).map((p) => [p.branch, p.position]),
  ).toEqual([
    ['Hull', 'No'],
    ['Leeds', 'Yes'],
    ['York', 'Yes'],
  ]);
  const qid = (await org.json('GET', `/api/v1/ballots/${ballot.id}`)).body.questions[0].id as string;

  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  // The commitment at open covers the positions (they are in the committed question).
  const committed = (await org.json('GET', `/api/v1/ballots/${ballot.id}`)).body.questions[0].positions;
  expect(committed).toEqual([
    { branch: 'Hull', position: 'No', attendance: 4 },
    { branch: 'Leeds', position: 'Yes', attendance: 23 },
    { branch: 'York', position: 'Yes', attendance: 9 },
  ]);

  // After opening: the office names a new Leeds secretary (a link it could read) and tries to change the position: refused.
  const renamed = await org.json('PUT', '/api/v1/branch-secretaries', {
    branch: 'Leeds',
    name: 'Office Stooge',
    email: 'stooge@example.org',
  });
  expect(renamed.status).toBe(200);
  const stoogeMail = await waitFor('the new Leeds link', () =>
    smtp().received.find((m) => m.to[0] === 'stooge@example.org'),
  );
  const stooge = secretaryLink(stoogeMail.raw);
  const late = await secretary.json('PUT', '/api/v1/secretary/positions', {
    token: stooge,
    ballotId: ballot.id,
    questionId: qid,
    position: 'No',
    attendance: 30,
  });
  expect(late.status).toBe(409);
  expect(late.body.detail).toMatch(/fixed when it opened/);
  // The old Leeds link stopped working when a new one was mailed.
  expect((await put(links.Leeds!, 'Yes', 23)).status).toBe(404);
  // Nor can anything written straight to the table change it: the trigger refuses.
  await expect(
    sql`update branch_positions set attendance = 99 where question_id = ${qid}`.execute(app().db),
  ).rejects.toThrow(/fixed once its ballot has opened/);
  expect((await org.json('GET', `/api/v1/ballots/${ballot.id}/positions`)).body.fixed).toBe(true);

  // Members vote; a Leeds member's paper shows their branch meeting's position, a Bath member's none.
  const tokens = await tokensOf(app().db, ballot.id, SECRET);
  const leedsToken = tokens.find((t) => t.branch === 'Leeds')!.token;
  const leedsPaper = await (await new Client(app().url).request('GET', `/v/${leedsToken}`)).text();
  expect(leedsPaper).toContain('Your branch meeting (Leeds, 23 present) supported: Yes');
  const bathPaper = await (
    await new Client(app().url).request('GET', `/v/${tokens.find((t) => t.branch === 'Bath')!.token}`)
  ).text();
  expect(bathPaper).not.toContain('Your branch meeting');
  const plan: Record<string, number[]> = { Leeds: [0, 0, 0, 0, 1], York: [0, 1, 1, 1], Hull: [0], Bath: [1] };
  for (const [branch, answers] of Object.entries(plan)) {
    const mine = tokens.filter((t) => t.branch === branch);
    for (const [i, option] of answers.entries()) {
      const r = await postVote(app().url, mine[i]!.token, { [qid]: { kind: 'choice', option } });
      expect(r.status).toBe(201);
    }
  }
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/close`)).status).toBe(204);

  const results = (await org.json('GET', `/api/v1/ballots/${ballot.id}/results`)).body;
  const report = results.questions[0].positions;
  const rows = report.rows as Array<Record<string, unknown>>;
  expect(rows.find((r) => r.branch === 'Leeds')).toMatchObject({
    pooled: false,
    position: 'Yes',
    attendance: 23,
    votes: { Yes: 4, No: 1 },
    majority: 'Yes',
    comparison: 'matched',
  });
  expect(rows.find((r) => r.branch === 'York')).toMatchObject({
    pooled: true,
    unit: 'Pooled: Bath, Hull, York',
    position: 'Yes',
    votes: null,
    comparison: 'pooled',
  });
  expect(rows.find((r) => r.branch === 'Bath')).toMatchObject({ position: null, comparison: 'no-position' });
  expect(report.pools).toEqual([{ unit: 'Pooled: Bath, Hull, York', votes: { Yes: 2, No: 4 } }]);
  expect(report.summary.text).toBe(
    'In 1 of 1 branch (6 members), the meeting’s position was its members’ majority; in 0 (0 members), the members voted otherwise. 2 branches with a position are pooled under k and not compared.',
  );
  // The mandated conferences, beside the modelled one.
  const mandated = (results.questions[0].comparisons as Array<{ mandated: Record<string, unknown> }>).map(
    (c) => c.mandated,
  );
  expect(results.questions[0].elected).toEqual(['Yes']);
  expect(mandated).toEqual([
    { rule: 'majority', totals: { Yes: 4, No: 6 }, abstained: 0, elected: 'No', agree: false },
    { rule: 'abstain', totals: { Yes: 4, No: 0 }, abstained: 6, elected: 'Yes', agree: true },
  ]);
  // The results page says the same.
  const page = await (await org.request('GET', `/ballots/${ballot.id}/results`)).text();
  expect(page).toContain('Branch meetings’ positions');
  expect(page).toContain(report.summary.text);
  expect(page).toContain('the mandated conference chooses No');
  // And the CSV.
  const csv = await (await org.request('GET', `/ballots/${ballot.id}/results.csv`)).text();
  expect(csv).toContain('1,Adopt?,yesno,(branch meeting: Leeds),Yes,meeting attendance,23,matched');
  expect(csv).toContain('1,Adopt?,yesno,"(mandated: Mandated, else majority)",No,delegate votes,6,yes');

  // The record carries the positions; it verifies; a changed position fails.
  const record = JSON.parse(await (await org.request('GET', `/api/v1/ballots/${ballot.id}/record`)).text());
  expect(record.ballot.questions[0].positions).toEqual(committed);
  const verified = verifyRecord(record);
  expect(verified.checks.filter((c) => c.verdict === 'FAIL')).toEqual([]);
  expect(verified.ok).toBe(true);
  record.ballot.questions[0].positions[1].position = 'No';
  const tampered = verifyRecord(record);
  expect(tampered.ok).toBe(false);
  const failed = tampered.checks.filter((c) => c.verdict === 'FAIL').map((c) => c.name);
  // The definition no longer hashes to the commitment at open, and the recount differs from the stored results.
  expect(failed).toEqual(expect.arrayContaining(['commitment: definition']));
  expect(failed.some((n) => n.startsWith('count'))).toBe(true);
});

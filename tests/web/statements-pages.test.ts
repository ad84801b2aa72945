import { type AgendaBallot, ballotWithAgenda, CASE_FOR, MEMBERS_AGAINST } from '../support/agenda';
import { appWithSmtpPerFile, type Client, joinByInvitation, setUpOrganisation } from '../support/app';
import { electionOnBallot } from '../support/nominations';

/**
 * The staff pages for statements and the agenda's order over HTTP, against real PostgreSQL
 * (docs/proposals.md): the refusals a form can meet are shown on the page with their status,
 * not as an error page, logged, and nothing is written (the case for of a members' motion,
 * the case against a members' case stands on, an order naming what is not an amendment, any
 * change once the ballot opens); an empty field removes the office's statement; an auditor
 * reads both pages without a field or a button.
 */
const { app, smtp } = appWithSmtpPerFile();
let org: Client;
let auditor: Client;
let setup: AgendaBallot;

beforeAll(async () => {
  org = await setUpOrganisation(app(), 'Statement Pages Union');
  const csv = [
    'email,name,branch',
    ...[0, 1, 2, 3].map((i) => `m${i}@example.org,Member ${i},${['North', 'South'][i % 2]}`),
  ];
  expect((await org.json('POST', '/api/v1/roll/import', csv.join('\n'), { 'content-type': 'text/csv' })).status).toBe(
    200,
  );
  setup = await ballotWithAgenda(app(), org);
  auditor = await joinByInvitation(app(), smtp(), org, { role: 'auditor' }, 'auditor.statements@example.org');
});

/** Posts a staff form as the page would, with its CSRF field. */
async function post(path: string, fields: Array<[string, string]>): Promise<{ status: number; text: string }> {
  const page = await (await org.request('GET', `/ballots/${setup.ballotId}/statements`)).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
  const res = await org.request('POST', path, new URLSearchParams([['csrf', csrf], ...fields]).toString(), {
    'content-type': 'application/x-www-form-urlencoded',
    origin: app().url,
  });
  return { status: res.status, text: await res.text() };
}

const statements = async (qid: string) =>
  (await app().db.selectFrom('question_statements').select(['side', 'text']).where('question_id', '=', qid).execute())
    .map((s) => `${s.side}: ${s.text}`)
    .sort();

const auditActions = async (action: string) =>
  ((await org.json('GET', '/api/v1/audit-log')).body.entries as Array<{ action: string }>).filter(
    (e) => e.action === action,
  ).length;

const statementsPath = (qid: string) => `/ballots/${setup.ballotId}/statements/${qid}`;

test('refusals come back on the statements page, logged, and nothing is written', async () => {
  // The case for a members' motion is its proposers': a forged field is refused (403) on the page.
  const before = await auditActions('statement.for-refused');
  const forMotion = await post(statementsPath(setup.questions.motion), [['for', 'The office’s own case for.']]);
  expect(forMotion.status).toBe(403);
  expect(forMotion.text).toContain('There is a problem');
  expect(forMotion.text).toContain('the case for a member&#39;s proposal is written by its proposers');
  expect(forMotion.text).toContain(CASE_FOR); // the page itself, the proposers' text as it stands
  expect(await auditActions('statement.for-refused')).toBe(before + 1);

  // A members' case against stands on the office's question: the office cannot write over it.
  const over = await post(statementsPath(setup.questions.accounts), [
    ['for', 'The accounts are in order.'],
    ['against', 'Nothing to see.'],
  ]);
  expect(over.status).toBe(403);
  expect(over.text).toContain('the office cannot write over it or remove it');
  expect(await auditActions('statement.against-refused')).toBeGreaterThan(0);
  expect(await statements(setup.questions.accounts)).toEqual([]);
  // Its case for is the office's.
  const saved = await post(statementsPath(setup.questions.accounts), [['for', 'The accounts are in order.']]);
  expect(saved.status).toBe(303);
  expect(await statements(setup.questions.accounts)).toEqual(['for: The accounts are in order.']);

  // An empty field removes the office's statement; a side not posted is left alone.
  await post(statementsPath(setup.questions.office), [
    ['for', 'Moving saves rent.'],
    ['against', 'Too far.'],
  ]);
  expect(await statements(setup.questions.office)).toEqual(['against: Too far.', 'for: Moving saves rent.']);
  expect((await post(statementsPath(setup.questions.office), [['for', '  ']])).status).toBe(303);
  expect(await statements(setup.questions.office)).toEqual(['against: Too far.']);

  // A question not on the ballot is a page that does not exist.
  expect((await post(statementsPath(setup.motion), [['for', 'x']])).status).toBe(404);
});

test('an order naming what is not an amendment is refused on the proposals page', async () => {
  const [a] = setup.amendments;
  const wrong = await post(`/proposals/${setup.motion}/agenda-order`, [
    ['step0', a],
    ['step1', setup.motion],
  ]);
  expect(wrong.status).toBe(422);
  expect(wrong.text).toContain('an id is not one of the amendments on the ballot');
  expect(wrong.text).toContain('Members’ proposals');
  expect(await auditActions('proposal.agenda-order')).toBe(0);
});

test('an auditor reads both pages with no field; once the ballot opens, a change is refused on the page', async () => {
  const page = await (await auditor.request('GET', `/ballots/${setup.ballotId}/statements`)).text();
  expect(page).toContain(MEMBERS_AGAINST);
  expect(page).toContain('The accounts are in order.');
  expect(page).toContain('Auditors read them here and change nothing.');
  expect(page).not.toContain('<textarea');
  expect(page).not.toContain(`action="/ballots/${setup.ballotId}/statements/`);
  const proposals = await (await auditor.request('GET', '/proposals')).text();
  expect(proposals).toContain('The agenda’s order');
  expect(proposals).toContain('<li>Amendment 1: Half the rate</li><li>Amendment 2: A cap</li>');
  expect(proposals).not.toContain('agenda-order');
  // An auditor's post is refused before any service is called.
  expect((await auditor.form(statementsPath(setup.questions.office), [['for', 'x']])).status).toBe(403);

  expect((await org.json('POST', `/api/v1/ballots/${setup.ballotId}/open`)).status).toBe(200);
  const late = await post(statementsPath(setup.questions.office), [['against', 'Too late.']]);
  expect(late.status).toBe(409);
  expect(late.text).toContain('There is a problem');
  expect(late.text).toContain('The ballot has opened: its statements are fixed');
  expect(await statements(setup.questions.office)).toEqual(['against: Too far.']);
  const order = await post(`/proposals/${setup.motion}/agenda-order`, [
    ['step0', setup.amendments[1]],
    ['step1', setup.amendments[0]],
  ]);
  expect(order.status).toBe(409);
  expect(order.text).toContain('The order is not declared');
});

test("an election's question shows its candidates' own statements, and takes no office statement over the API or the page", async () => {
  // An election with nominations: m0 nominates m2 and m3, who accept with their statements; nominations close.
  const said: Record<string, string> = {
    'm2@example.org': 'I will open the books.',
    'm3@example.org': 'I will answer every letter.',
  };
  const made = await electionOnBallot(app(), smtp(), org, 'Branch committee', 'm0@example.org', said);
  const [election, ballot] = [{ id: made.electionId }, { id: made.ballotId }];
  const electionQ = { id: made.questionId };
  const report = { id: made.otherQuestionId };

  // The API refuses an office statement on the election's question (409, saying why); nothing is written.
  const refused = await org.json('PUT', `/api/v1/ballots/${ballot.id}/questions/${electionQ.id}/statements`, {
    for: 'Vote for the best.',
  });
  expect(refused.status).toBe(409);
  expect(refused.body.detail).toBe(
    '“Branch committee” is an election from nominations: members read each candidate’s own statement under their name, so the office writes no case for or against it',
  );
  expect(await statements(electionQ.id)).toEqual([]);
  // Removing one (null) is still taken, for a statement written before this was refused.
  expect(
    (await org.json('PUT', `/api/v1/ballots/${ballot.id}/questions/${electionQ.id}/statements`, { against: null }))
      .status,
  ).toBe(200);
  // The ballot's other question is the office's as before.
  expect(
    (await org.json('PUT', `/api/v1/ballots/${ballot.id}/questions/${report.id}/statements`, { for: 'Adopt it.' }))
      .status,
  ).toBe(200);

  // The page shows the candidates and their statements read-only, with why, and no field for that question.
  const page = await (await org.request('GET', `/ballots/${ballot.id}/statements`)).text();
  const section = page.slice(page.indexOf(`id="q-${electionQ.id}"`));
  expect(section).toContain('The candidates and their statements');
  expect(section).toContain('The office writes no case for or against this question');
  expect(section).toContain(`<a href="/elections/${election.id}">Branch committee</a>`);
  for (const [email, statement] of Object.entries(said)) {
    expect(section).toContain(`<dt>Member ${email[1]}</dt><dd><p>${statement}</p></dd>`);
  }
  expect(section).not.toContain('<textarea');
  expect(page).toContain(`action="/ballots/${ballot.id}/statements/${report.id}"`);
  expect(page).not.toContain(`action="/ballots/${ballot.id}/statements/${electionQ.id}"`);
  // A forged form is refused on the page with its status.
  const forged = await post(`/ballots/${ballot.id}/statements/${electionQ.id}`, [['against', 'Not them.']]);
  expect(forged.status).toBe(409);
  expect(forged.text).toContain('There is a problem');
  expect(forged.text).toContain('is an election from nominations');
  expect(await statements(electionQ.id)).toEqual([]);
});

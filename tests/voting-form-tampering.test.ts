import { startSmtpSink, linkIn, waitFor } from './support/smtp';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from './support/app';

/**
 * A choice value that is not one of the offered choices is refused with a 422 naming the
 * question, on the no-JavaScript review step as on the cast, and by the API's /vote; it is
 * never read as an abstention, and the refused attempt does not use the link up.
 */

let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let app: TestApp;
let ballot: { id: string; questions: Array<{ id: string; title: string }> };
const links: string[] = [];
const OPTIONS = ['Ann', 'Bo', 'Cy'].map((label) => ({ label }));

beforeAll(async () => {
  smtp = await startSmtpSink();
  app = await startTestApp({ smtpUrl: smtp.url });
  const org = await setUpOrganisation(app, 'Tamper Union');
  const csv = ['email,name,branch', ...Array.from({ length: 4 }, (_, i) => `t${i}@example.org,Voter ${i},B`)].join(
    '\n',
  );
  expect((await org.json('POST', '/api/v1/roll/import', csv, { 'content-type': 'text/csv' })).status).toBe(200);
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Tamper test',
    ...ballotTimes(),
    questions: [
      { title: 'Agree to the motion?', method: 'yesno' },
      { title: 'Approve the candidates', method: 'approval', options: OPTIONS },
      { title: 'Rank the candidates', method: 'irv', options: OPTIONS },
      { title: 'Score the candidates', method: 'score', options: OPTIONS, settings: { maxScore: 5 } },
    ],
  });
  expect(created.status).toBe(201);
  ballot = created.body;
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  await waitFor('invitations', () => (smtp.received.length >= 4 ? true : undefined));
  links.push(...smtp.received.slice(0, 4).map((m) => linkIn(m.raw)));
});
afterAll(async () => {
  await app?.close();
  await smtp?.close();
});

/** A whole paper the page itself could send: yes, approve Ann, rank Bo then Ann, score Cy 5. */
const valid: Array<[string, string]> = [
  ['q_0', '0'],
  ['q_1', '0'],
  ['q_2_1', '1'],
  ['q_2_0', '2'],
  ['q_3_2', '5'],
];

/** The paper with some fields replaced (or, for a name not in it, added). */
function tampered(changes: Array<[string, string]>): Array<[string, string]> {
  const names = new Set(changes.map(([k]) => k));
  return [...valid.filter(([k]) => !names.has(k)), ...changes];
}

const NINES = '9'.repeat(400);
/** Each tampering, and the question (by position) it must be refused on. */
const CASES: Array<{ what: string; fields: Array<[string, string]>; question: number | string }> = [
  ...['1.5', 'NaN', NINES, '-1', '2', '1e0', ' 1', '0x1'].map((v) => ({
    what: `choice ${JSON.stringify(v.slice(0, 12))}`,
    fields: tampered([['q_0', v]]),
    question: 0,
  })),
  { what: 'two choices on a radio question', fields: [...valid, ['q_0', '1']], question: 0 },
  ...['1.5', 'NaN', NINES, '-1', '3'].map((v) => ({
    what: `mark ${JSON.stringify(v.slice(0, 12))}`,
    fields: tampered([['q_1', v]]),
    question: 1,
  })),
  { what: 'a duplicate rank', fields: tampered([['q_2_0', '1']]), question: 2 },
  ...['1.5', 'NaN', NINES, '-1', '9'].map((v) => ({
    what: `rank ${JSON.stringify(v.slice(0, 12))}`,
    fields: tampered([['q_2_0', v]]),
    question: 2,
  })),
  ...['6', '1.5', 'NaN', NINES, '-1'].map((v) => ({
    what: `score ${JSON.stringify(v.slice(0, 12))}`,
    fields: tampered([['q_3_2', v]]),
    question: 3,
  })),
  { what: 'an option index out of range on a score field', fields: [...valid, ['q_3_7', '1']], question: 3 },
  { what: 'a rank field on a choice question', fields: [...valid, ['q_0_1', '1']], question: 0 },
  { what: 'an unknown question', fields: [...valid, ['q_9', '0']], question: 'q_9' },
];

async function paper(link: string): Promise<{ voter: Client; csrf: string }> {
  const voter = new Client(app.url);
  const page = await voter.request('GET', link);
  expect(page.status).toBe(200);
  return { voter, csrf: /name="csrf" value="([^"]+)"/.exec(await page.text())![1]! };
}

test('the untampered paper reviews cleanly (the cases below differ from it in one field)', async () => {
  const { voter, csrf } = await paper(links[0]!);
  const review = await voter.form(links[0]!, [['csrf', csrf], ...valid, ['step', 'review']]);
  expect(review.status).toBe(200);
  expect(review.text).toContain('Check your vote');
});

test.each(['review', 'cast'])('a tampered value is a 422 naming the question at the %s step', async (step) => {
  const link = links[step === 'review' ? 1 : 2]!;
  const { voter, csrf } = await paper(link);
  for (const c of CASES) {
    const r = await voter.form(link, [['csrf', csrf], ...c.fields, ['step', step]]);
    const alert = /<div class="problem" role="alert">([\s\S]*?)<\/div>/.exec(r.text)?.[1] ?? '';
    const named =
      typeof c.question === 'number'
        ? `${c.question + 1}. ${ballot.questions[c.question]!.title}</a>`
        : `(${c.question})`;
    if (r.status !== 422 || !alert.includes(named))
      throw new Error(`${c.what} at ${step}: status ${r.status}, alert ${JSON.stringify(alert.slice(0, 500))}`);
  }
  // Nothing was cast by any of them: the link still casts the honest paper.
  const done = await voter.form(link, [['csrf', csrf], ...valid, ['step', 'cast']]);
  expect(done.status).toBe(201);
});

test("the API's /vote refuses the same values with a 422 naming the question, and the link stays unused", async () => {
  const link = links[3]!;
  const token = link.split('/v/')[1]!;
  const [yes, approve, rank, score] = ballot.questions.map((q) => q.id) as [string, string, string, string];
  const honest: Record<string, unknown> = {
    [yes]: { kind: 'choice', option: 0 },
    [approve]: { kind: 'marks', options: [0] },
    [rank]: { kind: 'ranking', options: [1, 0] },
    [score]: { kind: 'scores', scores: [null, null, 5] },
  };
  const raw = (answers: Record<string, unknown>) =>
    `{"token":${JSON.stringify(token)},"answers":${JSON.stringify(answers)}}`;
  const cases: Array<{ what: string; body: string; question: string }> = [
    ...['1.5', NINES, '-1', '2', '"NaN"', 'null'].map((v) => ({
      what: `choice ${v.slice(0, 12)}`,
      body: raw(honest).replace('"option":0', `"option":${v}`),
      question: yes,
    })),
    {
      what: 'an unknown mark',
      body: raw({ ...honest, [approve]: { kind: 'marks', options: [3] } }),
      question: approve,
    },
    {
      what: 'a duplicate rank',
      body: raw({ ...honest, [rank]: { kind: 'ranking', options: [1, 1] } }),
      question: rank,
    },
    {
      what: 'a rank out of range',
      body: raw({ ...honest, [rank]: { kind: 'ranking', options: [1, 5] } }),
      question: rank,
    },
    {
      what: 'a score out of range',
      body: raw({ ...honest, [score]: { kind: 'scores', scores: [null, null, 6] } }),
      question: score,
    },
    {
      what: 'a score that is not whole',
      body: raw({ ...honest, [score]: { kind: 'scores', scores: [null, null, 1.5] } }),
      question: score,
    },
    {
      what: 'an unknown question id',
      body: raw({ ...honest, '00000000-0000-4000-8000-000000000000': { kind: 'abstain' } }),
      question: '00000000-0000-4000-8000-000000000000',
    },
  ];
  const client = new Client(app.url);
  for (const c of cases) {
    const r = await client.json('POST', '/api/v1/vote', c.body, { 'content-type': 'application/json' });
    const paths = ((r.body?.errors ?? []) as Array<{ path: string }>).map((e) => e.path);
    if (r.status !== 422 || !paths.some((p) => p.startsWith(`answers.${c.question}`)))
      throw new Error(`${c.what}: status ${r.status}, ${JSON.stringify(r.body)}`);
  }
  expect((await client.json('POST', '/api/v1/vote', { token, answers: honest })).status).toBe(201);
});

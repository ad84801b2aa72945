import { sql } from 'kysely';
import { startSmtpSink, linkIn, waitFor } from './support/smtp';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from './support/app';

let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let app: TestApp;
let org: Client;
beforeAll(async () => {
  smtp = await startSmtpSink();
  app = await startTestApp({ smtpUrl: smtp.url });
  org = await setUpOrganisation(app, 'Rules Union');
  const csv = [
    'email,name,branch',
    ...Array.from({ length: 6 }, (_, i) => `v${i}@example.org,Voter ${i},B${i % 2}`),
  ].join('\n');
  expect((await org.json('POST', '/api/v1/roll/import', csv, { 'content-type': 'text/csv' })).status).toBe(200);
});
afterAll(async () => {
  await app?.close();
  await smtp?.close();
});

const yesNo = (extra: Record<string, unknown> = {}) => ({
  title: 'Motion',
  ...ballotTimes(),
  questions: [{ title: 'Agree?', method: 'yesno' }],
  ...extra,
});

async function openBallot(body = yesNo()) {
  const b = (await org.json('POST', '/api/v1/ballots', body)).body;
  const before = smtp.received.length;
  expect((await org.json('POST', `/api/v1/ballots/${b.id}/open`)).status).toBe(200);
  await waitFor('invitations', () => (smtp.received.length >= before + 6 ? true : undefined));
  const mails = smtp.received.slice(before, before + 6);
  return { ballot: b, links: new Map(mails.map((m) => [m.to[0]!, linkIn(m.raw)])) };
}

const tokenOf = (link: string) => link.split('/v/')[1]!;
const vote = (token: string, ballot: { questions: Array<{ id: string }> }, option = 0) =>
  new Client(app.url).json('POST', '/api/v1/vote', {
    token,
    answers: { [ballot.questions[0]!.id]: { kind: 'choice', option } },
  });

test('unknown, malformed and reused tokens are refused; the page never uses a link up', async () => {
  const { ballot, links } = await openBallot();
  const link = links.get('v0@example.org')!;
  // Looking (as a mail scanner would) twice does not use the link.
  expect((await new Client(app.url).request('GET', link)).status).toBe(200);
  expect((await new Client(app.url).request('GET', link)).status).toBe(200);
  expect((await vote(tokenOf(link), ballot)).status).toBe(201);
  const again = await vote(tokenOf(link), ballot);
  expect(again.status).toBe(409);
  expect(again.body.detail).toBe('this link has already been used to vote');
  expect((await vote('A'.repeat(43), ballot)).status).toBe(404);
  expect((await vote('short', ballot)).status).toBe(404);
  const page = await new Client(app.url).request('GET', `${app.url}/v/${'B'.repeat(43)}`);
  expect(page.status).toBe(404);
  expect(await page.text()).toContain('This voting link is not valid');
});

test('an answer that does not fit the question is refused naming the question', async () => {
  const { ballot, links } = await openBallot();
  const r = await vote(tokenOf(links.get('v1@example.org')!), ballot, 7);
  expect(r.status).toBe(422);
  expect(r.body.errors).toEqual([{ path: `answers.${ballot.questions[0].id}`, message: 'question 1: unknown option' }]);
  // The refused cast did not use the link.
  expect((await vote(tokenOf(links.get('v1@example.org')!), ballot, 0)).status).toBe(201);
});

test('re-issuing a link kills the old one and mails a new one', async () => {
  const { ballot, links } = await openBallot();
  const old = links.get('v2@example.org')!;
  const member = (await org.json('GET', '/api/v1/members?search=v2@example.org')).body[0];
  const before = smtp.received.length;
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/electorate/${member.id}/reissue`)).status).toBe(204);
  const mail = await waitFor('the new link', () =>
    smtp.received.slice(before).find((m) => m.to[0] === 'v2@example.org'),
  );
  const fresh = linkIn(mail.raw);
  expect(fresh).not.toBe(old);
  expect((await vote(tokenOf(old), ballot)).status).toBe(404);
  expect((await vote(tokenOf(fresh), ballot)).status).toBe(201);
  // Once voted, the answer is the same (it does not tell the office who voted); the member
  // gets a note instead of a link, and their vote stands.
  const after = smtp.received.length;
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/electorate/${member.id}/reissue`)).status).toBe(204);
  const note = await waitFor('the note', () => smtp.received.slice(after).find((m) => m.to[0] === 'v2@example.org'));
  expect(note.raw).toContain('already been cast with your link');
  expect(note.raw).not.toContain('/v/');
  expect((await vote(tokenOf(fresh), ballot)).status).toBe(409);
});

test('voting before opening and after closing is refused, by the database clock', async () => {
  const later = {
    opensAt: new Date(Date.now() + 3600_000).toISOString(),
    closesAt: new Date(Date.now() + 7200_000).toISOString(),
  };
  const { ballot, links } = await openBallot(yesNo(later));
  const link = links.get('v3@example.org')!;
  const early = await vote(tokenOf(link), ballot);
  expect(early.status).toBe(409);
  expect(early.body.detail).toBe('voting has not opened yet');
  const page = await new Client(app.url).request('GET', link);
  expect(page.status).toBe(403);
  expect(await page.text()).toContain('Voting has not opened yet');

  // Move the window into the past in the database; the scheduler closes it by itself.
  await sql`update ballots set opens_at = now() - interval '2 hours', closes_at = now() - interval '1 second' where id = ${ballot.id}`.execute(
    app.db,
  );
  const late = await vote(tokenOf(link), ballot);
  expect(late.status).toBe(409);
  expect(late.body.detail).toBe('voting has closed');
  await waitFor('automatic close', async () =>
    (await org.json('GET', `/api/v1/ballots/${ballot.id}`)).body.status === 'closed' ? true : undefined,
  );
  const closedPage = await new Client(app.url).request('GET', link);
  expect(closedPage.status).toBe(410);
});

test('only a draft can be edited or deleted; state changes go in order', async () => {
  const draft = (await org.json('POST', '/api/v1/ballots', yesNo())).body;
  const edited = await org.json('PUT', `/api/v1/ballots/${draft.id}`, yesNo({ title: 'Motion, amended' }));
  expect(edited.status).toBe(200);
  expect(edited.body.title).toBe('Motion, amended');
  expect((await org.json('POST', `/api/v1/ballots/${draft.id}/close`)).status).toBe(409);
  expect((await org.json('POST', `/api/v1/ballots/${draft.id}/open`)).status).toBe(200);
  const refused = await org.json('PUT', `/api/v1/ballots/${draft.id}`, yesNo({ title: 'Sneaky' }));
  expect(refused.status).toBe(409);
  expect(refused.body.detail).toBe('the ballot is open: only a draft can be edited');
  expect((await org.json('DELETE', `/api/v1/ballots/${draft.id}`)).status).toBe(409);
  expect((await org.json('GET', `/api/v1/ballots/${draft.id}`)).body.title).toBe('Motion, amended');
  expect((await org.json('POST', `/api/v1/ballots/${draft.id}/open`)).status).toBe(409);
  expect((await org.json('GET', `/api/v1/ballots/${draft.id}/results`)).status).toBe(409);
});

test('a bad ballot is refused naming each field', async () => {
  const r = await org.json('POST', '/api/v1/ballots', {
    title: '',
    opensAt: '2026-12-02T10:00:00Z',
    closesAt: '2026-12-01T10:00:00Z',
    questions: [
      { title: 'City', method: 'plurality', options: [{ label: 'Leeds' }, { label: 'leeds' }] },
      { title: 'x', method: 'nonsense' },
    ],
  });
  expect(r.status).toBe(422);
  const paths = (r.body.errors as Array<{ path: string }>).map((e) => e.path);
  expect(paths).toEqual(expect.arrayContaining(['title', 'questions.0.options.1.label', 'questions.1.method']));
  const bad = await org.request('POST', '/api/v1/ballots', '{"title":', { 'content-type': 'application/json' });
  expect(bad.status).toBe(400);
  expect(bad.headers.get('content-type')).toContain('application/problem+json');
});

test("an organiser of one organisation can neither read nor change another's", async () => {
  const other = await setUpOrganisation(app, 'Other Union');
  const mine = (await org.json('POST', '/api/v1/ballots', yesNo())).body;
  expect((await other.json('GET', `/api/v1/ballots/${mine.id}`)).status).toBe(404);
  expect((await other.json('PUT', `/api/v1/ballots/${mine.id}`, yesNo({ title: 'Hijack' }))).status).toBe(404);
  expect((await other.json('POST', `/api/v1/ballots/${mine.id}/open`)).status).toBe(404);
  expect((await other.json('GET', `/api/v1/ballots/${mine.id}/turnout`)).status).toBe(404);
  expect((await other.json('GET', `/api/v1/ballots/${mine.id}/invitations`)).status).toBe(404);
  expect((await other.json('GET', '/api/v1/ballots')).body).toEqual([]);
  expect((await other.json('GET', '/api/v1/members')).body).toEqual([]);
  const member = (await org.json('GET', '/api/v1/members?limit=1')).body[0];
  const otherBallot = (await other.json('POST', '/api/v1/ballots', yesNo())).body;
  expect((await other.json('POST', `/api/v1/ballots/${otherBallot.id}/electorate/${member.id}/reissue`)).status).toBe(
    409,
  );
  expect((await org.json('GET', `/api/v1/ballots/${mine.id}`)).body.title).toBe('Motion');
  // And nobody at all without signing in.
  const anon = new Client(app.url);
  for (const [m, p] of [
    ['GET', '/api/v1/ballots'],
    ['GET', `/api/v1/ballots/${mine.id}`],
    ['POST', `/api/v1/ballots/${mine.id}/open`],
    ['GET', '/api/v1/members'],
  ] as const) {
    expect((await anon.json(m, p)).status).toBe(401);
  }
});

test('API tokens work for scripts and can be revoked; cookies cannot be used cross-site', async () => {
  const t = await org.json('POST', '/api/v1/api-tokens', { name: 'import script' });
  expect(t.status).toBe(201);
  expect(t.body.token).toMatch(/^omov_[A-Za-z0-9_-]{43}$/);
  const script = new Client(app.url);
  const auth = { authorization: `Bearer ${t.body.token}` };
  expect((await script.json('GET', '/api/v1/me', undefined, auth)).status).toBe(200);
  const listed = await org.json('GET', '/api/v1/api-tokens');
  expect(JSON.stringify(listed.body)).not.toContain(t.body.token.slice(5));
  expect((await org.json('DELETE', `/api/v1/api-tokens/${t.body.id}`)).status).toBe(204);
  expect((await script.json('GET', '/api/v1/me', undefined, auth)).status).toBe(401);
  const cross = await org.json('POST', '/api/v1/ballots', yesNo(), {
    origin: 'https://evil.example',
    'sec-fetch-site': 'cross-site',
  });
  expect(cross.status).toBe(403);
});

test('sign-in: wrong email and wrong password give the same answer', async () => {
  const c = new Client(app.url);
  const a = await c.json('POST', '/api/v1/session', { email: 'nobody@example.org', password: 'whatever whatever' });
  const me = (await org.json('GET', '/api/v1/me')).body;
  const b = await c.json('POST', '/api/v1/session', { email: me.email, password: 'wrong password here' });
  expect(a.status).toBe(401);
  expect(b.status).toBe(401);
  expect(a.body).toEqual(b.body);
  const ok = await c.json('POST', '/api/v1/session', { email: me.email, password: 'correct horse battery staple' });
  expect(ok.status).toBe(200);
  expect((await c.json('GET', '/api/v1/me')).body.email).toBe(me.email);
  expect((await c.json('DELETE', '/api/v1/session')).status).toBe(204);
  expect((await c.json('GET', '/api/v1/me')).status).toBe(401);
});

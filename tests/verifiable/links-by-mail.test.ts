import { startSmtpSink, waitFor } from '../support/smtp';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';

/**
 * Trustees and the credential authority get their links by email (docs/verifiable.md): the
 * organiser who gives an email never sees the token, the token travels only in the link's
 * fragment, and it is in no log line.
 */
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let app: TestApp;
let org: Client;
const logLines: string[] = [];
beforeAll(async () => {
  smtp = await startSmtpSink();
  app = await startTestApp({ smtpUrl: smtp.url, logLines });
  org = await setUpOrganisation(app);
});
afterAll(async () => {
  await app?.close();
  await smtp?.close();
});

const mode = { kind: 'verifiable', trustees: 3, threshold: 2, credentialAuthority: 'Cara' };
const unfolded = (raw: string) => raw.replace(/=\r?\n/g, '');
const mailTo = (address: string) => smtp.received.find((m) => m.to.includes(address));
/** The token in a mailed link's fragment: /trustee#… or /credential-authority#…. */
const tokenIn = (raw: string, page: string) => {
  const m = new RegExp(`https?://[^\\s"<>]+/${page}#([A-Za-z0-9_-]{43})`).exec(unfolded(raw));
  if (!m) throw new Error(`no ${page} link in the message`);
  return m[1]!;
};

test('trustees given an email are mailed their own link; the organiser sees no token of theirs', async () => {
  const b = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Keys by mail',
      questions: [{ title: 'Adopt?', method: 'yesno' }],
      ...ballotTimes(),
      mode,
    })
  ).body;
  const invited = await org.json('POST', `/api/v1/ballots/${b.id}/trustees`, {
    names: [{ name: 'Ann', email: 'ann@example.org' }, 'Bob', { name: 'Cy', email: 'cy@example.org' }],
  });
  expect(invited.status).toBe(201);
  const [ann, bob, cy] = invited.body.trustees;
  expect(ann).toEqual({ position: 1, name: 'Ann', token: null, mailedTo: 'ann@example.org' });
  expect(cy).toEqual({ position: 3, name: 'Cy', token: null, mailedTo: 'cy@example.org' });
  // Bob has no email: his token is answered, once, to pass on by hand.
  expect(bob.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(bob.mailedTo).toBeNull();

  await waitFor('two trustee emails', () => (mailTo('ann@example.org') && mailTo('cy@example.org') ? true : undefined));
  const annToken = tokenIn(mailTo('ann@example.org')!.raw, 'trustee');
  const cyToken = tokenIn(mailTo('cy@example.org')!.raw, 'trustee');
  expect(annToken).not.toBe(cyToken);
  for (const [token, position] of [
    [annToken, 1],
    [cyToken, 3],
  ] as const) {
    const task = await new Client(app.url).json('GET', '/api/v1/trustee', undefined, {
      authorization: `Bearer ${token}`,
    });
    expect(task.status).toBe(200);
    expect(task.body).toMatchObject({ position, title: 'Keys by mail', next: 'certificate' });
  }
  expect(unfolded(mailTo('ann@example.org')!.raw)).toContain('trustee 1 of 3');

  // The authority's link too: mailed, not answered.
  const authority = await org.json('POST', `/api/v1/ballots/${b.id}/credential-authority`, {
    email: 'cara@example.org',
  });
  expect(authority.status).toBe(201);
  expect(authority.body).toMatchObject({ token: null, mailedTo: 'cara@example.org' });
  await waitFor('the authority email', () => mailTo('cara@example.org'));
  const caraToken = tokenIn(mailTo('cara@example.org')!.raw, 'credential-authority');
  const roll = await new Client(app.url).json('GET', '/api/v1/credential-authority/roll', undefined, {
    authorization: `Bearer ${caraToken}`,
  });
  // The roll is empty here: the link is the authority's all the same (409 is "no eligible member", not 401).
  expect(roll.status).toBe(409);

  // None of the tokens is in any log line (the request lines, the audit).
  const log = logLines.join('\n');
  expect(log).toContain('/api/v1/trustee');
  for (const token of [annToken, cyToken, caraToken, bob.token as string]) expect(log).not.toContain(token);
});

test('an email that is not one is refused, naming the trustee', async () => {
  const b = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Bad mail',
      questions: [{ title: 'Adopt?', method: 'yesno' }],
      ...ballotTimes(),
      mode,
    })
  ).body;
  const r = await org.json('POST', `/api/v1/ballots/${b.id}/trustees`, {
    names: ['Ann', { name: 'Bob', email: 'not an address' }, 'Cy'],
  });
  expect(r.status).toBe(422);
  expect(JSON.stringify(r.body.errors)).toContain('names.1');
});

import { readEml } from '../../src/mail/eml';
import { ballotTimes, Client, setUpOrganisation } from '../support/app';
import { axeContext, axeViolations, describeViolations } from '../support/browser';
import { waitFor } from '../support/machine';
import { browserAndAppPerFile } from './helpers';

/**
 * Development's /dev/outbox: a signed-in organiser reads the decoded messages and follows a
 * voting link to the member's paper; anyone else is sent to sign in.
 */
const EMAIL = 'olive.outbox@example.org';
const PASSWORD = 'correct horse battery staple'; // setUpOrganisation's

let org: Client;
const { app, browser } = browserAndAppPerFile({ env: 'development' });
beforeAll(async () => {
  org = await setUpOrganisation(app(), 'Outbox Union', EMAIL);
  const csv = ['email,name,branch', 'zoe@example.org,Zoë Ünicode-Longname,North'].join('\n');
  expect((await org.json('POST', '/api/v1/roll/import', csv, { 'content-type': 'text/csv' })).status).toBe(200);
  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Grüne Straßen — a motion with a long title',
      ...ballotTimes(),
      questions: [{ title: 'Agree?', method: 'yesno' }],
    })
  ).body;
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  await waitFor('the invitation in the outbox', async () => {
    const page = await org.request('GET', '/dev/outbox');
    const text = await page.text();
    return text.includes('zoe@example.org') ? true : undefined;
  });
});

test('anyone not signed in is sent to sign in, and reads no message', async () => {
  const stranger = new Client(app().url);
  const list = await stranger.request('GET', '/dev/outbox');
  expect(list.status).toBe(303);
  expect(list.headers.get('location')).toMatch(/^\/signin/);
  expect(await list.text()).not.toContain('/v/');
  const one = await stranger.request('GET', '/dev/outbox/anything.eml');
  expect(one.status).toBe(303);
});

test('a signed-in organiser reads the decoded message and follows its voting link to the paper', async () => {
  const context = await axeContext(browser());
  const page = await context.newPage();
  await page.goto(`${app().url}/dev/outbox`);
  expect(page.url()).toContain('/signin');
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: /sign in/i }).click();
  await page.waitForURL(`${app().url}/dev/outbox`);
  // To and Subject, decoded (not =?UTF-8?Q?…?=).
  const row = page.getByRole('row', { name: /zoe@example\.org/ });
  await expect(row.getByRole('link').textContent()).resolves.toContain('Grüne Straßen — a motion with a long title');
  expect(describeViolations('outbox', await axeViolations(page))).toBe('');
  await row.getByRole('link').click();
  await page.waitForURL(/\/dev\/outbox\/.+\.eml$/);
  expect(await page.locator('pre').textContent()).toContain('Dear Zoë Ünicode-Longname');
  expect(describeViolations('message', await axeViolations(page))).toBe('');
  const vote = page.locator('pre a[href*="/v/"]');
  const href = await vote.getAttribute('href');
  // The whole link, not cut where quoted-printable folded the line.
  expect(href).toMatch(/\/v\/[A-Za-z0-9_-]{43}$/);
  await vote.click();
  await page.waitForURL(href!);
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Grüne Straßen');
  await context.close();
});

test('the reader decodes what the composer writes: folded, quoted-printable and base64', () => {
  const raw = [
    'To: =?UTF-8?Q?Zo=C3=AB?= <z@example.org>',
    'Subject: =?UTF-8?Q?Gr=C3=BCne=3A_your_vote?=',
    ' =?UTF-8?B?4oCUIG5vdw==?=',
    'MIME-Version: 1.0',
    'Content-Type: multipart/alternative;',
    ' boundary="--_b"',
    '',
    '----_b',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Vote: http://x/v/AAAA=',
    'BBBB caf=C3=A9',
    '----_b',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('<p>Caf\u00e9</p>').toString('base64'),
    '----_b--',
    '',
  ].join('\n');
  expect(readEml(raw)).toEqual({
    to: 'Zoë <z@example.org>',
    subject: 'Grüne: your vote— now',
    date: '',
    text: 'Vote: http://x/v/AAAABBBB café',
    html: '<p>Café</p>',
  });
});

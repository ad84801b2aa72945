import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from './support/app';
import { linkIn, startSmtpSink, waitFor } from './support/smtp';
import { formatTime, isoToLocal } from '@omov/core/domain/zones';

/**
 * A ballot keeps the time zone its times were typed in: the builder shows them back in it,
 * and members read them in it, with its name, in the email and on the voting page.
 */

let app: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let org: Client;
beforeAll(async () => {
  smtp = await startSmtpSink();
  app = await startTestApp({ smtpUrl: smtp.url });
  org = await setUpOrganisation(app, 'Zone Union');
  expect(
    (
      await org.json('POST', '/api/v1/roll/import', 'email,name,branch\nzoe@example.org,Zoe,North\n', {
        'content-type': 'text/csv',
      })
    ).status,
  ).toBe(200);
});
afterAll(async () => {
  await app?.close();
  await smtp?.close();
});

const csrfOf = (page: string) => /name="csrf" value="([^"]+)"/.exec(page)![1]!;
/** A message's text with quoted-printable soft breaks and =3D undone (enough for plain ASCII). */
const unfold = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');

test('formatTime names the zone, and the summer offset where there is one', () => {
  expect(formatTime(new Date('2027-07-01T20:00:00Z'), 'Europe/London')).toBe('2027-07-01 21:00 BST (Europe/London)');
  expect(formatTime(new Date('2027-01-14T20:00:00Z'), 'Europe/London')).toBe('2027-01-14 20:00 GMT (Europe/London)');
  expect(formatTime(new Date('2027-07-01T20:00:00Z'), 'UTC')).toBe('2027-07-01 20:00 UTC');
  expect(formatTime(new Date('2027-07-01T20:00:00Z'), 'Asia/Kolkata')).toBe('2027-07-02 01:30 GMT+5:30 (Asia/Kolkata)');
  expect(formatTime(new Date('2027-07-01T20:00:00Z'))).toBe('2027-07-01 20:00 UTC');
});

test('the API takes a zone by its IANA name (any case), keeps it, and refuses one that is not a zone', async () => {
  const made = await org.json('POST', '/api/v1/ballots', {
    title: 'Zoned',
    ...ballotTimes(),
    timeZone: 'europe/london',
    questions: [{ title: 'Q', method: 'yesno' }],
  });
  expect(made.status).toBe(201);
  expect(made.body.timeZone).toBe('Europe/London');
  expect((await org.json('GET', `/api/v1/ballots/${made.body.id}`)).body.timeZone).toBe('Europe/London');
  const plain = await org.json('POST', '/api/v1/ballots', {
    title: 'Unzoned',
    ...ballotTimes(),
    questions: [{ title: 'Q', method: 'yesno' }],
  });
  expect(plain.body.timeZone).toBe('UTC');
  // A zone the builder's list lacks is offered, chosen, when the draft is edited: saving keeps it.
  const fixed = await org.json('POST', '/api/v1/ballots', {
    title: 'Fixed offset',
    ...ballotTimes(),
    timeZone: 'Etc/GMT+5',
    questions: [{ title: 'Q', method: 'yesno' }],
  });
  expect(fixed.body.timeZone).toBe('Etc/GMT+5');
  expect(await (await org.request('GET', `/ballots/${fixed.body.id}/edit`)).text()).toMatch(
    /<option value="Etc\/GMT\+5" selected>/,
  );
  const bad = await org.json('POST', '/api/v1/ballots', {
    title: 'Bad',
    ...ballotTimes(),
    timeZone: 'Mars/Olympus_Mons',
    questions: [{ title: 'Q', method: 'yesno' }],
  });
  expect(bad.status).toBe(422);
  expect(bad.body.errors).toEqual([
    { path: 'timeZone', message: 'Choose a time zone by its IANA name, such as Europe/London' },
  ]);
});

test('a draft built in Europe/London comes back in London time; members read the closing time in it, named', async () => {
  const form = await org.request('GET', '/ballots/new');
  const csrf = csrfOf(await form.text());
  const opens = new Date(Date.now() - 120_000);
  // Closing on a summer evening: 21:00 in London is 20:00 UTC.
  const fields: Array<[string, string]> = [
    ['csrf', csrf],
    ['title', 'Summer ballot'],
    ['description', ''],
    ['opensAt', isoToLocal(opens, 'Europe/London')],
    ['closesAt', '2027-07-01T21:00'],
    ['zone', 'Europe/London'],
    ['k', '1'],
    ['receiptPolicy', 'inclusion'],
    ['reminderHours', ''],
    ['questions', '1'],
    ['q0_title', 'Adopt?'],
    ['q0_method', 'yesno'],
    ['q0_threshold', '1/2'],
    ['do', 'save'],
  ];
  const saved = await org.form('/ballots/new', fields);
  expect(saved.status).toBe(303);
  const list = (await org.json('GET', '/api/v1/ballots')).body as Array<{
    id: string;
    title: string;
    closesAt: string;
    timeZone: string;
  }>;
  const b = list.find((x) => x.title === 'Summer ballot')!;
  expect(b.timeZone).toBe('Europe/London');
  expect(new Date(b.closesAt).toISOString()).toBe('2027-07-01T20:00:00.000Z');

  // Editing shows the times as they were typed, and the zone chosen.
  const edit = await (await org.request('GET', `/ballots/${b.id}/edit`)).text();
  expect(edit).toMatch(/<input id="closesAt" name="closesAt" type="text" value="2027-07-01 21:00"/);
  expect(edit).toMatch(/<option value="Europe\/London" selected>/);
  // The next new ballot starts in the same zone.
  expect(await (await org.request('GET', '/ballots/new')).text()).toMatch(/<option value="Europe\/London" selected>/);
  const overview = await (await org.request('GET', `/ballots/${b.id}`)).text();
  expect(overview).toContain('2027-07-01 21:00 BST (Europe/London)');

  const before = smtp.received.length;
  expect((await org.json('POST', `/api/v1/ballots/${b.id}/open`)).status).toBe(200);
  const mail = await waitFor('the invitation', () =>
    smtp.received.slice(before).find((m) => m.to.includes('zoe@example.org')),
  );
  const body = unfold(mail.raw);
  expect(body).toContain('2027-07-01 21:00 BST (Europe/London)');
  expect(body).not.toContain('2027-07-01 20:00 UTC');
  const page = await (await new Client(app.url).request('GET', linkIn(mail.raw))).text();
  expect(page).toContain('2027-07-01 21:00 BST (Europe/London)');
});

import { listAudit } from '../src/data/audit';
import { readEml } from '../src/mail/eml';
import { ballotTimes, type Client, setUpOrganisation, startTestApp, type TestApp } from './support/app';
import { startSmtpSink, waitFor } from './support/smtp';

/**
 * "Send a reminder now" over the API: a retried request with the same Idempotency-Key sends
 * once and answers as the first did; a new request within the cooldown is refused (429 with
 * Retry-After and the time it ends); refusals are in the audit log. The messages are counted
 * at a real SMTP sink.
 */
let app: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let org: Client;
let ballotId: string;

const reminders = () => smtp.received.filter((m) => readEml(m.raw).subject.startsWith('Reminder:'));

beforeAll(async () => {
  smtp = await startSmtpSink();
  app = await startTestApp({ smtpUrl: smtp.url });
  org = await setUpOrganisation(app, 'Guard Union');
  const csv = ['email,name,branch', ...Array.from({ length: 5 }, (_, i) => `r${i}@example.org,R ${i},North`)].join(
    '\n',
  );
  expect((await org.json('POST', '/api/v1/roll/import', csv, { 'content-type': 'text/csv' })).status).toBe(200);
  const b = await org.json('POST', '/api/v1/ballots', {
    title: 'Reminded',
    ...ballotTimes(),
    questions: [{ title: 'Agree?', method: 'yesno' }],
  });
  ballotId = b.body.id;
  expect((await org.json('POST', `/api/v1/ballots/${ballotId}/open`)).status).toBe(200);
  await waitFor('the five invitations', async () => (smtp.received.length >= 5 ? true : undefined));
});
afterAll(async () => {
  await app?.close();
  await smtp?.close();
});

test('the count comes first; the same key twice sends once; another key within the cooldown is refused and logged', async () => {
  const before = await org.json('GET', `/api/v1/ballots/${ballotId}/reminders`);
  expect(before.status).toBe(200);
  expect(before.body).toMatchObject({ recipients: 5, lastAt: null, cooldownEndsAt: null });

  const key = 'c0ffee00-0000-4000-8000-000000000001';
  const [first, again] = await Promise.all([
    org.json('POST', `/api/v1/ballots/${ballotId}/reminders`, undefined, { 'idempotency-key': key }),
    org.json('POST', `/api/v1/ballots/${ballotId}/reminders`, undefined, { 'idempotency-key': key }),
  ]);
  expect([first.status, again.status]).toEqual([200, 200]);
  expect([first.body.queued, again.body.queued]).toEqual([5, 5]);
  expect([first.body.repeated, again.body.repeated].sort()).toEqual([false, true]);

  const other = await org.request('POST', `/api/v1/ballots/${ballotId}/reminders`, undefined, {
    'idempotency-key': 'c0ffee00-0000-4000-8000-000000000002',
  });
  expect(other.status).toBe(429);
  expect(Number(other.headers.get('retry-after'))).toBeGreaterThan(25 * 60);
  expect(((await other.json()) as { detail: string }).detail).toMatch(/the next can be sent from .*30 minutes apart/);

  const state = await org.json('GET', `/api/v1/ballots/${ballotId}/reminders`);
  expect(state.body.cooldownEndsAt).not.toBeNull();
  expect(new Date(state.body.cooldownEndsAt).getTime() - new Date(state.body.lastAt).getTime()).toBe(30 * 60_000);

  await waitFor('five reminders at the sink', async () => (reminders().length >= 5 ? true : undefined));
  // Everything queued has been sent: nothing more is on its way.
  await waitFor('an empty queue', async () => {
    const p = (await org.json('GET', `/api/v1/ballots/${ballotId}/invitations`)).body.progress.reminder;
    return p.queued + p.sending === 0 ? true : undefined;
  });
  expect(reminders()).toHaveLength(5);

  const log = (
    await listAudit(app.db, (await org.json('GET', `/api/v1/ballots/${ballotId}`)).body.organisationId)
  ).filter((e) => e.subject === ballotId);
  expect(log.filter((e) => e.action === 'reminders.send')).toHaveLength(1);
  const refused = log.filter((e) => e.action === 'reminders.refused');
  expect(refused).toHaveLength(1);
  expect(String(refused[0]!.details.reason)).toMatch(/30 minutes apart/);
});

test('a malformed key is refused naming the header, and sends nothing', async () => {
  const r = await org.json('POST', `/api/v1/ballots/${ballotId}/reminders`, undefined, { 'idempotency-key': 'x' });
  expect(r.status).toBe(422);
  expect(r.body.errors[0].path).toBe('headers.idempotency-key');
});

test('a closed ballot refuses a reminder with 409, in the log', async () => {
  expect((await org.json('POST', `/api/v1/ballots/${ballotId}/close`)).status).toBeLessThan(300);
  const r = await org.json('POST', `/api/v1/ballots/${ballotId}/reminders`, undefined, {
    'idempotency-key': 'c0ffee00-0000-4000-8000-000000000003',
  });
  expect(r.status).toBe(409);
  const log = await listAudit(app.db, (await org.json('GET', `/api/v1/ballots/${ballotId}`)).body.organisationId);
  expect(log.filter((e) => e.subject === ballotId && e.action === 'reminders.refused')).toHaveLength(2);
});

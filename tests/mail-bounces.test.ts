import { startSmtpSink, waitFor } from './support/smtp';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from './support/app';

const SECRET = 'webhook-secret-0123456789-0123456789-xyz';

let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let app: TestApp;
beforeAll(async () => {
  smtp = await startSmtpSink();
  app = await startTestApp({ smtpUrl: smtp.url });
  (app.ctx.config as { mailEventsSecret: string | undefined }).mailEventsSecret = SECRET;
});
afterAll(async () => { await app?.close(); await smtp?.close(); });

test('a bounce reported by the provider after delivery shows among the failed deliveries', async () => {
  const org = await setUpOrganisation(app);
  await org.json('POST', '/api/v1/roll/import', 'email,name,branch\ngood@example.org,Good,B\ngone@example.org,Gone,B\n', { 'content-type': 'text/csv' });
  const b = (await org.json('POST', '/api/v1/ballots', { title: 'Bounce', ...ballotTimes(), questions: [{ title: 'Q', method: 'yesno' }] })).body;
  await org.json('POST', `/api/v1/ballots/${b.id}/open`);
  const gone = await waitFor('the invitation', () => smtp.received.find((m) => m.to[0] === 'gone@example.org'));
  // The queue named the message; the provider's report quotes that Message-ID.
  const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(gone.raw)![1]!;
  expect(messageId).toMatch(/^<[0-9a-f-]{36}@127\.0\.0\.1>$/);
  const hook = (auth?: string) => new Client(app.url).json('POST', '/api/v1/mail-events',
    { events: [{ messageId, type: 'bounce', detail: '550 5.1.1 mailbox does not exist' }, { messageId: '<nobody@elsewhere>', type: 'bounce' }] },
    auth ? { authorization: `Bearer ${auth}` } : {});
  expect((await hook()).status).toBe(401);
  expect((await hook('wrong-secret-0123456789-0123456789-xyz')).status).toBe(401);
  const ok = await hook(SECRET);
  expect(ok.status).toBe(200);
  expect(ok.body).toEqual({ marked: 1, unknown: 1 });
  const inv = (await org.json('GET', `/api/v1/ballots/${b.id}/invitations`)).body;
  expect(inv.progress.invitation).toMatchObject({ sent: 1, bounced: 1 });
  expect(inv.failed).toEqual([expect.objectContaining({ recipient: 'gone@example.org', status: 'bounced', lastError: 'bounced: 550 5.1.1 mailbox does not exist' })]);
  // A second report of the same bounce changes nothing.
  expect((await hook(SECRET)).body).toEqual({ marked: 0, unknown: 2 });
  const log = (await org.json('GET', '/api/v1/audit-log')).body.entries.map((e: { action: string }) => e.action);
  expect(log.filter((a: string) => a === 'mail.bounce')).toHaveLength(1);
});

test('without MAIL_EVENTS_SECRET the webhook is off', async () => {
  const other = await startTestApp({ db: { db: app.db, url: app.dbUrl } });
  try {
    const r = await new Client(other.url).json('POST', '/api/v1/mail-events', { events: [{ messageId: '<x@y>', type: 'bounce' }] }, { authorization: `Bearer ${SECRET}` });
    expect(r.status).toBe(404);
    expect(r.body.detail).toMatch(/MAIL_EVENTS_SECRET/);
  } finally {
    await other.stop();
  }
});

import { sql } from 'kysely';
import * as outbox from '../src/data/outbox';
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
afterAll(async () => {
  await app?.close();
  await smtp?.close();
});

test('a bounce reported by the provider after delivery shows among the failed deliveries', async () => {
  const org = await setUpOrganisation(app);
  await org.json(
    'POST',
    '/api/v1/roll/import',
    'email,name,branch\ngood@example.org,Good,B\ngone@example.org,Gone,B\n',
    { 'content-type': 'text/csv' },
  );
  const b = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Bounce',
      ...ballotTimes(),
      questions: [{ title: 'Q', method: 'yesno' }],
    })
  ).body;
  await org.json('POST', `/api/v1/ballots/${b.id}/open`);
  const gone = await waitFor('the invitation', () => smtp.received.find((m) => m.to[0] === 'gone@example.org'));
  // The queue named the message; the provider's report quotes that Message-ID.
  const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(gone.raw)![1]!;
  expect(messageId).toMatch(/^<[0-9a-f-]{36}@127\.0\.0\.1>$/);
  const hook = (auth?: string) =>
    new Client(app.url).json(
      'POST',
      '/api/v1/mail-events',
      {
        events: [
          { messageId, type: 'bounce', detail: '550 5.1.1 mailbox does not exist' },
          { messageId: '<nobody@elsewhere>', type: 'bounce' },
        ],
      },
      auth ? { authorization: `Bearer ${auth}` } : {},
    );
  expect((await hook()).status).toBe(401);
  expect((await hook('wrong-secret-0123456789-0123456789-xyz')).status).toBe(401);
  const ok = await hook(SECRET);
  expect(ok.status).toBe(200);
  expect(ok.body).toEqual({ marked: 1, unknown: 1 });
  // The other invitation may still be on its way (sending) when the report comes.
  const inv = await waitFor('the other invitation recorded as sent', async () => {
    const body = (await org.json('GET', `/api/v1/ballots/${b.id}/invitations`)).body;
    return body.progress.invitation.sending === 0 && body.progress.invitation.queued === 0 ? body : undefined;
  });
  expect(inv.progress.invitation).toMatchObject({ sent: 1, bounced: 1 });
  expect(inv.failed).toEqual([
    expect.objectContaining({
      recipient: 'gone@example.org',
      status: 'bounced',
      lastError: 'bounced: 550 5.1.1 mailbox does not exist',
    }),
  ]);
  const page = await (await org.request('GET', `/ballots/${b.id}/invitations`)).text();
  expect(page).toMatch(
    /<th scope="row">gone@example.org<\/th><td>[^<]+<\/td><td class="num">1<\/td><td>bounced: 550 5.1.1 mailbox does not exist<\/td>/,
  );
  expect(page).toContain('show here as they are reported (bounce webhook on)');
  // A second report of the same bounce changes nothing.
  expect((await hook(SECRET)).body).toEqual({ marked: 0, unknown: 2 });
  const log = (await org.json('GET', '/api/v1/audit-log')).body.entries.map((e: { action: string }) => e.action);
  expect(log.filter((a: string) => a === 'mail.bounce')).toHaveLength(1);
});

test("a bounce reported before the sender has recorded the hand-over's answer stays a bounce", async () => {
  const org = await setUpOrganisation(app);
  await org.json('POST', '/api/v1/roll/import', 'email,name,branch\nquick@example.org,Quick,B\n', {
    'content-type': 'text/csv',
  });
  const b = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Race',
      ...ballotTimes(),
      questions: [{ title: 'Q', method: 'yesno' }],
    })
  ).body;
  await org.json('POST', `/api/v1/ballots/${b.id}/open`);
  await waitFor('the invitation', () => smtp.received.find((m) => m.to[0] === 'quick@example.org'));
  const idOf = async () =>
    (
      await sql<{ id: string; status: string }>`select id, status from mail_outbox where ballot_id = ${b.id}`.execute(
        app.db,
      )
    ).rows[0]!;
  const row = await waitFor('the invitation recorded as sent', async () =>
    (await idOf()).status === 'sent' ? idOf() : undefined,
  );
  // Replay the order of a fast provider: the message is handed over, the bounce is reported, then the sender records "sent".
  await sql`update mail_outbox set status = 'handed' where id = ${row.id}`.execute(app.db);
  expect(await outbox.markBounced(app.db, row.id, 'bounced: 550')).toEqual({
    ballotId: b.id,
    organisationId: expect.any(String),
  });
  await outbox.markSent(app.db, [row.id]);
  expect((await idOf()).status).toBe('bounced');
  // A message still being sent (claimed, not handed over) cannot bounce.
  await sql`update mail_outbox set status = 'sending' where id = ${row.id}`.execute(app.db);
  expect(await outbox.markBounced(app.db, row.id, 'bounced: 550')).toBeUndefined();
});

test('without MAIL_EVENTS_SECRET the webhook is off', async () => {
  const other = await startTestApp({ db: { db: app.db, url: app.dbUrl } });
  try {
    const r = await new Client(other.url).json(
      'POST',
      '/api/v1/mail-events',
      { events: [{ messageId: '<x@y>', type: 'bounce' }] },
      { authorization: `Bearer ${SECRET}` },
    );
    expect(r.status).toBe(404);
    expect(r.body.detail).toMatch(/MAIL_EVENTS_SECRET/);
  } finally {
    await other.stop();
  }
});

/** A bounce as Postfix writes it: a report, the delivery status, the returned headers. */
function postfixBounce(opts: {
  envelopeId?: string;
  messageId?: string;
  recipient: string;
  action?: string;
  status?: string;
}): string {
  return [
    'From: MAILER-DAEMON@mx.example.org (Mail Delivery System)',
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status;',
    '\tboundary="B0UND.1"',
    '',
    'This is a MIME-encapsulated message.',
    '',
    '--B0UND.1',
    'Content-Description: Notification',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    "I'm sorry to have to inform you that your message could not be delivered.",
    '',
    '--B0UND.1',
    'Content-Description: Delivery report',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.org',
    ...(opts.envelopeId ? [`Original-Envelope-Id: ${opts.envelopeId}`] : []),
    'Arrival-Date: Wed, 25 Nov 2026 10:00:00 +0000 (UTC)',
    '',
    `Final-Recipient: rfc822; ${opts.recipient}`,
    `Original-Recipient: rfc822;${opts.recipient}`,
    `Action: ${opts.action ?? 'failed'}`,
    `Status: ${opts.status ?? '5.1.1'}`,
    'Remote-MTA: dns; mail.example.org',
    'Diagnostic-Code: smtp; 550 5.1.1 <gone@example.org>: Recipient address',
    '    rejected: User unknown',
    '',
    '--B0UND.1',
    'Content-Description: Undelivered Message Headers',
    'Content-Type: text/rfc822-headers',
    'Content-Transfer-Encoding: 7bit',
    '',
    'From: omov <ballots@localhost>',
    `To: ${opts.recipient}`,
    'Subject: Your vote',
    ...(opts.messageId ? [`Message-ID: ${opts.messageId}`] : []),
    '',
    '--B0UND.1--',
    '',
  ].join('\r\n');
}

test('a bounce message from the mail server, posted whole, marks the message it names', async () => {
  const org = await setUpOrganisation(app);
  await org.json(
    'POST',
    '/api/v1/roll/import',
    'email,name,branch\nfine@example.org,Fine,B\nlost@example.org,Lost,B\nslow@example.org,Slow,B\n',
    { 'content-type': 'text/csv' },
  );
  const b = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'DSN',
      ...ballotTimes(),
      questions: [{ title: 'Q', method: 'yesno' }],
    })
  ).body;
  await org.json('POST', `/api/v1/ballots/${b.id}/open`);
  const lost = await waitFor('the invitation', () => smtp.received.find((m) => m.to[0] === 'lost@example.org'));
  const slow = await waitFor('the invitation', () => smtp.received.find((m) => m.to[0] === 'slow@example.org'));
  const messageIdOf = (raw: string) => /^Message-ID:\s*(<[^>]+>)/im.exec(raw)![1]!;
  // The server offered DSN: the message went with its id as its envelope id.
  expect(lost.envelopeId).toBe(messageIdOf(lost.raw));

  const post = (raw: string, auth = SECRET, type = 'message/rfc822') =>
    new Client(app.url).json('POST', '/api/v1/mail-events/dsn', raw, {
      'content-type': type,
      authorization: `Bearer ${auth}`,
    });
  const byEnvelope = postfixBounce({ envelopeId: lost.envelopeId, recipient: 'lost@example.org' });
  expect((await post(byEnvelope, 'wrong-secret-0123456789-0123456789-xyz')).status).toBe(401);
  expect((await post('{"events":[]}', SECRET, 'application/json')).status).toBe(415);
  const ok = await post(byEnvelope);
  expect(ok.status).toBe(200);
  expect(ok.body).toEqual({ marked: 1, unknown: 0, notFailed: 0 });
  // A delay is not a failure.
  const delayed = await post(
    postfixBounce({
      messageId: messageIdOf(slow.raw),
      recipient: 'slow@example.org',
      action: 'delayed',
      status: '4.4.1',
    }),
  );
  expect(delayed.body).toEqual({ marked: 0, unknown: 0, notFailed: 1 });
  const inv = (await org.json('GET', `/api/v1/ballots/${b.id}/invitations`)).body;
  expect(inv.failed).toEqual([
    expect.objectContaining({
      recipient: 'lost@example.org',
      status: 'bounced',
      lastError: 'bounced: 5.1.1 550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown',
    }),
  ]);

  // Named only by the returned headers' Message-ID (a server without DSN): marked too.
  const fine = await waitFor('the invitation', () => smtp.received.find((m) => m.to[0] === 'fine@example.org'));
  expect((await post(postfixBounce({ messageId: messageIdOf(fine.raw), recipient: 'fine@example.org' }))).body).toEqual(
    { marked: 1, unknown: 0, notFailed: 0 },
  );
  // Not ours, and not a bounce at all.
  expect(
    (await post(postfixBounce({ messageId: '<other@elsewhere.example>', recipient: 'x@elsewhere.example' }))).body,
  ).toEqual({ marked: 0, unknown: 1, notFailed: 0 });
  const junk = await post('Subject: hello\r\n\r\njust a letter\r\n');
  expect(junk.status).toBe(422);
  expect(junk.body.detail).toMatch(/not a delivery status notification/);
});

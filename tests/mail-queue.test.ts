import { startSmtpSink, waitFor } from './support/smtp';
import { scaled } from './support/machine';
import { ballotTimes, setUpOrganisation, startTestApp, type TestApp } from './support/app';
import { freePort } from '../src/platform/net';

/**
 * SMTP is down while the invitations go out: the queue keeps them, retries with backoff,
 * and once the server is back every member gets exactly one invitation.
 */
test('SMTP down while invitations go out: nothing lost, nothing doubled once it is back', async () => {
  const port = await freePort();
  const app: TestApp = await startTestApp({
    smtpUrl: `smtp://127.0.0.1:${port}`,
    worker: { retryBaseSeconds: 1, pollMs: 100 },
  });
  try {
    const org = await setUpOrganisation(app);
    const csv = [
      'email,name,branch',
      ...Array.from({ length: 30 }, (_, i) => `m${i}@example.org,M ${i},B${i % 3}`),
    ].join('\n');
    await org.json('POST', '/api/v1/roll/import', csv, { 'content-type': 'text/csv' });
    const ballot = (
      await org.json('POST', '/api/v1/ballots', {
        title: 'Outage',
        ...ballotTimes(),
        questions: [{ title: 'Agree?', method: 'yesno' }],
      })
    ).body;
    await org.json('POST', `/api/v1/ballots/${ballot.id}/open`);

    // Nothing listens on the port: every attempt fails and is rescheduled.
    await waitFor('failed attempts', async () => {
      const rows = await app.db
        .selectFrom('mail_outbox')
        .select(['attempts', 'last_error'])
        .where('ballot_id', '=', ballot.id)
        .execute();
      return rows.length === 30 && rows.every((r) => r.attempts >= 1 && r.last_error) ? true : undefined;
    });
    const progress = (await org.json('GET', `/api/v1/ballots/${ballot.id}/invitations`)).body.progress.invitation;
    expect(progress.sent).toBe(0);
    expect(progress.failed).toBe(0);
    expect(progress.queued + progress.sending).toBe(30);

    // Then a server that accepts the connection but refuses each message for a while.
    const smtp = await startSmtpSink({ port });
    smtp.setRefusing(true);
    // The worker comes back to the queue and is refused, more than once.
    await waitFor('refused attempts', () => smtp.refused >= 2);
    expect(smtp.received).toHaveLength(0);
    smtp.setRefusing(false);
    try {
      await waitFor(
        'all 30 invitations',
        async () => {
          const p = (await org.json('GET', `/api/v1/ballots/${ballot.id}/invitations`)).body.progress.invitation;
          return p.sent === 30 ? true : undefined;
        },
        60000,
      );
      // A late second copy of any message would arrive by now (0.5 s on a quiet machine).
      await new Promise((r) => setTimeout(r, scaled(500)));
      const recipients = smtp.received.map((m) => m.to[0]);
      expect(recipients).toHaveLength(30);
      expect(new Set(recipients).size).toBe(30);
      // Sent messages no longer hold their link.
      const left = await app.db
        .selectFrom('mail_outbox')
        .select('sealed_secret')
        .where('ballot_id', '=', ballot.id)
        .where('sealed_secret', 'is not', null)
        .execute();
      expect(left).toHaveLength(0);
    } finally {
      await smtp.close();
    }
  } finally {
    await app.close();
  }
});

test('two instances sending from one queue send each message once', async () => {
  const smtp = await startSmtpSink();
  const a = await startTestApp({ smtpUrl: smtp.url });
  const b = await startTestApp({ smtpUrl: smtp.url, db: { db: a.db, url: a.dbUrl } });
  try {
    const org = await setUpOrganisation(a);
    const csv = [
      'email,name,branch',
      ...Array.from({ length: 200 }, (_, i) => `p${i}@example.org,P ${i},B${i % 7}`),
    ].join('\n');
    await org.json('POST', '/api/v1/roll/import', csv, { 'content-type': 'text/csv' });
    const ballot = (
      await org.json('POST', '/api/v1/ballots', {
        title: 'Pair',
        ...ballotTimes(),
        questions: [{ title: 'Agree?', method: 'yesno' }],
      })
    ).body;
    await org.json('POST', `/api/v1/ballots/${ballot.id}/open`);
    b.worker!.kick();
    await waitFor('200 invitations', () => (smtp.received.length >= 200 ? true : undefined), 60000);
    await new Promise((r) => setTimeout(r, scaled(500)));
    expect(smtp.received).toHaveLength(200);
    expect(new Set(smtp.received.map((m) => m.to[0])).size).toBe(200);
  } finally {
    await b.stop();
    await a.close();
    await smtp.close();
  }
});

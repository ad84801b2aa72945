import { createDb } from '../src/db/database';
import { smtpMailer } from '../src/mail/transport';
import { MailWorker } from '../src/processes/mail-worker';
import { ballotTimes, setUpOrganisation, startTestApp, type TestApp } from './support/app';
import { startSmtpSink } from './support/smtp';

/**
 * Sending at the speed of the mail path: pooled connections within the provider's limits,
 * claims and marks in batches, a rate limit that bounds each claim. Each test runs a mail
 * worker of its own on a database handle that counts the statements it sends.
 */

async function openedBallot(app: TestApp, members: number): Promise<string> {
  const org = await setUpOrganisation(app);
  const csv = ['email,name,branch', ...Array.from({ length: members }, (_, i) => `s${i}@example.org,S ${i},B${i % 4}`)];
  await org.json('POST', '/api/v1/roll/import', csv.join('\n'), { 'content-type': 'text/csv' });
  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Sending',
      ...ballotTimes(),
      questions: [{ title: 'Agree?', method: 'yesno' }],
    })
  ).body as { id: string };
  const opened = await org.json('POST', `/api/v1/ballots/${ballot.id}/open`);
  if (opened.status >= 400) throw new Error(`open: ${opened.status}`);
  return ballot.id;
}

/** The app's context on a database handle of its own that keeps every statement's text. */
function counting(app: TestApp) {
  const statements: string[] = [];
  const db = createDb(app.dbUrl, { max: 4, onQuery: (_ms, sql) => statements.push(sql) });
  return { ctx: { ...app.ctx, db }, statements, close: () => db.destroy() };
}

const claims = (s: string[]) => s.filter((q) => /for update skip locked/.test(q)).length;
const handOvers = (s: string[]) => s.filter((q) => /set status = 'handed'/.test(q)).length;
// markSent's statements only: settleHandedOver (run before each claim) sets the same columns but picks rows by lease.
const sentMarks = (s: string[]) =>
  s.filter((q) => /^update "mail_outbox" set "status" = \$1, "sent_at".* where "id" = any\(/.test(q)).length;

test('pooled connections within the limits; claims and marks in batches; each member mailed once', async () => {
  const smtp = await startSmtpSink();
  const app = await startTestApp({ smtpUrl: smtp.url, settings: { MAIL_WORKER: 'off' } });
  const c = counting(app);
  const mailer = smtpMailer(smtp.url, 'omov <ballots@omov.test>', {
    connections: 2,
    messagesPerConnection: 25,
    ratePerSecond: 0,
  });
  try {
    await openedBallot(app, 120);
    const worker = new MailWorker(c.ctx, mailer, { batchSize: 50 });
    let handled = 0;
    while (handled < 120) {
      const n = await worker.drain();
      if (!n) break;
      handled += n;
    }
    await worker.stop();

    expect(handled).toBe(120);
    const recipients = smtp.received.map((m) => m.to[0]);
    expect(recipients).toHaveLength(120);
    expect(new Set(recipients).size).toBe(120);
    const states = await app.db.selectFrom('mail_outbox').select('status').where('kind', '=', 'invitation').execute();
    expect(states.filter((s) => s.status === 'sent')).toHaveLength(120);

    // Never more than two connections at once; each carried up to 25 messages, then was renewed.
    expect(smtp.sessions.peak).toBeLessThanOrEqual(2);
    expect(smtp.sessions.opened).toBeGreaterThanOrEqual(120 / 25);
    expect(smtp.sessions.opened).toBeLessThan(120 / 10);
    // 120 due in claims of 50 (the last one finds nothing); the hand-overs of the messages that
    // set out together share a statement; no message needs a statement of its own to be marked sent.
    expect(claims(c.statements)).toBeGreaterThanOrEqual(3);
    expect(claims(c.statements)).toBeLessThanOrEqual(4);
    expect(handOvers(c.statements)).toBeLessThan(120);
    expect(sentMarks(c.statements)).toBeGreaterThanOrEqual(1);
    expect(sentMarks(c.statements)).toBeLessThanOrEqual(120);
    expect(handOvers(c.statements)).toBeGreaterThanOrEqual(1);
  } finally {
    mailer.close();
    await c.close();
    await app.close();
    await smtp.close();
  }
});

test('a provider rate limit bounds each claim to what can go out within a quarter of the lease', async () => {
  const smtp = await startSmtpSink();
  const app = await startTestApp({ smtpUrl: smtp.url, settings: { MAIL_WORKER: 'off' } });
  const c = counting(app);
  // 2 a second with a 20-second lease: claims of 10.
  const mailer = smtpMailer(smtp.url, 'omov <ballots@omov.test>', {
    connections: 2,
    messagesPerConnection: 100,
    ratePerSecond: 2,
  });
  try {
    await openedBallot(app, 35);
    const worker = new MailWorker(c.ctx, mailer, { leaseSeconds: 20 });
    let handled = 0;
    while (handled < 35) {
      const n = await worker.drain();
      if (!n) break;
      handled += n;
    }
    await worker.stop();
    const recipients = smtp.received.map((m) => m.to[0]);
    expect(recipients).toHaveLength(35);
    expect(new Set(recipients).size).toBe(35);
    // 35 in claims of at most 10: four that found messages (unlimited, one claim would take all).
    expect(claims(c.statements)).toBeGreaterThanOrEqual(4);
  } finally {
    mailer.close();
    await c.close();
    await app.close();
    await smtp.close();
  }
});

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { folderMailer, type OutgoingMail, smtpMailer } from '../src/mail/transport';
import { startSmtpSink } from './support/smtp';

/** The hand-over hook that makes sending exactly-once: it runs before the message is committed, and can stop it. */

const mail = (to: string): OutgoingMail => ({
  to,
  subject: 'Your vote',
  text: 'Vote here.',
  html: '<p>Vote here.</p>',
  messageId: `<${to}@omov.test>`,
});

describe('SMTP', () => {
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(() => sink.close());

  test('the hand-over runs before the server has the message; a failing hand-over delivers nothing', async () => {
    const mailer = smtpMailer(sink.url, 'omov <ballots@omov.test>');
    try {
      let seenAtHandOver = -1;
      await mailer.send(mail('a@example.org'), async () => {
        seenAtHandOver = sink.received.length;
      });
      expect(seenAtHandOver).toBe(0);
      expect(sink.received.map((m) => m.to)).toEqual([['a@example.org']]);
      expect(sink.received[0]!.envelopeId).toBe('<a@example.org@omov.test>');

      await expect(
        mailer.send(mail('b@example.org'), async () => {
          throw new Error('the database is down');
        }),
      ).rejects.toThrow('the database is down');
      // The next message goes through the pool as usual; b's never arrived.
      await mailer.send(mail('c@example.org'));
      expect(sink.received.map((m) => m.to[0])).toEqual(['a@example.org', 'c@example.org']);
    } finally {
      mailer.close();
    }
  });
});

describe('the outbox folder', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'omov-outbox-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  test('a message is one whole .eml file', async () => {
    const mailer = folderMailer(dir, 'omov <ballots@omov.test>');
    await mailer.send(mail('a@example.org'), async () => undefined);
    const files = await fs.readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.eml$/);
    expect(await fs.readFile(path.join(dir, files[0]!), 'utf8')).toMatch(/^Message-ID: <a@example\.org@omov\.test>$/m);
  });

  test('a failed hand-over leaves no file behind, whole or partial', async () => {
    const mailer = folderMailer(dir, 'omov <ballots@omov.test>');
    await expect(
      mailer.send(mail('a@example.org'), async () => {
        throw new Error('the database is down');
      }),
    ).rejects.toThrow('the database is down');
    expect(await fs.readdir(dir)).toEqual([]);
  });
});

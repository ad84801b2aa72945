import type { ElectionRecord } from '@omov/core/record/record';
import { verifyRecord } from '@omov/core/record/verify';
import argon2 from 'argon2';
import { sql } from 'kysely';
import { loadConfig } from '../../src/platform/config';
import { createDb } from '../../src/db/database';
import { startServer } from '../../src/processes/server';
import { Keyring } from '../../src/platform/secrets';
import { LINK_PURPOSE } from '../../src/services/invitations';
import { ballotTimes, Client, setUpOrganisation, startTestApp } from '../support/app';
import { freshDatabase } from '../support/db';
import { startSmtpSink, waitFor } from '../support/smtp';

test('outside development the server refuses to start when PostgreSQL would log statements', async () => {
  const fresh = await freshDatabase();
  try {
    const dbName = new URL(fresh.url).pathname.slice(1);
    await sql.raw(`alter database "${dbName}" set log_statement = 'all'`).execute(fresh.db);
    // New connections see the setting.
    const db = createDb(fresh.url);
    const config = loadConfig({
      NODE_ENV: 'production',
      OMOV_SECRET: 's'.repeat(40),
      PUBLIC_URL: 'https://vote.example.org',
      PORT: '0',
      LOG_LEVEL: 'silent',
      MAIL_WORKER: 'off',
    });
    await expect(startServer(config, { db })).rejects.toThrow(/log_statement is all/);
    await db.destroy();
  } finally {
    await fresh.drop();
  }
});

test('a password hashed with weaker parameters is rehashed at the next sign-in', async () => {
  const app = await startTestApp();
  try {
    const org = await setUpOrganisation(app, 'Rehash', 'rehash@example.org');
    const weak = await argon2.hash('correct horse battery staple', {
      type: argon2.argon2id,
      memoryCost: 8192,
      timeCost: 1,
      parallelism: 1,
    });
    await sql`update organisers set password_hash = ${weak} where email = 'rehash@example.org'`.execute(app.db);
    expect(
      (
        await new Client(app.url).json('POST', '/api/v1/session', {
          email: 'rehash@example.org',
          password: 'correct horse battery staple',
        })
      ).status,
    ).toBe(200);
    const row = await app.db
      .selectFrom('organisers')
      .select('password_hash')
      .where('email', '=', 'rehash@example.org')
      .executeTakeFirstOrThrow();
    expect(row.password_hash).not.toBe(weak);
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    void org;
  } finally {
    await app.close();
  }
});

test("at close the ballot box root and the hash of the log entry of the close are mailed to the ballot's auditors; the record verifies against both", async () => {
  const smtp = await startSmtpSink();
  const app = await startTestApp({ smtpUrl: smtp.url });
  try {
    const org = await setUpOrganisation(app, 'Rooted');
    await org.json('POST', '/api/v1/roll/import', 'email,name,branch\nv1@example.org,V1,B\nv2@example.org,V2,B\n', {
      'content-type': 'text/csv',
    });
    const b = (
      await org.json('POST', '/api/v1/ballots', {
        title: 'Rooted ballot',
        ...ballotTimes(),
        questions: [{ title: 'Q', method: 'yesno' }],
      })
    ).body;
    const before = smtp.received.length;
    await org.json('POST', '/api/v1/staff-invitations', { email: 'watcher@example.org', role: 'auditor' });
    const invite = await waitFor('invitation', () =>
      smtp.received.slice(before).find((m) => m.to[0] === 'watcher@example.org'),
    );
    const token = /\/setup\/([A-Za-z0-9_-]{43})/.exec(invite.raw.replace(/=\r?\n/g, ''))![1]!;
    expect(
      (
        await new Client(app.url).json('POST', '/api/v1/setup', {
          setupToken: token,
          name: 'Watcher',
          password: 'a long auditor password',
        })
      ).status,
    ).toBe(201);
    await org.json('POST', `/api/v1/ballots/${b.id}/open`);
    const keys = new Keyring('test-secret-0123456789-0123456789-abcdef');
    const t = await app.db
      .selectFrom('voting_tokens')
      .select('sealed_token')
      .where('ballot_id', '=', b.id)
      .executeTakeFirstOrThrow();
    await new Client(app.url).json('POST', '/api/v1/vote', {
      token: keys.open(LINK_PURPOSE, t.sealed_token!),
      answers: { [b.questions[0].id]: { kind: 'choice', option: 0 } },
    });
    await org.json('POST', `/api/v1/ballots/${b.id}/close`);
    const rootMail = await waitFor('root mail', () =>
      smtp.received.find((m) => m.to[0] === 'watcher@example.org' && /ballot box root/i.test(m.raw)),
    );
    const published = (await org.json('GET', `/api/v1/ballots/${b.id}/results`)).body.ballot.boxRoot;
    expect(published).toMatch(/^[0-9a-f]{64}$/);
    const mail = rootMail.raw.replace(/=\r?\n/g, '');
    expect(mail).toContain(published);
    // The close's entry in the log, by position and hash, as the record has it.
    const record = (await org.json('GET', `/api/v1/ballots/${b.id}/record`)).body as ElectionRecord;
    const close = record.auditLog.find((e) => e.action === 'ballot.close' && e.subject === b.id)!;
    expect(mail).toContain(`entry ${close.position}, whose hash`);
    const sentHash = /--close-hash ([0-9a-f]{64})/.exec(mail)![1]!;
    expect(sentHash).toBe(close.hash);
    const v = verifyRecord(record, { root: published, closeHash: sentHash });
    expect(v.ok).toBe(true);
    expect(v.checks.map((c) => c.name)).toContain('expected close entry');
  } finally {
    await app.close();
    await smtp.close();
  }
});

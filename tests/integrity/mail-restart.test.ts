import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDb, type Db, migrateToLatest } from '../../src/db/database';
import type { EmbeddedServer } from '../../src/db/embedded';
import { ballotTimes, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { restartablePort, rollCsv, sleep } from '../support/integrity';
import { startPostgresProcess } from '../support/embedded-pg';
import { scaled } from '../support/machine';
import { startSmtpSink, waitFor } from '../support/smtp';

/**
 * "Email exactly once, even across a database restart": 1,000 invitations go out through
 * a real SMTP server while the database is stopped and started again under the mail
 * worker. Every member gets their invitation once: none lost, none twice. This file has
 * its own PostgreSQL server, restarted on the same data folder and port.
 */

const MEMBERS = 1000;
const SIZES: Record<string, number> = { Docks: 500, Mill: 300, Yard: 200 };

// 1,000 invitations around a restart: the test may take 10 minutes, scaled to this machine.
jest.setTimeout(scaled(600_000));

let base: string | undefined;
let pg: EmbeddedServer | undefined;
let db: Db | undefined;
let app: TestApp | undefined;
let sink: Awaited<ReturnType<typeof startSmtpSink>> | undefined;

beforeAll(async () => {
  base = await fsp.mkdtemp(path.join(os.tmpdir(), 'omov-mail-restart-'));
  pg = await startPostgresProcess({ dataDir: path.join(base, 'data'), port: await restartablePort() });
  db = createDb(pg.url, { max: 10 });
  await migrateToLatest(db);
  sink = await startSmtpSink();
  // A short lease (3 s on a quiet machine), so that messages whose claim was cut short by the restart go out again soon.
  const leaseSeconds = Math.ceil(scaled(3_000) / 1000);
  app = await startTestApp({ db: { db, url: pg.url }, smtpUrl: sink.url, worker: { leaseSeconds, pollMs: 50 } });
}, scaled(120_000));
afterAll(async () => {
  await app?.close();
  await db?.destroy();
  await pg?.stop();
  await sink?.close();
  if (base) await fsp.rm(base, { recursive: true, force: true });
});

const messageIdOf = (raw: string) => /^Message-ID:\s*(\S+)/im.exec(raw)?.[1];

test('a PostgreSQL restart while 1,000 invitations go out: each member gets theirs exactly once', async () => {
  const org = await setUpOrganisation(app!);
  const roll = await org.json('POST', '/api/v1/roll/import', rollCsv(SIZES), { 'content-type': 'text/csv' });
  expect(roll.status).toBe(200);
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Mail restart',
    ...ballotTimes(),
    questions: [{ title: 'Agree?', method: 'yesno' }],
  });
  expect(created.status).toBe(201);
  const ballotId: string = created.body.id;
  expect((await org.json('POST', `/api/v1/ballots/${ballotId}/open`)).status).toBe(200);

  // A fifth of the way through the sending, stop the database, hold it down, start it again.
  await waitFor('the first invitations', () => (sink!.received.length >= MEMBERS / 5 ? true : undefined), 120_000);
  await pg!.stop();
  const receivedWhileStopping = sink!.received.length;
  await sleep(1500);
  const port = Number(new URL(app!.dbUrl).port);
  pg = await startPostgresProcess({ dataDir: path.join(base!, 'data'), port });
  expect(receivedWhileStopping).toBeLessThan(MEMBERS); // the restart fell in the middle of the sending

  // Wait until every invitation's row is final (sent, or failed for good), then count what arrived.
  const rows = await waitFor(
    'every invitation to be settled',
    async () => {
      const r = await db!
        .selectFrom('mail_outbox')
        .select(['recipient', 'status'])
        .where('ballot_id', '=', ballotId)
        .where('kind', '=', 'invitation')
        .execute()
        .catch(() => undefined);
      return r && r.length === MEMBERS && r.every((x) => x.status === 'sent' || x.status === 'failed') ? r : undefined;
    },
    300_000,
  );
  expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);

  const member = /^(docks|mill|yard)\d+@example\.org$/;
  const invitations = sink!.received.filter((m) => m.to.some((to) => member.test(to)));
  const byRecipient = new Map<string, number>();
  for (const m of invitations) for (const to of m.to) byRecipient.set(to, (byRecipient.get(to) ?? 0) + 1);
  const twice = [...byRecipient].filter(([, n]) => n > 1);
  expect(twice).toEqual([]);
  expect(byRecipient.size).toBe(MEMBERS);
  expect(new Set(rows.map((r) => r.recipient))).toEqual(new Set(byRecipient.keys()));
  expect(new Set(invitations.map((m) => messageIdOf(m.raw))).size).toBe(MEMBERS);
});

import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs/promises';
import pino from 'pino';
import { loadConfig } from '../../src/platform/config';
import type { Db } from '../../src/db/database';
import type { MailWorkerOptions } from '../../src/processes/mail-worker';
import { type Running, startServer } from '../../src/processes/server';
import { insertLink } from '../../src/data/proposals';
import { hashSecret, newSecret } from '../../src/platform/secrets';
import { createSetupLink } from '../../src/services/auth';
import { LINK_PURPOSE } from '../../src/services/invitations';
import { freePort } from '../../src/platform/net';
import { freshDatabase } from './db';
import { type SmtpSink, startSmtpSink, waitFor } from './smtp';

export type TestApp = Running & { db: Db; dbUrl: string; close(): Promise<void> };

export type TestAppOptions = {
  smtpUrl?: string;
  worker?: MailWorkerOptions;
  db?: { db: Db; url: string };
  logLines?: string[];
  /** 'development' mounts the development pages (/dev/outbox) and, without smtpUrl, mails to DATA_DIR/outbox. */
  env?: 'development';
  /** Further settings, as environment variables name them (e.g. ROLL_MAX_MB). */
  settings?: Record<string, string>;
};

/** The real server on a free loopback port, on a fresh database, mailing to `smtpUrl` if given. */
export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const fresh = opts.db ? undefined : await freshDatabase();
  const db = opts.db?.db ?? fresh!.db;
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'omov-app-'));
  // The public URL must name the port before the server listens, so the port is found free
  // first; another process may take it in between (a source port), hence a few tries.
  const listening = async (port: number) => {
    const config = loadConfig({
      NODE_ENV: opts.env ?? 'test',
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      OMOV_SECRET: 'test-secret-0123456789-0123456789-abcdef',
      SMTP_URL: opts.smtpUrl,
      LOG_LEVEL: opts.logLines ? 'info' : 'silent',
      ...opts.settings,
    });
    const log = opts.logLines
      ? pino(
          { level: 'info' },
          {
            write: (s: string) => {
              opts.logLines!.push(s);
            },
          },
        )
      : undefined;
    return startServer(config, {
      db,
      worker: { pollMs: 100, retryBaseSeconds: 1, ...opts.worker },
      schedulerMs: 200,
      ...(log ? { log } : {}),
    });
  };
  const running = await listenOnAFreePort(listening);
  return {
    ...running,
    db,
    dbUrl: opts.db?.url ?? fresh!.url,
    async close() {
      await running.stop();
      await fresh?.drop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function listenOnAFreePort<T>(listening: (port: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await listening(await freePort());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 5) throw err;
    }
  }
}

/**
 * For a whole test file: a real SMTP server on loopback and the app mailing to it, both
 * closed at the file's end, even after a failure. Read them inside the tests and hooks.
 */
export function appWithSmtpPerFile(opts: Omit<TestAppOptions, 'smtpUrl'> = {}): {
  app(): TestApp;
  smtp(): SmtpSink;
} {
  let smtp: SmtpSink | undefined;
  let app: TestApp | undefined;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    app = await startTestApp({ ...opts, smtpUrl: smtp.url });
  });
  afterAll(async () => {
    await app?.close();
    await smtp?.close();
  });
  return { app: () => app!, smtp: () => smtp! };
}

/** A member's proposals link (for a day), written straight into the database: its token. */
export async function proposalLinkOf(db: Db, member: { id: string; organisation_id: string }): Promise<string> {
  const token = newSecret();
  await insertLink(db, {
    tokenHash: hashSecret(token),
    organisationId: member.organisation_id,
    memberId: member.id,
    days: 1,
  });
  return token;
}

/** A tiny HTTP client that keeps cookies, like a browser session. */
export class Client {
  private cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  /** The Cookie header this client sends (for a request made with fetch itself, such as a streamed body). */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const h: Record<string, string> = { ...headers };
    if (this.cookies.size) h.cookie = this.cookieHeader();
    let payload: string | Uint8Array | undefined;
    if (typeof body === 'string' || body instanceof Uint8Array) payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const send = () =>
      fetch(url.startsWith('http') ? url : this.base + url, { method, headers: h, body: payload, redirect: 'manual' });
    let res: Response;
    try {
      res = await send();
    } catch (err) {
      // An idle keep-alive socket is closed by the server after 65 s and by fetch a second
      // before; a test whose loop is busy for longer (forty Chromium pages) can reuse it just
      // as the server closes it. A read is safe to send again; anything else fails as it did.
      const reset = (err as { cause?: { code?: string } }).cause?.code === 'ECONNRESET';
      if (!reset || (method !== 'GET' && method !== 'HEAD')) throw err;
      res = await send();
    }
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const k = pair!.slice(0, eq);
      const v = pair!.slice(eq + 1);
      if (v === '' || /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(k);
      else this.cookies.set(k, v);
    }
    return res;
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answers of many shapes
  async json<T = any>(
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }> {
    const res = await this.request(method, url, body, headers);
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }
  async form(url: string, fields: Array<[string, string]>): Promise<{ status: number; text: string }> {
    const res = await this.request('POST', url, new URLSearchParams(fields).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    return { status: res.status, text: await res.text() };
  }
}

/** Creates an organisation through the setup link, signed in as its first organiser. */
export async function setUpOrganisation(
  app: TestApp,
  name = 'Test Union',
  email = `org-${Math.random().toString(36).slice(2)}@example.org`,
): Promise<Client> {
  const link = await createSetupLink(app.ctx);
  const token = link.split('/setup/')[1]!;
  const client = new Client(app.url);
  const r = await client.json('POST', '/api/v1/setup', {
    setupToken: token,
    organisationName: name,
    name: 'Olive Organiser',
    email,
    password: 'correct horse battery staple',
  });
  if (r.status !== 201) throw new Error(`setup failed: ${r.status} ${JSON.stringify(r.body)}`);
  return client;
}

/** Staff who join by the emailed invitation `inviter` sends (`body`: role and ballot), signed in as them. */
export async function joinByInvitation(
  app: TestApp,
  smtp: Awaited<ReturnType<typeof startSmtpSink>>,
  inviter: Client,
  body: Record<string, unknown>,
  email: string,
): Promise<Client> {
  const before = smtp.received.length;
  const invited = await inviter.json('POST', '/api/v1/staff-invitations', { email, ...body });
  if (invited.status !== 202) throw new Error(`invitation failed: ${invited.status} ${JSON.stringify(invited.body)}`);
  const mail = await waitFor('invitation', () => smtp.received.slice(before).find((m) => m.to[0] === email));
  const token = /\/setup\/([A-Za-z0-9_-]{43})/.exec(mail.raw.replace(/=\r?\n/g, ''))![1]!;
  const c = new Client(app.url);
  const r = await c.json('POST', '/api/v1/setup', {
    setupToken: token,
    name: 'Audrey Auditor',
    password: 'a long auditor password',
  });
  if (r.status !== 201) throw new Error(`joining failed: ${r.status} ${JSON.stringify(r.body)}`);
  return c;
}

/** Opens and closes around now, so the ballot can be voted on at once. */
export function ballotTimes(minutes = 60): { opensAt: string; closesAt: string } {
  return {
    opensAt: new Date(Date.now() - 60_000).toISOString(),
    closesAt: new Date(Date.now() + minutes * 60_000).toISOString(),
  };
}

/**
 * Opens a ballot, has every member vote on its single-choice question through the API, the
 * options of each branch's members taken from the end of `plan[branch]` (an option's index
 * each), and closes it.
 */
export async function runChoiceBallot(
  app: TestApp,
  org: Client,
  ballotId: string,
  questionId: string,
  plan: Record<string, number[]>,
): Promise<void> {
  expect((await org.json('POST', `/api/v1/ballots/${ballotId}/open`)).status).toBe(200);
  const tokens = await app.db
    .selectFrom('voting_tokens')
    .innerJoin('branches', 'branches.id', 'voting_tokens.branch_id')
    .select(['voting_tokens.sealed_token', 'branches.name'])
    .where('ballot_id', '=', ballotId)
    .execute();
  const left = Object.fromEntries(Object.entries(plan).map(([b, options]) => [b, [...options]]));
  for (const t of tokens) {
    const r = await new Client(app.url).json('POST', '/api/v1/vote', {
      token: app.ctx.keys.open(LINK_PURPOSE, t.sealed_token!),
      answers: { [questionId]: { kind: 'choice', option: left[t.name]!.pop()! } },
    });
    expect(r.status).toBe(201);
  }
  expect((await org.json('POST', `/api/v1/ballots/${ballotId}/close`)).status).toBe(204);
}

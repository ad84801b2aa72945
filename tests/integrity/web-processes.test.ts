import fs from 'node:fs';
import http from 'node:http';
import { ballotTimes, type Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { processesThatFit } from '../../src/processes/primary';
import { type ChildServer, childServer } from '../support/child-server';
import { countSealedVotes, countUsedTokens, pool, postVote, rollCsv, sleep, tokensOf } from '../support/integrity';
import { atOnce, scaled, waitFor } from '../support/machine';

/**
 * `omov serve` with WEB_PROCESSES=2: a primary and two web processes on one port and one
 * database. Every vote is taken once whichever process answers; a web process that dies is
 * replaced while the others serve; SIGTERM stops them all; and if the primary itself is
 * killed, its web processes do not linger.
 */

const SECRET = 'test-secret-0123456789-0123456789-abcdef'; // startTestApp's

/** The processes whose parent is `pid` (Linux's /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The fields after the command's closing parenthesis: state, then the parent's pid.
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return out.sort((a, b) => a - b);
}

/** The processes among `pids` that hold a listening TCP socket on `port` (/proc/net/tcp and each one's fds). */
function listening(port: number, pids: number[]): number[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(table)) continue;
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local address, state 0A = LISTEN, inode in the tenth field
      if (f[1]?.endsWith(`:${hexPort}`) && f[3] === '0A') inodes.add(f[9]!);
    }
  }
  return pids.filter((pid) => {
    try {
      return fs.readdirSync(`/proc/${pid}/fd`).some((fd) => {
        try {
          return inodes.has(/^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? '');
        } catch {
          return false;
        }
      });
    } catch {
      return false;
    }
  });
}

const alive = (pid: number) =>
  fs.existsSync(`/proc/${pid}`) && !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));

/** The primary's web processes, once it has two. */
function twoWebProcesses(primary: number): Promise<number[]> {
  return waitFor(
    'two web processes',
    () => {
      const c = childrenOf(primary);
      return c.length === 2 ? c : undefined;
    },
    30_000,
  );
}

/** GET /healthz on a connection of its own (a pooled one might lead to a process just killed). */
function health(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(`${url}/healthz`, { agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

// Starting a primary and its web processes takes a while: each test and hook may take 90 s (scaled to this machine).
jest.setTimeout(scaled(90_000));

let app: TestApp;
let org: Client;
let served: ChildServer;

beforeAll(async () => {
  app = await startTestApp();
  org = await setUpOrganisation(app);
  const r = await org.json('POST', '/api/v1/roll/import', rollCsv({ North: 30, South: 30 }), {
    'content-type': 'text/csv',
  });
  if (r.status !== 200) throw new Error(`roll import: ${r.status} ${JSON.stringify(r.body)}`);
  served = await childServer({
    databaseUrl: app.dbUrl,
    secret: SECRET,
    env: { WEB_PROCESSES: '2', LOG_LEVEL: 'error' },
  });
  await served.start();
});
afterAll(async () => {
  await served?.stop();
  await app?.close();
});

test('two web processes answer on one port, and every vote is taken exactly once', async () => {
  const primary = served.pid!;
  const workers = await twoWebProcesses(primary);
  expect(workers.every(alive)).toBe(true);
  // Each listens on the port itself (SO_REUSEPORT), and the primary does not.
  const port = Number(new URL(served.url).port);
  await waitFor('both to listen', () => (listening(port, workers).length === 2 ? true : undefined), 30_000);
  expect(listening(port, [primary])).toEqual([]);

  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Two processes',
    ...ballotTimes(),
    questions: [{ title: 'Agree?', method: 'yesno' }],
  });
  expect(created.status).toBe(201);
  expect((await org.json('POST', `/api/v1/ballots/${created.body.id}/open`)).status).toBe(200);
  const questionId = created.body.questions[0].id as string;
  const tokens = await tokensOf(app.db, created.body.id, SECRET);
  expect(tokens).toHaveLength(60);

  // Each token cast three times at once, on new connections the kernel spreads over both
  // processes; all 60 tokens at once on a quiet machine, fewer at a time on a busy one.
  const answers = { [questionId]: { kind: 'choice', option: 0 } };
  const results = (
    await pool(tokens, atOnce(60), ({ token }) =>
      Promise.all([0, 1, 2].map(() => postVote(served.url, token, answers))),
    )
  ).flat();
  const byStatus: Record<number, number> = {};
  for (const r of results) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  expect(byStatus).toEqual({ 201: 60, 409: 120 });
  expect(await countSealedVotes(app.db, created.body.id)).toBe(60);
  expect(await countUsedTokens(app.db, created.body.id)).toBe(60);
});

test('a web process that dies is replaced, and the other answers meanwhile', async () => {
  const primary = served.pid!;
  const before = await twoWebProcesses(primary);
  const victim = before[0]!;
  process.kill(victim, 'SIGKILL');
  const killedAt = Date.now();
  // Connections the kernel had given the victim die with it (for a few milliseconds after
  // it ends, its socket still takes some); after that, every request is answered, by the
  // other process until the replacement listens, and by both after.
  const answered: number[] = [];
  const resets: number[] = [];
  const port = Number(new URL(served.url).port);
  let replaced: number[] | undefined;
  // Asked until the replacement listens, not merely exists: a slow machine starts it more
  // slowly, and the other process answers all the longer.
  while (!replaced || listening(port, replaced).length < 2) {
    const status = await health(served.url).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ECONNRESET') throw e;
      resets.push(Date.now() - killedAt);
      return 0;
    });
    if (status) answered.push(status);
    const now = childrenOf(primary).filter(alive);
    if (!replaced && now.length === 2 && !now.includes(victim)) replaced = now;
    if (Date.now() - killedAt > scaled(30_000)) throw new Error('no replacement came to listen');
    await sleep(10);
  }
  expect(resets.every((ms) => ms < scaled(1000))).toBe(true);
  expect(answered.length).toBeGreaterThanOrEqual(3);
  expect(answered.every((s) => s === 200)).toBe(true);
  expect(replaced).toContain(before[1]);
  // The new process listens on the port too, and new connections keep being answered.
  const statuses = await Promise.all(Array.from({ length: 40 }, () => health(served.url)));
  expect(statuses.every((s) => s === 200)).toBe(true);
  expect(served.output()).toMatch(/a web process stopped; starting another/);
});

test('SIGTERM stops the primary and every web process, cleanly', async () => {
  const primary = served.pid!;
  const workers = childrenOf(primary);
  expect(workers).toHaveLength(2);
  const exit = await served.terminate();
  expect(exit).toEqual({ code: 0, signal: null });
  await waitFor('the web processes to end', () => (workers.some(alive) ? undefined : true), 20_000);
  await expect(health(served.url)).rejects.toThrow();
});

test('if the primary is killed outright, its web processes stop by themselves', async () => {
  await served.start();
  const primary = served.pid!;
  const workers = await twoWebProcesses(primary);
  await served.kill();
  await waitFor('the orphaned web processes to end', () => (workers.some(alive) ? undefined : true), 20_000);
});

test('more connections than PostgreSQL allows is refused at start, naming the settings, with nothing left running', async () => {
  const tooMany = await childServer({
    databaseUrl: app.dbUrl,
    secret: SECRET,
    env: { WEB_PROCESSES: '25', DB_POOL_SIZE: '10', LOG_LEVEL: 'error' },
  });
  try {
    await expect(tooMany.start()).rejects.toThrow(/exited before it was up/);
    expect(tooMany.output()).toMatch(
      /WEB_PROCESSES × DB_POOL_SIZE: 25 × 10 connections \(and 1 for the primary\) is more than the \d+ PostgreSQL allows/,
    );
    expect(tooMany.output()).toContain('[exited: code 2');
    expect(tooMany.output()).not.toMatch(/\n\s+at /); // a message, not a stack trace
  } finally {
    await tooMany.stop();
  }
});

test('how many web processes fit in the connections PostgreSQL allows', () => {
  // 97 connections (max_connections 100, 3 for superusers), pools of 10, one for the primary.
  expect(processesThatFit(9, false, 10, 97)).toEqual({ processes: 9 });
  expect(processesThatFit(10, false, 10, 97)).toEqual({
    refused: expect.stringContaining(
      '10 × 10 connections (and 1 for the primary) is more than the 97 PostgreSQL allows',
    ),
  });
  // auto: one per CPU, as many as fit.
  expect(processesThatFit(32, true, 10, 97)).toEqual({ processes: 9 });
  expect(processesThatFit(4, true, 10, 97)).toEqual({ processes: 4 });
  // Not even one fits: refused, auto or not.
  expect(processesThatFit(2, true, 150, 97)).toHaveProperty('refused');
});

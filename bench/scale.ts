/**
 * A party-sized ballot from import to verify, through the real API, with an SMTP sink on
 * loopback (issue 17):
 *
 *   npm run bench:scale                         # 100,000 members
 *   npm run bench:scale -- --members 500000 --cast-share 0.1 --concurrency 32
 *   npm run bench:scale -- --members 500000 --skip send,cast,ceilings   # to iterate on open/close/export/verify
 *   npm run bench:scale -- --members 500000 --until open                # import and open only
 *
 * `--skip send`: the invitations are marked sent by SQL instead of being mailed; `--skip cast`:
 * the votes are stored through the server's cast statement over its pool (sealed here), not
 * through the voting pages; `--skip ceilings`: no nodemailer or pgbench runs. The output names
 * what was skipped. For profiles, run `node --cpu-prof` or `--heap-prof` on dist/bench/scale.js.
 *
 * Phases: roll import (POST /api/v1/roll/import; a roll over the upload limit is imported
 * through the service, and the output says so), open (POST …/open), send (the real mail
 * worker to the sink), casting a share of the votes through the HTML voting path (the load
 * in a worker thread, as bench:cast), close, results, record export (GET …/record) and
 * `omov verify` on it (its own process); over each phase, the server's event-loop delay (max,
 * p99: the server runs on this process's main thread). Beside them, measured in the same run, the
 * ceilings: nodemailer's pooled transport straight to the same sink, pgbench's vote
 * transaction and the server's cast statement run by pgbench on the same database (the
 * system's pgbench: the embedded PostgreSQL ships none), and that statement over a pool of
 * the server's size from Node (the only vote ceiling when no pgbench is found).
 *
 * Memory: the peak resident memory of this process, which holds the server, the SMTP sink
 * and the load generator's thread (they cannot be told apart from inside), sampled every
 * 100 ms, and the resident memory after the phase once garbage is collected (what the
 * server keeps); `omov verify`'s from /usr/bin/time.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import * as ballotsData from '../src/data/ballots';
import * as box from '../src/data/ballot-box';
import * as electorate from '../src/data/electorate';
import { makeRoll, rollCsv } from '../src/demo/roll';
import { createDb } from '../src/db/database';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { loadConfig } from '../src/platform/config';
import { createLogger } from '../src/platform/logger';
import { freePort } from '../src/platform/net';
import { hashSecret } from '../src/platform/secrets';
import { MailWorker } from '../src/processes/mail-worker';
import { startServer } from '../src/processes/server';
import { createApiToken } from '../src/services/auth';
import { sealPaper } from '../src/services/ballot-box';
import { LINK_PURPOSE } from '../src/services/invitations';
import { questionsOf } from '../src/services/questions';
import { importRoll } from '../src/services/roll';
import type { LoadJob, LoadReport } from './support/cast-load';
import { findPgbench, PGBENCH_SCRIPTS, type PreparedCast, runPgbench } from './support/pgbench';
import { benchOrganisation, runBench } from './support/server';

function options() {
  const { values } = parseArgs({
    options: {
      members: { type: 'string', short: 'n' },
      concurrency: { type: 'string', short: 'c' },
      'cast-share': { type: 'string' },
      skip: { type: 'string' },
      until: { type: 'string' },
    },
  });
  const until = values.until;
  if (until !== undefined && until !== 'open') throw new Error('--until takes open (stop after the open)');
  const skip = new Set((values.skip ?? '').split(',').filter(Boolean));
  for (const s of skip)
    if (!SKIPPABLE.includes(s as (typeof SKIPPABLE)[number]))
      throw new Error(`--skip takes a list of ${SKIPPABLE.join(', ')}; not ${s}`);
  const members = Number(values.members ?? process.env.BENCH_MEMBERS ?? 100_000);
  const concurrency = Number(values.concurrency ?? 32);
  const share = Number(values['cast-share'] ?? 0.1);
  if (!Number.isSafeInteger(members) || members < 10) throw new Error('--members must be a whole number ≥ 10');
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new Error('--concurrency must be ≥ 1');
  if (!(share > 0 && share <= 0.5)) throw new Error('--cast-share must be above 0 and at most 0.5');
  return { members, concurrency, share, skip, until };
}

const SKIPPABLE = ['send', 'cast', 'ceilings'] as const;

/**
 * CPU seconds used so far by this process (server, sink, load) and by its child processes
 * (embedded PostgreSQL's server processes; pgbench in the ceilings), read from /proc: unlike
 * the wall time, it hardly moves with the machine's load. A child that has ended is counted
 * through its parent's cutime and cstime (the time of the children it reaped), so the sum
 * never falls when a backend or pgbench exits. Zero where there is no /proc.
 */
function cpuSeconds(): { self: number; children: number } {
  const ticks = 100; // USER_HZ on Linux
  const stat = (pid: string) => {
    try {
      const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
      // Fields 14-17 of proc(5): utime, stime, and cutime, cstime of the children reaped.
      const own = (Number(rest[11]) + Number(rest[12])) / ticks;
      const reaped = (Number(rest[13]) + Number(rest[14])) / ticks;
      return { ppid: rest[1]!, own, reaped };
    } catch {
      return undefined;
    }
  };
  const all = new Map<string, { ppid: string; own: number; reaped: number }>();
  try {
    for (const pid of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      const st = stat(pid);
      if (st) all.set(pid, st);
    }
  } catch {
    return { self: 0, children: 0 };
  }
  const mine = new Set([String(process.pid)]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, st] of all)
      if (!mine.has(pid) && mine.has(st.ppid)) {
        mine.add(pid);
        grew = true;
      }
  }
  const self = all.get(String(process.pid));
  let children = self?.reaped ?? 0;
  for (const pid of mine) if (pid !== String(process.pid)) children += all.get(pid)!.own + all.get(pid)!.reaped;
  return { self: self?.own ?? 0, children };
}

v8.setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * Memory once the garbage is collected: what the phase left behind. Resident, and of it the
 * JavaScript heap and buffers in use (the rest is the allocator keeping freed pages, and code).
 */
async function settledMemory(): Promise<string> {
  for (let i = 0; i < 3; i++) {
    collectGarbage();
    await new Promise((r) => setImmediate(r));
  }
  const m = process.memoryUsage();
  return `${mb(m.rss)} (heap ${mb(m.heapUsed)}, buffers ${mb(m.external)})`;
}

const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? NaN;
const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Peak resident memory of this process during a phase. */
class PeakMemory {
  private peak = 0;
  private readonly timer = setInterval(() => this.sample(), 100);
  sample() {
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
  }
  reset() {
    this.peak = process.memoryUsage.rss();
  }
  read() {
    this.sample();
    return this.peak;
  }
  stop() {
    clearInterval(this.timer);
  }
}

/** An SMTP server on loopback that accepts everything and keeps only the count. */
async function startSink() {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received: () => received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function load(job: LoadJob): Promise<LoadReport> {
  return new Promise((resolve, reject) => {
    const w = new Worker(path.join(__dirname, 'support', 'cast-load.js'), { workerData: job });
    w.once('message', (r: LoadReport) => {
      resolve(r);
      void w.terminate();
    });
    w.once('error', reject);
  });
}

async function main(): Promise<number> {
  const { members, concurrency, share, skip, until } = options();
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-bench-scale-'));
  const sink = await startSink();
  const embedded = process.env.DATABASE_URL
    ? undefined
    : await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg') });
  const databaseUrl = process.env.DATABASE_URL ?? embedded!.url;
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dir,
    SMTP_URL: sink.url,
    // The worker is started for the send phase only, so that each phase is measured alone.
    MAIL_WORKER: 'off',
    LOG_LEVEL: 'info',
    OMOV_SECRET: crypto.randomBytes(32).toString('base64url'),
    DB_POOL_SIZE: process.env.DB_POOL_SIZE,
  });
  const db = createDb(databaseUrl, { max: config.dbPoolSize });
  const running = await startServer(config, { db, log: createLogger('info', { write: () => undefined }) });
  const ctx = running.ctx;
  const mem = new PeakMemory();
  const rows: string[][] = [];
  const phase = async <T>(name: string, f: () => Promise<T>, note = (_: T, ms: number) => secs(ms)) => {
    mem.reset();
    // The server runs on this thread: the event loop's delay over a phase is what any other request waited at
    // most (where this process also generates the load, as in casting, the generator's own work counts too).
    const loop = monitorEventLoopDelay({ resolution: 10 });
    const cpu0 = cpuSeconds();
    const t0 = performance.now();
    loop.enable();
    let r: T;
    try {
      r = await f();
    } finally {
      loop.disable();
    }
    const ms = performance.now() - t0;
    const cpu1 = cpuSeconds();
    const peak = mem.read();
    const after = await settledMemory();
    rows.push([name, note(r, ms), mb(peak), after]);
    out(
      `  ${name}: ${note(r, ms)}, peak ${mb(peak)}, after ${after} (load average ${os.loadavg()[0]!.toFixed(1)}; CPU ${(cpu1.self - cpu0.self).toFixed(1)} s here, ${(cpu1.children - cpu0.children).toFixed(1)} s in child processes: PostgreSQL, pgbench; event loop max delay ${(loop.max / 1e6).toFixed(0)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms)`,
    );
    return { r, ms };
  };
  try {
    out(
      `bench:scale  ${members.toLocaleString('en')} members, casting ${share * 100}% at concurrency ${concurrency}, pool ${config.dbPoolSize}, ${os.cpus().length} CPUs, Node ${process.version}`,
    );
    out(
      `  database: ${embedded ? 'embedded PostgreSQL (temporary)' : 'DATABASE_URL'}; load average ${os.loadavg()[0]!.toFixed(1)}`,
    );
    if (skip.size)
      out(`  SKIPPED: ${[...skip].join(', ')} (see --skip in bench/scale.ts: these figures are not a whole run)`);
    out(`  idle: ${await settledMemory()} resident`);
    const p = await benchOrganisation({ running } as Parameters<typeof benchOrganisation>[0]);
    const api = (await createApiToken(ctx, p, 'bench')).token;
    // node:http rather than fetch: fetch gives up on an answer that takes over 300 s (an open
    // on a loaded machine can), and `to` streams a download to a file, so that the record
    // does not sit in this process, whose memory is the server's.
    const call = (method: string, url: string, body?: string, type = 'application/json', to?: string) =>
      new Promise<{ status: number; bytes: Buffer; length: number }>((resolve, reject) => {
        const req = http.request(
          `${running.url}/api/v1${url}`,
          { method, headers: { authorization: `Bearer ${api}`, ...(body ? { 'content-type': type } : {}) } },
          (res) => {
            const status = res.statusCode ?? 0;
            if (to && status < 400) {
              let length = 0;
              res.on('data', (c: Buffer) => (length += c.length));
              void pipeline(res, fs.createWriteStream(to)).then(
                () => resolve({ status, bytes: Buffer.alloc(0), length }),
                reject,
              );
              return;
            }
            const parts: Buffer[] = [];
            res.on('data', (c: Buffer) => parts.push(c));
            res.on('error', reject);
            res.on('end', () => {
              const bytes = Buffer.concat(parts);
              if (status >= 400)
                reject(new Error(`${method} ${url}: ${status} ${bytes.toString('utf8').slice(0, 300)}`));
              else resolve({ status, bytes, length: bytes.length });
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      });

    let csv = rollCsv(makeRoll({ members, branches: 60, seed: 'scale', emailDomain: 'bench.example.org' }));
    await phase(
      `import (${mb(Buffer.byteLength(csv))} CSV)`,
      async () => {
        try {
          await call('POST', '/roll/import', csv, 'text/csv');
          return 'API';
        } catch (err) {
          if (!/: 413 /.test((err as Error).message)) throw err;
          await importRoll(ctx, p, csv, { dryRun: false });
          return 'service (the API refused the upload: 413)';
        }
      },
      (how, ms) => `${secs(ms)} via ${how}`,
    );
    csv = ''; // 33 MB at 500,000 members: not to be counted in the later phases' memory

    const now = Date.now();
    const ballot = JSON.parse(
      (
        await call(
          'POST',
          '/ballots',
          JSON.stringify({
            title: 'Scale ballot',
            opensAt: new Date(now - 60_000).toISOString(),
            closesAt: new Date(now + 86_400_000).toISOString(),
            questions: [
              { title: 'Adopt the motion?', method: 'yesno' },
              {
                title: 'Choose one',
                method: 'plurality',
                options: [{ label: 'A' }, { label: 'B' }, { label: 'C' }, { label: 'D' }],
              },
            ],
          }),
        )
      ).bytes.toString('utf8'),
    ) as { id: string };
    const opened = await phase('open', () => call('POST', `/ballots/${ballot.id}/open`));
    void opened;
    if (until === 'open') {
      const { eligible: n } = await electorate.countElectorate(ctx.db, ballot.id);
      out(`  STOPPED after the open (--until open); load average ${os.loadavg()[0]!.toFixed(1)}`);
      out(`check: tokens ${n} for ${members} members: ${n === members ? 'OK' : 'FAILED'}`);
      return n === members ? 0 : 1;
    }

    let sendRate: number | undefined;
    if (skip.has('send')) {
      // Labelled in the output: the invitations leave the queue by SQL, as if mailed.
      await phase('send SKIPPED: invitations marked sent by SQL', () =>
        sql`update mail_outbox set status = 'sent', sent_at = now(), sealed_secret = null
            where ballot_id = ${ballot.id} and status = 'queued'`.execute(ctx.db),
      );
    } else {
      // Send: the real mail worker, through the server's own pooled SMTP mailer.
      const worker = new MailWorker(ctx, running.mailer);
      const send = await phase(
        'send',
        async () => {
          let sent = 0;
          while (sink.received() < members) {
            const n = await worker.drain();
            sent += n;
            if (!n) await new Promise((r) => setTimeout(r, 50));
          }
          return sent;
        },
        (n, ms) => `${secs(ms)} = ${Math.round((members / ms) * 1000)}/s (${n} handled)`,
      );
      sendRate = (members / send.ms) * 1000;
    }

    let mailCeiling: number | undefined;
    if (!skip.has('ceilings')) {
      // Ceiling: nodemailer's pooled transport, 4 connections as the server's, straight to the sink.
      const sample = Math.min(members, 20_000);
      const before = sink.received();
      const transport = nodemailer.createTransport({
        pool: true,
        maxConnections: 4,
        maxMessages: 1000,
        port: sink.port,
        host: '127.0.0.1',
      });
      const ceilingMail = await phase(
        `ceiling: nodemailer to the sink (${sample.toLocaleString('en')} messages)`,
        async () => {
          let next = 0;
          await Promise.all(
            Array.from({ length: 8 }, async () => {
              while (next < sample) {
                const i = next++;
                await transport.sendMail({
                  from: 'omov <ballots@localhost>',
                  to: `m${i}@bench.example.org`,
                  subject: 'Your vote: Scale ballot',
                  text: `Dear member ${i},\n\nVote here: https://vote.example.org/v/${crypto.randomBytes(32).toString('base64url')}\n`.repeat(
                    4,
                  ),
                  html: `<p>Dear member ${i}</p>`.repeat(20),
                });
              }
            }),
          );
          return sink.received() - before;
        },
        (n, ms) => `${secs(ms)} = ${Math.round((n / ms) * 1000)}/s`,
      );
      transport.close();
      mailCeiling = (sample / ceilingMail.ms) * 1000;
    }

    // Casting: a share of the members vote through the voting pages; the tokens are opened
    // from their sealed copies with the server's keyring rather than read from N emails.
    // Only as many as are cast are kept: the rest would weigh on the memory measured.
    const voters = Math.floor(members * share);
    const pgbench = skip.has('ceilings') ? undefined : findPgbench();
    const scripts = pgbench ? PGBENCH_SCRIPTS : [];
    const ceilingRuns = skip.has('ceilings') ? 0 : scripts.length + 1;
    // Each ceiling uses tokens of its own, as many as were cast (fewer if the roll runs short).
    const each = Math.min(voters, Math.floor((members - voters) / Math.max(1, ceilingRuns)));
    const wanted = voters + ceilingRuns * each;
    const all = (await electorate.listNonVoters(ctx.db, ballot.id))
      .slice(0, wanted)
      .map((v) => ctx.keys.open(LINK_PURPOSE, v.sealedToken!));
    const castTokens = all.slice(0, voters);
    const answers = castTokens.map((_, i) => [i % 17 === 0 ? 'abstain' : String(i % 2), String(i % 4)]);

    // Ceilings for a vote, with papers sealed beforehand: pgbench's vote transaction and the
    // server's own statement through pgbench (a client in C), and that statement over the
    // server's pool from this process (what the driver adds). Without pgbench, only the last.
    const questions = await questionsOf(ctx.db, { id: ballot.id, status: 'open' });
    const prepare = async (tokens: string[]): Promise<PreparedCast[]> => {
      const views = new Map<string, ballotsData.VotingTokenView>();
      for (let i = 0; i < tokens.length; i += 1000) {
        const found = await ballotsData.findByVotingTokens(
          ctx.db,
          tokens.slice(i, i + 1000).map((t) => hashSecret(t)),
        );
        for (const [k, v] of found) views.set(k, v);
      }
      return tokens.map((t, i) => {
        const tokenHash = hashSecret(t);
        const v = views.get(tokenHash.toString('hex'))!;
        const paper = {
          branchId: v.branchId,
          weight: v.weight,
          receipt: crypto.randomBytes(8).toString('hex'),
          answers: {
            [questions[0]!.id]: { kind: 'choice' as const, option: i % 2 },
            [questions[1]!.id]: { kind: 'choice' as const, option: i % 4 },
          },
        };
        return {
          ballotId: ballot.id,
          tokenHash,
          branchId: v.branchId,
          weight: v.weight,
          sealed: sealPaper(ctx.keys, ballot.id, paper, questions),
        };
      });
    };
    /** The server's cast statement over its pool, `concurrency` at once. */
    const castOverPool = async (prepared: PreparedCast[]) => {
      let next = 0;
      const lat: number[] = [];
      let ok = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < prepared.length) {
            const c = prepared[next++]!;
            const t0 = performance.now();
            if ((await box.castSealedVote(ctx.db, c)).cast) ok++;
            lat.push(performance.now() - t0);
          }
        }),
      );
      return { ok, lat: lat.sort((a, b) => a - b) };
    };

    let castOk: number;
    let castRate: number | undefined;
    if (skip.has('cast')) {
      const prepared = await prepare(castTokens);
      const seeded = await phase(
        `cast SKIPPED: ${voters.toLocaleString('en')} votes stored by the cast statement over the pool`,
        () => castOverPool(prepared),
        (r, ms) => `${secs(ms)}, ${r.ok} stored`,
      );
      castOk = seeded.r.ok;
    } else {
      const pages = await load({ phase: 'pages', base: running.url, tokens: castTokens, concurrency });
      if (pages.csrf.some((c) => !c)) throw new Error('a voting page came without its csrf field');
      const castRun = await phase(
        `cast ${voters.toLocaleString('en')} votes (HTML path, ${concurrency} at once)`,
        () => load({ phase: 'cast', base: running.url, tokens: castTokens, csrf: pages.csrf, answers, concurrency }),
        (r) => {
          const lat = [...r.latencies].sort((a, b) => a - b);
          const ok = r.statuses.filter((s) => s === 201).length;
          return `${ok} accepted, ${Math.round((ok / r.wallMs) * 1000)}/s, p50 ${percentile(lat, 0.5).toFixed(1)} ms, p99 ${percentile(lat, 0.99).toFixed(1)} ms`;
        },
      );
      castOk = castRun.r.statuses.filter((s) => s === 201).length;
      castRate = (castOk / castRun.r.wallMs) * 1000;
    }

    const slices = Array.from({ length: ceilingRuns }, (_, k) => all.slice(voters + k * each, voters + (k + 1) * each));
    let storedByPgbench = 0;
    const pgbenchRates = new Map<string, number>();
    for (const [k, script] of scripts.entries()) {
      const casts = await prepare(slices[k + 1]!);
      const before = await box.countSealedVotes(ctx.db, ballot.id);
      const run = await phase(
        `ceiling: pgbench, ${script} (${casts.length.toLocaleString('en')} votes, ${concurrency} clients)`,
        () => runPgbench(pgbench!, ctx.db, databaseUrl, script, casts, concurrency),
        (r) => `${r.transactions} transactions, ${Math.round(r.tps)}/s, average ${r.latencyMs.toFixed(1)} ms`,
      );
      const stored = (await box.countSealedVotes(ctx.db, ballot.id)) - before;
      if (stored !== run.r.transactions)
        throw new Error(`pgbench ${script}: ${stored} votes stored, ${run.r.transactions} run`);
      storedByPgbench += stored;
      pgbenchRates.set(script, run.r.tps);
    }
    let storedByPool = 0;
    let poolRate: number | undefined;
    if (ceilingRuns) {
      const prepared = await prepare(slices[0]!);
      const sqlCeiling = await phase(
        `ceiling: the vote statement over the server's pool (${prepared.length.toLocaleString('en')} votes, ${concurrency} at once)`,
        () => castOverPool(prepared),
        (r, ms) => `${r.ok} stored, ${Math.round((r.ok / ms) * 1000)}/s, p99 ${percentile(r.lat, 0.99).toFixed(1)} ms`,
      );
      storedByPool = sqlCeiling.r.ok;
      poolRate = (sqlCeiling.r.ok / sqlCeiling.ms) * 1000;
    }
    const voteCeiling = pgbenchRates.get('vote transaction') ?? poolRate;
    const ceilingName = pgbench
      ? "pgbench's vote transaction"
      : 'the vote statement over the pool (pgbench not found: set PGBENCH; a Node-side stand-in)';
    // The tokens are not needed any more: let them go before the phases whose memory matters.
    all.length = 0;

    await phase('close', () => call('POST', `/ballots/${ballot.id}/close`));
    const results = await phase('results (GET …/results)', () => call('GET', `/ballots/${ballot.id}/results`));
    void results;
    const recordFile = path.join(dir, 'record.json');
    await phase(
      'record export (GET …/record)',
      async () => (await call('GET', `/ballots/${ballot.id}/record`, undefined, undefined, recordFile)).length,
      (n, ms) => `${secs(ms)}, ${mb(n)}`,
    );
    const t0 = performance.now();
    const v = spawnSync(
      '/usr/bin/time',
      ['-f', '%M', process.execPath, path.join(__dirname, '..', 'src', 'cli', 'main.js'), 'verify', recordFile],
      {
        encoding: 'utf8',
        maxBuffer: 64 * 2 ** 20,
      },
    );
    const verifyMs = performance.now() - t0;
    const verifyKb = Number(v.stderr.trim().split('\n').pop());
    rows.push(['omov verify', `${secs(verifyMs)}, exit ${v.status}`, `${mb(verifyKb * 1024)} (its own process)`, '']);
    out(`  omov verify: ${secs(verifyMs)}, exit ${v.status}, ${mb(verifyKb * 1024)}`);

    out('');
    out('| phase | time / rate | peak memory | after (garbage collected) |');
    out('|---|---|---|---|');
    for (const r of rows) out(`| ${r.join(' | ')} |`);
    out('');
    if (sendRate !== undefined && mailCeiling !== undefined)
      out(
        `sending: ${Math.round(sendRate)}/s = ${((100 * sendRate) / mailCeiling).toFixed(0)}% of nodemailer's ${Math.round(mailCeiling)}/s (goal ≥ 80%)`,
      );
    if (castRate !== undefined && voteCeiling !== undefined && poolRate !== undefined) {
      out(
        `casting: ${Math.round(castRate)}/s = ${((100 * castRate) / voteCeiling).toFixed(0)}% of ${ceilingName}'s ${Math.round(voteCeiling)}/s (goal ≥ 60%)`,
      );
      for (const [script, tps] of pgbenchRates) out(`  casting / pgbench ${script}: ${(castRate / tps).toFixed(2)}`);
      out(`  casting / the statement over the server's pool: ${(castRate / poolRate).toFixed(2)}`);
    }
    const expected = castOk + storedByPgbench + storedByPool;
    const { voted } = await electorate.countElectorate(ctx.db, ballot.id);
    const pass = voted === expected && castOk === voters && v.status === 0;
    out(`check: used tokens ${voted}, votes stored ${expected}, verify exit ${v.status}: ${pass ? 'OK' : 'FAILED'}`);
    return pass ? 0 : 1;
  } finally {
    mem.stop();
    await running.stop();
    await db.destroy();
    await embedded?.stop();
    await sink.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runBench('scale', main);

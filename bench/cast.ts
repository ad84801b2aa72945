/**
 * Benchmark of casting votes through the HTML voting path.
 *
 *   npm run bench:cast                                   # 10,000 members, 32 at a time
 *   npm run bench:cast -- --members 2000 --concurrency 16
 *   BENCH_MEMBERS=2000 BENCH_CONCURRENCY=16 npm run bench:cast
 *
 * Starts the server on the embedded PostgreSQL in a temporary folder (or on DATABASE_URL
 * if set: the benchmark's organisation is then left in that database), imports N members,
 * opens a ballot (yes/no + one choice among four), and then, with the load generator in a
 * worker thread: (1) GETs every voting page once to read its csrf field (timed apart),
 * (2) POSTs every vote (step=cast) at concurrency C. DB_POOL_SIZE sets the server's pool.
 *
 * The server logs each request at "info" as it would in production, into a sink. Besides
 * rates and latencies it prints the server thread's own CPU time per vote, the figure that
 * holds still on a busy machine.
 * The mail worker is off: invitations stay queued and do not compete with the casting.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import * as box from '../src/data/ballot-box';
import * as electorate from '../src/data/electorate';
import { makeRoll, rollCsv } from '../src/demo/roll';
import { ballotInputSchema } from '@omov/core/domain/ballot';
import { createBallot, openBallot } from '../src/services/ballots';
import { LINK_PURPOSE } from '../src/services/invitations';
import { importRoll } from '../src/services/roll';
import type { LoadJob, LoadReport } from './support/cast-load';
import { benchOrganisation, runBench, startBenchServer } from './support/server';

function options() {
  const { values } = parseArgs({
    options: { members: { type: 'string', short: 'n' }, concurrency: { type: 'string', short: 'c' } },
  });
  const num = (v: string | undefined, env: string | undefined, fallback: number, what: string) => {
    const n = Number(v ?? env ?? fallback);
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${what} must be a whole number of at least 1`);
    return n;
  };
  return {
    members: num(values.members, process.env.BENCH_MEMBERS, 10_000, 'members'),
    concurrency: num(values.concurrency, process.env.BENCH_CONCURRENCY, 32, 'concurrency'),
  };
}

/** Nearest-rank percentile of a sorted list. */
const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? NaN;
const ms = (x: number) => `${x.toFixed(1)} ms`;

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

/** A statement's text cut to what names it: "select ... from voting_tokens", "begin". */
function statementName(sql: string): string {
  const s = sql
    .replace(/^\s*\/\*.*?\*\//, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  const table = /\b(?:from|into|update)\s+("?[\w.]+"?(?:\."?\w+"?)?)/.exec(s)?.[1]?.replace(/"/g, '');
  const verb = s.split(' ')[0] ?? '';
  const lock = / for (share|update)\b/.exec(s)?.[0] ?? '';
  return table ? `${verb} ${table}${lock}` : s.slice(0, 40);
}

/** Statement time as measured by the Kysely log hook, per phase of the benchmark and per statement. */
class QueryClock {
  phase = 'setup';
  readonly totals = new Map<string, { count: number; ms: number }>();
  readonly statements = new Map<string, { count: number; ms: number }>();
  record = (d: number, sql: string) => {
    const t = this.totals.get(this.phase) ?? { count: 0, ms: 0 };
    t.count++;
    t.ms += d;
    this.totals.set(this.phase, t);
    if (this.phase !== 'cast') return;
    // By text here, named at the end: naming every statement as it ran cost the server's thread 1% of its time.
    const st = this.statements.get(sql) ?? { count: 0, ms: 0 };
    st.count++;
    st.ms += d;
    this.statements.set(sql, st);
  };
  byName() {
    const named = new Map<string, { count: number; ms: number }>();
    for (const [text, st] of this.statements) {
      const name = statementName(text);
      const n = named.get(name) ?? { count: 0, ms: 0 };
      n.count += st.count;
      n.ms += st.ms;
      named.set(name, n);
    }
    return named;
  }
  of(phase: string) {
    return this.totals.get(phase) ?? { count: 0, ms: 0 };
  }
}

async function main(): Promise<number> {
  const { members, concurrency } = options();
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const clock = new QueryClock();
  const server = await startBenchServer('cast', { onQuery: clock.record });
  const { running, config } = server;
  const ctx = running.ctx;
  try {
    out(
      `bench:cast  ${members} members, concurrency ${concurrency}, server pool ${config.dbPoolSize} connections, ${os.cpus().length} CPUs, Node ${process.version}`,
    );
    out(`  database: ${server.describe}`);
    const t = performance.now();
    const p = await benchOrganisation(server);
    const roll = makeRoll({
      members,
      branches: Math.min(30, members),
      seed: 'bench',
      emailDomain: 'bench.example.org',
    });
    await importRoll(ctx, p, rollCsv(roll), { dryRun: false });
    const now = Date.now();
    const ballot = await createBallot(
      ctx,
      p,
      ballotInputSchema.parse({
        title: 'Bench ballot',
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
    );
    await openBallot(ctx, p, ballot.id);
    out(`  setup (organisation, roll import, open): ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // Benchmark shortcut: the tokens are opened from their sealed copies with the server's
    // keyring, rather than sending and reading N emails; the benchmark is about casting.
    const tokens = (await electorate.listNonVoters(ctx.db, ballot.id)).map((v) =>
      ctx.keys.open(LINK_PURPOSE, v.sealedToken!),
    );
    if (tokens.length !== members) throw new Error(`expected ${members} tokens, found ${tokens.length}`);
    const answers = tokens.map((_, i) => [i % 17 === 0 ? 'abstain' : String(i % 2), String(i % 4)]);

    clock.phase = 'pages';
    const pages = await load({ phase: 'pages', base: running.url, tokens, concurrency });
    const badPages = pages.statuses.filter((s) => s !== 200).length + pages.csrf.filter((c) => !c).length;
    if (badPages) throw new Error(`${badPages} voting pages did not load with a csrf field`);

    clock.phase = 'cast';
    // The server's thread (this one; the load is in a worker): its own CPU time, which a busy
    // machine's waits do not inflate as they do latencies.
    const cpu0 = process.threadCpuUsage();
    const cast = await load({ phase: 'cast', base: running.url, tokens, csrf: pages.csrf, answers, concurrency });
    const cpu = process.threadCpuUsage(cpu0);
    clock.phase = 'after';

    const ok = cast.statuses.filter((s) => s === 201).length;
    const lat = [...cast.latencies].sort((a, b) => a - b);
    const sumLatency = cast.latencies.reduce((a, b) => a + b, 0);
    const q = clock.of('cast');
    const pageLat = [...pages.latencies].sort((a, b) => a - b);
    out('');
    out(
      `GET voting page (to read the csrf field): ${members} in ${(pages.wallMs / 1000).toFixed(1)} s = ${(members / (pages.wallMs / 1000)).toFixed(0)}/s, p50 ${ms(percentile(pageLat, 0.5))}, p99 ${ms(percentile(pageLat, 0.99))}`,
    );
    out(`POST cast: ${ok} of ${members} accepted (201) in ${(cast.wallMs / 1000).toFixed(1)} s`);
    out(`  votes per second:   ${(ok / (cast.wallMs / 1000)).toFixed(0)}`);
    out(
      `  cast latency:       p50 ${ms(percentile(lat, 0.5))}, p99 ${ms(percentile(lat, 0.99))}, mean ${ms(sumLatency / members)}, max ${ms(lat[lat.length - 1] ?? NaN)}`,
    );
    out(
      `  server thread CPU:  ${ms((cpu.user + cpu.system) / 1000 / members)} per vote (user ${ms(cpu.user / 1000 / members)}, system ${ms(cpu.system / 1000 / members)})`,
    );
    out(
      `  SQL statements:     ${q.count} (${(q.count / members).toFixed(1)} per vote, BEGIN/COMMIT included), ${ms(q.ms / members)} of statement time per vote`,
    );
    out(
      `  database share A:   ${((100 * q.ms) / sumLatency).toFixed(0)}%  = Σ statement durations ÷ Σ cast request latencies`,
    );
    out(
      `  database share B:   ${((100 * q.ms) / (cast.wallMs * config.dbPoolSize)).toFixed(0)}%  = Σ statement durations ÷ (wall time × ${config.dbPoolSize} pool connections): how busy the pool was`,
    );
    out(
      "  (a statement's duration runs from sending it to its result reaching the server's event loop, so it includes",
    );
    out("   PostgreSQL's work, the loopback round trip and any wait for the busy event loop; time waiting for a free");
    out('   pool connection is not in it, but is in the request latency.)');
    out('  statement time in the cast phase, by statement:');
    for (const [name, st] of [...clock.byName()].sort((a, b) => b[1].ms - a[1].ms)) {
      out(
        `    ${name.padEnd(44)} ${String(st.count).padStart(7)} × ${ms(st.ms / st.count).padStart(8)} = ${((100 * st.ms) / q.ms).toFixed(0).padStart(3)}%`,
      );
    }

    // The check: every token used once and every vote in the box.
    // While the ballot is open the box holds sealed votes only.
    const votes = await box.countSealedVotes(ctx.db, ballot.id);
    const { voted: used } = await electorate.countElectorate(ctx.db, ballot.id);
    const pass = votes === members && used === members && ok === members;
    out('');
    out(`check: votes in the box ${votes}, used tokens ${used}, expected ${members}: ${pass ? 'OK' : 'FAILED'}`);
    if (ok !== members)
      out(
        `  statuses: ${JSON.stringify(Object.fromEntries([...new Set(cast.statuses)].map((s) => [s, cast.statuses.filter((x) => x === s).length])))}`,
      );
    return pass ? 0 : 1;
  } finally {
    await server.stop();
  }
}

runBench('cast', main);

/**
 * Benchmark of the member's voting page.
 *
 *   npm run bench:web                                  # 100 voters, 20 GETs each
 *   npm run bench:web -- --voters 100 --rounds 20
 *   BENCH_VOTERS=100 BENCH_ROUNDS=10 npm run bench:web
 *   npm run bench:web -- --randomise-options           # each voter sees the options in their own order
 *
 * Starts the server on the embedded PostgreSQL in a temporary folder (or on DATABASE_URL
 * if set: the benchmark's organisation is then left there), imports the voters, opens a
 * ballot of four questions (a motion, a choice of four, an approval vote of six, and a
 * three-seat STV election of twelve candidates, each with a one-line statement), then:
 *
 * 1. Weight: the bytes a member's phone receives for the ballot paper without JavaScript:
 *    the status line and headers plus the HTML, whose stylesheet is inline (the page has no
 *    images, fonts or other requests). Goal: under 50 KB (50,000 bytes). The script that
 *    enhances the page, /assets/vote.js, is reported beside it: it is not needed to vote.
 * 2. Time to first byte (load from a worker thread, loopback only), from `omov serve` in
 *    processes of its own, as in production (NODE_ENV=production, request logs at "info"
 *    to /dev/null, mail worker off): one voter alone (200 GETs: the service time); then V
 *    voters opening their own /v/<token> at the same moment, each on a new connection, R
 *    times (V × R GETs): the goal, p95 under 50 ms; then V voters reloading back to back R
 *    times each: the most pages per second the server gives. First with one web process
 *    (WEB_PROCESSES=1), then with one per CPU (WEB_PROCESSES=auto, the production setting
 *    the README recommends), which is the figure the goal is judged on. Before each, a
 *    warm-up of V × 5 GETs, not counted, as a server that has been up a while.
 *
 * The weight is measured on the same production server. Prints both figures and whether
 * each meets its goal; exits 1 when one does not.
 */
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import zlib from 'node:zlib';
import * as electorate from '../src/data/electorate';
import { makeRoll, rollCsv } from '../src/demo/roll';
import { ballotInputSchema } from '@omov/core/domain/ballot';
import { createBallot, openBallot } from '../src/services/ballots';
import { LINK_PURPOSE } from '../src/services/invitations';
import { importRoll } from '../src/services/roll';
import type { WebLoadJob, WebLoadReport } from './support/web-load';
import { benchOrganisation, runBench, startBenchServer, startServeProcesses } from './support/server';

const PAGE_GOAL_BYTES = 50_000;
const TTFB_GOAL_MS = 50;
const WARM_UP_ROUNDS = 5;

function options() {
  const { values } = parseArgs({
    options: {
      voters: { type: 'string', short: 'v' },
      rounds: { type: 'string', short: 'r' },
      'randomise-options': { type: 'boolean' },
    },
  });
  const num = (v: string | undefined, env: string | undefined, fallback: number, what: string, max: number) => {
    const n = Number(v ?? env ?? fallback);
    if (!Number.isSafeInteger(n) || n < 1 || n > max)
      throw new Error(`${what} must be a whole number from 1 to ${max}`);
    return n;
  };
  return {
    voters: num(values.voters, process.env.BENCH_VOTERS, 100, 'voters', 10_000),
    rounds: num(values.rounds, process.env.BENCH_ROUNDS, 20, 'rounds', 1_000),
    randomiseOptions: values['randomise-options'] === true || process.env.BENCH_RANDOMISE_OPTIONS === '1',
  };
}

/** Nearest-rank percentile of a sorted list. */
const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? NaN;
const ms = (x: number) => `${x.toFixed(1)} ms`;
const bytes = (n: number) => `${n.toLocaleString('en-GB')} B`;
const verdict = (ok: boolean) => (ok ? 'MET' : 'NOT MET');

const CANDIDATES = [
  'Ada Ahmed',
  'Ben Byrne',
  'Chloe Campbell',
  'Dev Davies',
  'Efe Evans',
  'Fiona Fraser',
  'Gareth Green',
  'Hana Hughes',
  'Ivan Iqbal',
  'Jo Jones',
  'Kwame Kowalski',
  'Lena Lewis',
];

function load(job: WebLoadJob): Promise<WebLoadReport> {
  return new Promise((resolve, reject) => {
    const w = new Worker(path.join(__dirname, 'support', 'web-load.js'), { workerData: job });
    w.once('message', (r: WebLoadReport) => {
      resolve(r);
      void w.terminate();
    });
    w.once('error', reject);
  });
}

/** One GET as a phone without JavaScript makes it: what crosses the wire, headers and all. */
function fetchRaw(url: string): Promise<{ status: number; headerBytes: number; body: Buffer; contentType: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'user-agent': 'bench-web', accept: 'text/html' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let head = `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}\r\n`;
          for (let i = 0; i < res.rawHeaders.length; i += 2)
            head += `${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`;
          head += '\r\n';
          resolve({
            status: res.statusCode ?? 0,
            headerBytes: Buffer.byteLength(head),
            body: Buffer.concat(chunks),
            contentType: String(res.headers['content-type'] ?? ''),
          });
        });
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

async function main(): Promise<number> {
  const { voters, rounds, randomiseOptions } = options();
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const server = await startBenchServer('web');
  const { running, config } = server;
  const ctx = running.ctx;
  try {
    out(
      `bench:web  ${voters} voters, ${rounds} rounds, options ${randomiseOptions ? "in each voter's own order" : "in the ballot's order"}, server pool ${config.dbPoolSize} connections, ${os.cpus().length} CPUs, Node ${process.version}`,
    );
    out(`  database: ${server.describe}`);
    const p = await benchOrganisation(server);
    await importRoll(
      ctx,
      p,
      rollCsv(
        makeRoll({
          members: voters,
          branches: Math.min(10, voters),
          seed: 'bench-web',
          emailDomain: 'bench.example.org',
        }),
      ),
      { dryRun: false },
    );
    const now = Date.now();
    const ballot = await createBallot(
      ctx,
      p,
      ballotInputSchema.parse({
        title: 'Annual ballot',
        description: 'Vote on the motion, the conference city, the campaign priorities and the national executive.',
        opensAt: new Date(now - 60_000).toISOString(),
        closesAt: new Date(now + 86_400_000).toISOString(),
        randomiseOptions,
        questions: [
          { title: 'Adopt the new rule book?', method: 'yesno' },
          {
            title: 'Conference city',
            method: 'plurality',
            options: ['Leeds', 'Bristol', 'Glasgow', 'Cardiff'].map((label) => ({ label })),
          },
          {
            title: 'Campaign priorities for next year',
            method: 'approval',
            settings: { seats: 2, maxMarks: 3 },
            options: ['Housing', 'Transport', 'Wages', 'Safety at work', 'Childcare', 'Pensions'].map((label) => ({
              label,
            })),
          },
          {
            title: 'National executive',
            method: 'stv',
            settings: { seats: 3, rules: 'scottish' },
            options: CANDIDATES.map((label, i) => ({
              label,
              description: `Branch secretary for ${i + 2} years; stands for a stronger voice for members.`,
            })),
          },
        ],
      }),
    );
    await openBallot(ctx, p, ballot.id);
    // Benchmark shortcut (as bench:cast): the links are opened from their sealed copies with
    // the server's keyring rather than read from email.
    const tokens = (await electorate.listNonVoters(ctx.db, ballot.id)).map((v) =>
      ctx.keys.open(LINK_PURPOSE, v.sealedToken!),
    );
    if (tokens.length !== voters) throw new Error(`expected ${voters} tokens, found ${tokens.length}`);

    // 1. Weight of the ballot paper, as the production server sends it.
    const weigh = async (url: string) => {
      const pageRes = await fetchRaw(`${url}/v/${tokens[0]}`);
      if (pageRes.status !== 200 || !pageRes.contentType.startsWith('text/html'))
        throw new Error(`the voting page answered ${pageRes.status} ${pageRes.contentType}`);
      const html = pageRes.body.toString('utf8');
      const css = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
      const others = [...html.matchAll(/<(?:img|link|iframe|video|audio|source)\b/gi)].length;
      const script = await fetchRaw(`${url}/assets/vote.js`);
      const pageBytes = pageRes.headerBytes + pageRes.body.length;
      const pageOk = pageBytes < PAGE_GOAL_BYTES && others === 0;
      out('');
      out('Voting page without JavaScript (ballot of 4 questions, 24 options in all):');
      out(
        `  HTML                ${bytes(pageRes.body.length).padStart(10)}  (of which the inline stylesheet ${bytes(Buffer.byteLength(css))})`,
      );
      out(`  status and headers  ${bytes(pageRes.headerBytes).padStart(10)}`);
      out(
        `  total transferred   ${bytes(pageBytes).padStart(10)}  goal < ${bytes(PAGE_GOAL_BYTES)}: ${verdict(pageOk)}`,
      );
      out(`  other requests the page makes without JavaScript: ${others} (images, stylesheets, frames, media)`);
      out(`  (gzip would make the HTML ${bytes(zlib.gzipSync(pageRes.body).length)}; the server does not compress)`);
      out(
        `  with JavaScript, plus /assets/vote.js: ${bytes(script.body.length)} body + ${bytes(script.headerBytes)} headers (cached for an hour)`,
      );
      return pageOk;
    };

    // 2. Time to first byte, from `omov serve` in processes of its own: one voter alone (the
    //    service time), then all voters at once (the goal), then all voters reloading back to
    //    back (the most the server gives); with one web process, then one per CPU.
    const measure = async (processes: string, before?: (url: string) => Promise<void>) => {
      const serve = await startServeProcesses(server, processes);
      try {
        await before?.(serve.url);
        const phase = async (job: Omit<WebLoadJob, 'base'>) => {
          const r = await load({ base: serve.url, ...job });
          const bad = r.statuses.filter((s) => s !== 200).length;
          if (bad) throw new Error(`${bad} of ${r.statuses.length} GETs did not answer 200`);
          const ttfb = [...r.ttfb].sort((a, b) => a - b);
          return {
            ...r,
            p50: percentile(ttfb, 0.5),
            p95: percentile(ttfb, 0.95),
            p99: percentile(ttfb, 0.99),
            max: ttfb[ttfb.length - 1] ?? NaN,
            rate: r.ttfb.length / (r.wallMs / 1000),
          };
        };
        // Warm-up, not counted: each process compiles its hot paths and fills its caches (the
        // ballot's questions, its untouched paper), as a server that has been up a while has.
        await phase({ tokens, rounds: WARM_UP_ROUNDS, mode: 'loop' });
        const alone = await phase({ tokens: tokens.slice(0, 1), rounds: 200, mode: 'loop' });
        const burst = await phase({ tokens, rounds, mode: 'burst', pauseMs: 200 });
        const loop = await phase({ tokens, rounds, mode: 'loop' });
        const connect = [...burst.connect].sort((a, b) => a - b);
        const dialled = burst.connect.map((c, i) => c + burst.ttfb[i]!).sort((a, b) => a - b);
        return { alone, burst, loop, connectP95: percentile(connect, 0.95), dialledP95: percentile(dialled, 0.95) };
      } finally {
        await serve.stop();
      }
    };
    type Figures = Awaited<ReturnType<typeof measure>>;
    const line = (x: Figures['alone']) => `p50 ${ms(x.p50)}, p95 ${ms(x.p95)}, p99 ${ms(x.p99)}, max ${ms(x.max)}`;
    const report = (title: string, f: Figures) => {
      out(`  ${title}`);
      out(`    one voter alone, 200 GETs in a row:        ${line(f.alone)}`);
      out(
        `    ${voters} voters open their links at the same moment, ${rounds} times (a new connection each, ${f.burst.ttfb.length} GETs):`,
      );
      out(
        `                                               ${line(f.burst)}  goal p95 < ${TTFB_GOAL_MS} ms: ${verdict(f.burst.p95 < TTFB_GOAL_MS)}`,
      );
      out(
        `                                               (before it, dialling until the client sees the connection: p95 ${ms(f.connectP95)}; from dialling to the first byte: p95 ${ms(f.dialledP95)})`,
      );
      out(
        `    ${voters} voters reloading back to back, ${rounds} times each (${f.loop.ttfb.length} GETs): ${f.loop.rate.toFixed(0)} pages/s, ${line(f.loop)}`,
      );
    };
    const cpus = os.availableParallelism();
    let pageOk = false;
    const single = await measure('1', async (url) => {
      pageOk = await weigh(url);
    });
    out('');
    out('Time to first byte of the voting page: from writing the request to the first byte of the answer, on');
    out('loopback, from `omov serve` in processes of its own (NODE_ENV=production, request logs at "info"):');
    report('WEB_PROCESSES=1 (one process):', single);
    let chosen = single;
    if (cpus > 1) {
      chosen = await measure('auto');
      report(
        `WEB_PROCESSES=auto (${cpus} processes, one per CPU; the load generator and PostgreSQL share the same ${cpus} CPUs):`,
        chosen,
      );
    }
    const ttfbOk = chosen.burst.p95 < TTFB_GOAL_MS;
    out('');
    out(`goals: page weight ${verdict(pageOk)}, TTFB p95 ${verdict(ttfbOk)}`);
    return pageOk && ttfbOk ? 0 : 1;
  } finally {
    await server.stop();
  }
}

runBench('web', main);

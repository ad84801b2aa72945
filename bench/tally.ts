/**
 * Benchmark of the counts on a large synthetic election.
 *
 *   npm run bench:tally                 # 1,000,000 ballots
 *   npm run bench:tally -- --ballots 200000
 *
 * Generates seeded ranked ballots over 20 candidates in 4 parties (most voters rank 1–5
 * candidates, mostly within their party), writes them to a temporary BLT file, then runs
 * each job in its own child process so that its peak memory (maxRSS) is its own:
 * reading + parsing the file alone (the baseline), IRV, Scottish STV (5 seats), Meek STV
 * (5 seats) and Schulze. Count times exclude reading and parsing; memory includes them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseBlt } from '@omov/core/tally/formats/blt';
import { tally, type TallyOptions } from '@omov/core/tally/index';
import { generateBlt } from './tally-ballots';

type Job = 'parse' | 'irv' | 'stv-scottish' | 'stv-meek' | 'schulze';
const JOBS: ReadonlyArray<{ job: Job; label: string; options: TallyOptions | null; seats: number }> = [
  { job: 'parse', label: 'read + parse BLT (baseline)', options: null, seats: 5 },
  { job: 'irv', label: 'IRV', options: { method: 'irv' }, seats: 1 },
  { job: 'stv-scottish', label: 'STV Scottish, 5 seats', options: { method: 'stv', rules: 'scottish' }, seats: 5 },
  { job: 'stv-meek', label: 'STV Meek, 5 seats', options: { method: 'stv', rules: 'meek' }, seats: 5 },
  { job: 'schulze', label: 'Schulze', options: { method: 'schulze' }, seats: 1 },
];

interface ChildReport {
  parseSeconds: number;
  countSeconds: number;
  countCpuSeconds: number;
  parsedRssMb: number;
  maxRssMb: number;
  ballots: number;
  elected: string[];
}

/** In the child: parse, count, report on stdout as JSON. */
function child(job: Job, file: string): void {
  const spec = JOBS.find((j) => j.job === job)!;
  const t0 = process.hrtime.bigint();
  const election = parseBlt(fs.readFileSync(file, 'utf8'));
  const t1 = process.hrtime.bigint();
  const parsedRssMb = process.memoryUsage().rss / 1048576;
  const cpu0 = process.cpuUsage();
  let elected: string[] = [];
  if (spec.options)
    elected = [...tally({ ...election, seats: spec.seats }, spec.options as TallyOptions & { method: 'irv' }).elected];
  const t2 = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpu0);
  const report: ChildReport = {
    parseSeconds: Number(t1 - t0) / 1e9,
    countSeconds: Number(t2 - t1) / 1e9,
    countCpuSeconds: (cpu.user + cpu.system) / 1e6,
    parsedRssMb,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    ballots: election.ballots.length,
    elected,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    child(args[1] as Job, args[2]!);
    return;
  }
  const n = args[0] === '--ballots' ? Number(args[1]) : 1_000_000;
  if (!Number.isInteger(n) || n < 1) throw new Error('--ballots needs a positive whole number');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-bench-tally-'));
  const file = path.join(dir, 'ballots.blt');
  try {
    const g0 = process.hrtime.bigint();
    const { text, distinct } = generateBlt(n, 'omov-bench');
    fs.writeFileSync(file, text);
    const g1 = process.hrtime.bigint();
    console.log(
      `omov tally benchmark: ${n.toLocaleString('en')} ballots, 20 candidates in 4 parties, ${distinct.toLocaleString('en')} distinct rankings`,
    );
    console.log(
      `BLT file ${(fs.statSync(file).size / 1e6).toFixed(1)} MB written in ${(Number(g1 - g0) / 1e9).toFixed(2)} s; Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(2)}`,
    );
    console.log('');
    const rows: string[][] = [
      ['job', 'count s', 'CPU s', 'ballots/s', 'parse s', 'RSS after parse MB', 'peak RSS MB', 'elected'],
    ];
    for (const spec of JOBS) {
      const r = spawnSync(process.execPath, [__filename, '--child', spec.job, file], {
        encoding: 'utf8',
        timeout: 20 * 60_000,
        maxBuffer: 1 << 20,
      });
      if (r.status !== 0) {
        rows.push([
          spec.label,
          'failed',
          '',
          '',
          '',
          '',
          '',
          (r.stderr || String(r.error ?? r.signal)).trim().split('\n')[0] ?? '',
        ]);
        continue;
      }
      const rep = JSON.parse(r.stdout) as ChildReport;
      const counting = spec.options !== null;
      const seconds = counting ? rep.countSeconds : rep.parseSeconds;
      rows.push([
        spec.label,
        seconds.toFixed(2),
        counting ? rep.countCpuSeconds.toFixed(2) : '',
        Math.round(rep.ballots / seconds).toLocaleString('en'),
        rep.parseSeconds.toFixed(2),
        rep.parsedRssMb.toFixed(0),
        rep.maxRssMb.toFixed(0),
        rep.elected.join(' '),
      ]);
    }
    const widths = rows[0]!.map((_, k) => Math.max(...rows.map((r) => (r[k] ?? '').length)));
    for (const r of rows)
      console.log(
        r
          .map((c, k) => (k === 0 || k === 7 ? c.padEnd(widths[k]!) : c.padStart(widths[k]!)))
          .join('  ')
          .trimEnd(),
      );
    console.log('');
    console.log(
      'count s: wall time of the count alone (aggregation included), after parsing; CPU s: its CPU time (user + system,',
    );
    console.log(
      'all threads, GC included: a steadier figure on a busy machine); parse s: reading + parsing the BLT file in that job;',
    );
    console.log(
      'RSS after parse: the parsed election in memory before counting; peak RSS: the whole child (parse + count).',
    );
    console.log('Goal: each count under 2 s and 500 MB on 2 cores.');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();

/**
 * Benchmark of closing a ballot and of reading its results.
 *
 *   npm run bench:close                          # 3,000 members, every one votes; 5 reads of each
 *   npm run bench:close -- --members 5000 --reads 10
 *
 * A ballot of N members in 30 branches of very different sizes, with a yes/no question, a
 * Meek STV question (8 candidates, 3 seats) and the delegate model (bloc, 100 delegates:
 * the conference comparison, its flips and exact voting power). Every member votes (through
 * the casting service; the benchmark is not about casting). Then it times the close (the
 * service call: opening the box, and counting since results are counted at close, both in
 * the close's worker thread) with the event loop's max delay meanwhile, and R
 * reads of: the organiser's results (the service the API and pages call), the public
 * results API and the public results page (HTTP, once published).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import * as electorate from '../src/data/electorate';
import { makeRoll, rollCsv } from '../src/demo/roll';
import { ballotInputSchema } from '@omov/core/domain/ballot';
import { closeBallot, createBallot, openBallot, publishBallot } from '../src/services/ballots';
import { LINK_PURPOSE } from '../src/services/invitations';
import { ballotResults } from '../src/services/results';
import { importRoll } from '../src/services/roll';
import { cast } from '../src/services/voting';
import { benchOrganisation, runBench, startBenchServer } from './support/server';

function options() {
  const { values } = parseArgs({ options: { members: { type: 'string' }, reads: { type: 'string' } } });
  const num = (v: string | undefined, fallback: number, what: string) => {
    const n = Number(v ?? fallback);
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${what} must be a whole number of at least 1`);
    return n;
  };
  return { members: num(values.members, 3000, 'members'), reads: num(values.reads, 5, 'reads') };
}

const out = (s: string) => process.stdout.write(`${s}\n`);
const CANDIDATES = ['Ann', 'Bob', 'Cy', 'Dee', 'Eve', 'Fay', 'Gus', 'Hal'];

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await f();
  return { ms: performance.now() - t, value };
}

async function reads(n: number, f: () => Promise<unknown>): Promise<string> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push((await timed(f)).ms);
  times.sort((a, b) => a - b);
  return `median ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms, min ${times[0]!.toFixed(1)} ms, max ${times[times.length - 1]!.toFixed(1)} ms (${n} reads)`;
}

runBench('close', async () => {
  const { members, reads: r } = options();
  const server = await startBenchServer('close');
  try {
    const { ctx, url } = server.running;
    const p = await benchOrganisation(server);
    const roll = makeRoll({ members, branches: 30, seed: 'bench-close', emailDomain: 'example.org' });
    await importRoll(ctx, p, rollCsv(roll), { dryRun: false });
    const now = Date.now();
    const ballot = await createBallot(
      ctx,
      p,
      ballotInputSchema.parse({
        title: 'Bench: close and results',
        opensAt: new Date(now - 60_000).toISOString(),
        closesAt: new Date(now + 86_400_000).toISOString(),
        delegates: { basis: 'members', rule: 'bloc', method: 'sainte-lague', seats: 100 },
        questions: [
          { title: 'Adopt the motion?', method: 'yesno' },
          {
            title: 'Executive',
            method: 'stv',
            settings: { seats: 3, rules: 'meek' },
            options: CANDIDATES.map((label) => ({ label })),
          },
        ],
      }),
    );
    await openBallot(ctx, p, ballot.id);
    const tokens = (await electorate.listNonVoters(ctx.db, ballot.id)).map((v) =>
      ctx.keys.open(LINK_PURPOSE, v.sealedToken!),
    );
    const [yesno, stv] = ballot.questions as [(typeof ballot.questions)[0], (typeof ballot.questions)[0]];
    for (const [i, token] of tokens.entries()) {
      // Rankings of 2 to 8 candidates from a few blocs of opinion, so that Meek has transfers to make.
      const start = (i * 7) % 5;
      const ranking = Array.from({ length: 2 + (i % 7) }, (_, j) => (start + j * (1 + (i % 3))) % 8);
      await cast(
        ctx,
        token,
        {
          [yesno.id]: { kind: 'choice', option: i % 5 < 3 ? 0 : 1 },
          [stv.id]: { kind: 'ranking', options: [...new Set(ranking)] },
        },
        '127.0.0.1',
      );
    }
    out(
      `bench:close — ${tokens.length} votes in ${roll.branches.length} branches; Meek STV (8 candidates, 3 seats), yes/no, delegate model (bloc, 100)`,
    );
    // The server runs on this thread: its event loop's delay over the close is what any other request waited at most.
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const close = await timed(() => closeBallot(ctx, p, ballot.id));
    loop.disable();
    out(
      `close (service call): ${close.ms.toFixed(0)} ms; event loop max delay ${(loop.max / 1e6).toFixed(0)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms`,
    );
    out(
      `organiser's results (service, as the API and pages call it): ${await reads(r, () => ballotResults(ctx, p, ballot.id))}`,
    );
    await publishBallot(ctx, p, ballot.id);
    const get = async (path: string) => {
      const res = await fetch(url + path);
      if (!res.ok) throw new Error(`${path}: ${res.status}`);
      await res.text();
    };
    out(`GET /api/v1/published/{id}/results: ${await reads(r, () => get(`/api/v1/published/${ballot.id}/results`))}`);
    out(`GET /results/{id} (public page): ${await reads(r, () => get(`/results/${ballot.id}`))}`);
    return 0;
  } finally {
    await server.stop();
  }
});

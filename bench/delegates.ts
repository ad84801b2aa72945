/**
 * Benchmark of the delegate engine.
 *
 *   npm run bench:delegates
 *
 * 1. Power indices of a weighted voting game (quota: a simple majority of the weight):
 *    60 units of total weight 600, and 650 units of total weight 650 (weights spread from 1
 *    each by random transfers, so most are 0–3). Exact when within the default limit,
 *    otherwise Monte Carlo: the output says which.
 * 2. A conference comparison for 100 branches and 2 000 delegates (bloc, plurality), with
 *    its exact power indices and smallest flips.
 * 3. The same with 10 and 20 tied branches: the probability of each outcome over the lots,
 *    exact over the tie patterns (2^10, or more where another branch ties), sampled (200
 *    draws) over 2^20.
 * 4. Apportionment of 10 000 delegates among 5 000 branches (50–5 000 members each) by
 *    every method.
 * 5. Smallest flips of the members' vote: 100 000 papers over 6 candidates (rankings of
 *    3–6 preferences, skewed towards a few front-runners) by IRV, STV (2 seats) and approval,
 *    and 100 000 score papers.
 * All inputs come from a fixed seed, so every run counts the same thing.
 */
import { lot } from '@omov/core/tally/lot';
import { rat } from '@omov/core/tally/rational';
import type { Election, RankedBallot, ScoreBallot } from '@omov/core/tally/index';
import {
  APPORTIONMENT_METHODS,
  apportion,
  compareConference,
  votingPower,
  approvalFlip,
  rankedFlip,
  scoreFlip,
  comparisonFlip,
  type BranchInput,
  type ConferenceInput,
} from '@omov/core/delegates/index';

const g = lot('bench-delegates', 'inputs');
const int = (lo: number, hi: number): number => lo + Math.floor(g.next() * (hi - lo + 1));

function seconds<T>(f: () => T): [T, number] {
  const t0 = process.hrtime.bigint();
  const r = f();
  return [r, Number(process.hrtime.bigint() - t0) / 1e9];
}

/** n weights summing to `total`: start even, then move one unit of weight at random `moves` times. */
function spread(n: number, total: number, moves: number): number[] {
  const w = new Array<number>(n).fill(0);
  for (let i = 0; i < total; i++) w[i % n]!++;
  for (let m = 0; m < moves; m++) {
    const from = int(0, n - 1);
    if (w[from] === 0) continue;
    w[from]!--;
    w[int(0, n - 1)]!++;
  }
  return w;
}

const line = (label: string, s: number, extra = ''): void => {
  process.stdout.write(`${label.padEnd(58)} ${s.toFixed(3).padStart(8)} s${extra ? `  ${extra}` : ''}\n`);
};

process.stdout.write('Power indices (Banzhaf and Shapley–Shubik), quota = majority of the weight\n');
for (const [n, total] of [
  [60, 600],
  [650, 650],
] as const) {
  const w = spread(n, total, n * 4);
  const quota = Math.floor(total / 2) + 1;
  const [p, s] = seconds(() => votingPower(w, quota));
  const distinct = new Set(w).size;
  line(
    `  ${n} units, total weight ${total} (${distinct} distinct weights, max ${Math.max(...w)})`,
    s,
    `Banzhaf ${p.banzhaf.method}, Shapley–Shubik ${p.shapleyShubik.method}`,
  );
}
{
  const w = new Array<number>(650).fill(1);
  const [p, s] = seconds(() => votingPower(w, 326));
  line(
    '  650 units of weight 1 each (symmetric)',
    s,
    `Banzhaf ${p.banzhaf.method}, Shapley–Shubik ${p.shapleyShubik.method}`,
  );
}
{
  // Beyond the exact limit: Monte Carlo with its standard error.
  const w = Array.from({ length: 5000 }, () => int(1, 6));
  const total = w.reduce((a, x) => a + x, 0);
  const [p, s] = seconds(() => votingPower(w, Math.floor(total / 2) + 1, { samples: 20000 }));
  const se = Math.max(...p.shapleyShubik.values.map((v) => v.standardError ?? 0));
  line(
    `  5 000 units, total weight ${total}`,
    s,
    `Banzhaf ${p.banzhaf.method}, Shapley–Shubik ${p.shapleyShubik.method}${p.shapleyShubik.method === 'monte-carlo' ? ` (20 000 samples, SE ≤ ${se.toExponential(2)})` : ''}`,
  );
}

process.stdout.write('\nConference comparison\n');
{
  const branches: BranchInput[] = Array.from({ length: 100 }, (_, i) => {
    const members = int(50, 3000);
    const turnout = Math.floor(members * (0.3 + 0.5 * g.next()));
    const a = Math.floor(turnout * (0.3 + 0.4 * g.next()));
    const b = Math.floor((turnout - a) * g.next());
    return { name: `Branch ${i + 1}`, members, votes: [a, b, turnout - a - b] };
  });
  for (const rule of ['bloc', 'proportional', 'weighted'] as const) {
    const [c, s] = seconds(() =>
      compareConference({
        question: 'Leader',
        options: ['A', 'B', 'C'],
        branches,
        settings: { basis: 'members', rule, method: 'sainte-lague', seats: 2000 },
      }),
    );
    line(
      `  100 branches, 2 000 delegates, ${rule}`,
      s,
      `power ${c.power?.method.shapleyShubik}, flip ${c.conference.flip ? `${c.conference.flip.members} members` : 'none'}`,
    );
  }
}

process.stdout.write('\nA comparison that rests on lots (bloc, plurality, 100 branches, 2 000 delegates)\n');
for (const tied of [10, 20]) {
  // `tied` branches split evenly between A and B: 2^tied patterns, exact up to 4 096, else sampled.
  const branches: BranchInput[] = Array.from({ length: 100 }, (_, i) => {
    const members = int(50, 3000);
    const half = Math.floor(members / 4);
    const a = i < tied ? half : int(0, 2 * half);
    return { name: `Branch ${i + 1}`, members, votes: [a, i < tied ? half : 2 * half - a, 0] };
  });
  const [c, s] = seconds(() =>
    compareConference({
      question: 'Leader',
      options: ['A', 'B', 'C'],
      branches,
      settings: { basis: 'members', rule: 'bloc', method: 'sainte-lague', seats: 2000 },
    }),
  );
  const d = c.lotDependence;
  line(`  ${tied} tied branches`, s, d ? `${d.method} over ${d.draws} draws, agree ${d.agree.probability}` : 'no lots');
}

process.stdout.write('\nApportionment of 10 000 delegates among 5 000 branches\n');
{
  const claimants = Array.from({ length: 5000 }, (_, i) => ({ name: `b${i}`, population: int(50, 5000) }));
  for (const method of APPORTIONMENT_METHODS) {
    const [r, s] = seconds(() => apportion(claimants, { method, seats: 10000 }));
    line(`  ${method}`, s, `${r.seats.reduce((a, x) => a + x, 0)} given, ${r.ties.length} ties`);
  }
  const [r, s] = seconds(() => apportion(claimants, { method: 'hamilton', seats: 10000, min: 1, max: 4 }));
  line('  hamilton with min 1, max 4', s, `${r.seats.reduce((a, x) => a + x, 0)} given`);
  const [r2, s2] = seconds(() => apportion(claimants, { method: 'droop', seats: 10000, min: 1, max: 4 }));
  line('  droop with min 1, max 4', s2, `${r2.seats.reduce((a, x) => a + x, 0)} given`);
}

process.stdout.write("\nSmallest flip of the members' vote, 100 000 papers, 6 candidates\n");
{
  const candidates = ['A', 'B', 'C', 'D', 'E', 'F'];
  const pick = (left: number[]): number => {
    // Earlier candidates are likelier: weights 6, 5, 4, … over those left.
    const w = left.map((c) => 6 - c);
    let r = g.next() * w.reduce((a, x) => a + x, 0);
    for (let i = 0; i < left.length; i++) if ((r -= w[i]!) < 0) return left.splice(i, 1)[0]!;
    return left.pop()!;
  };
  const ranked: RankedBallot[] = Array.from({ length: 100000 }, () => {
    const left = [0, 1, 2, 3, 4, 5];
    const n = int(3, 6);
    return { weight: rat(1), ranking: Array.from({ length: n }, () => [pick(left)]) };
  });
  const election: Election<RankedBallot> = { title: 'bench', candidates, withdrawn: [], seats: 1, ballots: ranked };
  for (const [label, e, options] of [
    ['IRV', election, { method: 'irv' }],
    ['STV (2 seats, Scottish)', { ...election, seats: 2 }, { method: 'stv', rules: 'scottish' }],
  ] as const) {
    const [f, s] = seconds(() => rankedFlip(e, options));
    line(`  ${label}`, s, f ? `at most ${f.papers} papers (${f.from} → ${f.to})` : 'no flip found');
  }
  const approvals = { ...election, ballots: ranked.map((b) => ({ ...b, ranking: [b.ranking.slice(0, 2).flat()] })) };
  const [a, sa] = seconds(() => approvalFlip(approvals));
  line('  approval (first two preferences approved)', sa, a ? `exactly ${a.papers} papers` : 'no flip');
  const scores: Election<ScoreBallot> = {
    ...election,
    ballots: ranked.map((b) => ({
      weight: b.weight,
      scores: candidates.map((_, i) => (b.ranking.some((r) => r[0] === i) ? int(0, 10) : null)),
    })),
  };
  const [sc, ss] = seconds(() => scoreFlip(scores, { maxScore: 10 }));
  line('  score (0–10)', ss, sc ? `exactly ${sc.papers} papers` : 'no flip');

  // The same papers in 50 branches of 1 000 to 3 000, 100 delegates by Sainte-Laguë.
  process.stdout.write('\nSmallest flip of the conference, 100 000 members in 50 branches, 6 candidates\n');
  const sizes = spread(50, 100000, 20000);
  let at = 0;
  const branchesOf = (papers: ReadonlyArray<RankedBallot | ScoreBallot>): BranchInput[] =>
    sizes.map((n, i) => {
      const ballots = papers.slice(at, (at += n));
      return { name: `B${i}`, members: n + int(0, 200), ballots } as BranchInput;
    });
  for (const [label, papers, count, rule] of [
    ['IRV, bloc', ranked, { method: 'irv' }, 'bloc'],
    ['IRV, weighted', ranked, { method: 'irv' }, 'weighted'],
    ['approval, proportional', approvals.ballots, { method: 'approval' }, 'proportional'],
    ['score (0–10), weighted', scores.ballots, { method: 'score', maxScore: 10 }, 'weighted'],
  ] as const) {
    at = 0;
    const input: ConferenceInput = {
      question: 'bench',
      options: candidates,
      branches: branchesOf(papers),
      settings: { basis: 'members', rule, method: 'sainte-lague', seats: 100 },
      count,
      withoutPower: true,
    };
    const cc = compareConference({ ...input, lean: true });
    const [f, s] = seconds(() =>
      comparisonFlip({
        input,
        comparison: cc,
        elected: cc.conference.elected,
        decide: (again) => ({ elected: again.conference.elected, certain: true }),
        byMethod: false,
        members: null,
      }),
    );
    const c = f.conference;
    line(
      `  ${label}`,
      s,
      c ? `${c.exact ? 'exactly' : 'at most'} ${c.members} members in ${c.branches} branches` : 'no flip found',
    );
  }
}

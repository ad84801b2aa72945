import { drawOrder, lot } from '@omov/core/tally/lot';
import type { DemoRoll } from './roll';

/**
 * Who votes and how, decided before any vote is cast so that it depends only on the seed
 * (never on the order in which concurrent votes land). Each branch has its own turnout
 * and its own lean: on the yes/no question, between the options of the second, and
 * between the options of each ranked question after them.
 */

/** An answer as the voting form takes it: an option's position, a ranking (positions, first preference first), or abstaining. */
export type PlannedAnswer = number | number[] | 'abstain';

export type BranchLean = {
  branch: string;
  turnout: number;
  yes: number;
  options: number[];
  /** Per ranked question: how strongly the branch likes each option (shares summing to 1). */
  ranked: number[][];
};

export type PlannedVote = { email: string; branch: string; answers: PlannedAnswer[] };

/** Per question: votes (first preferences, for a ranking) for each option by position, and abstentions. */
export type QuestionTally = { options: number[]; abstentions: number };
export type CastTally = { voted: number; byBranch: Record<string, number>; questions: QuestionTally[] };

const ABSTAIN = 0.04;

export function branchLeans(
  roll: DemoRoll,
  opts: { turnout: number; optionCount: number; seed: string; rankedCounts?: number[] },
): BranchLean[] {
  // Turnout varies by branch around the wanted figure, never past 0 or 1.
  const spread = Math.min(0.15, opts.turnout, 1 - opts.turnout);
  // A shared preference between the options, which each branch bends its own way.
  const national = lot(opts.seed, 'lean:national');
  const shared = Array.from({ length: opts.optionCount }, () => 0.5 + national.next());
  const rankedNational = lot(opts.seed, 'lean:national:ranked');
  const rankedShared = (opts.rankedCounts ?? []).map((n) =>
    Array.from({ length: n }, () => 0.3 + 2 * rankedNational.next()),
  );
  const draws = roll.branches.map((b) => lot(opts.seed, `lean:${b.name}`));
  const offsets = draws.map((g) => (2 * g.next() - 1) * spread);
  // Centred on the members, not the branches, so that the overall turnout is the one asked for.
  const members = roll.branches.reduce((n, b) => n + b.size, 0);
  const centre = roll.branches.reduce((sum, b, i) => sum + b.size * offsets[i]!, 0) / members;
  return roll.branches.map((b, i) => {
    const g = draws[i]!;
    const turnout = Math.min(1, Math.max(0, opts.turnout + offsets[i]! - centre));
    const yes = 0.2 + 0.65 * g.next();
    // Exponential draws: a random point of the simplex (a Dirichlet(1) lean).
    const simplex = (weights: number[], draw: () => number) => {
      const raw = weights.map((w) => w * -Math.log(1 - draw()));
      const total = raw.reduce((a, c) => a + c, 0);
      return raw.map((r) => r / total);
    };
    const options = simplex(shared, () => g.next());
    // The ranked questions' leans come from draws of their own: the other answers stay as they were.
    const r = lot(opts.seed, `lean:ranked:${b.name}`);
    const ranked = (opts.rankedCounts ?? []).map((n, k) => simplex(rankedShared[k]!.slice(0, n), () => r.next()));
    return { branch: b.name, turnout, yes, options, ranked };
  });
}

function choose(weights: number[], u: number): number {
  let acc = 0;
  for (const [i, w] of weights.entries()) {
    acc += w;
    if (u < acc) return i;
  }
  return weights.length - 1;
}

/**
 * A ranking drawn from a lean, as people rank: the next preference chosen among those left
 * in proportion to the lean (Plackett–Luce), stopping early now and then, so that some
 * votes exhaust and transfers have somewhere to go.
 */
function rankFrom(lean: number[], draw: () => number): number[] {
  const left = lean.map((w, i) => ({ w, i }));
  const ranking: number[] = [];
  while (left.length) {
    const total = left.reduce((a, c) => a + c.w, 0);
    const k = choose(
      left.map((c) => c.w / total),
      draw(),
    );
    ranking.push(left[k]!.i);
    left.splice(k, 1);
    if (left.length && draw() < 0.15) break;
  }
  return ranking;
}

/**
 * The votes to cast: in each branch round(turnout × size) members, drawn by lot, each
 * answering question 1 (yes/no: option 0 is Yes, 1 is No), question 2 (one option) and
 * each ranked question after them (a ranking).
 */
export function planVotes(roll: DemoRoll, leans: BranchLean[], seed: string): PlannedVote[] {
  const plan: PlannedVote[] = [];
  for (const lean of leans) {
    const members = roll.members.filter((m) => m.branch === lean.branch);
    const voters = drawOrder(members, seed, `voters:${lean.branch}`).slice(
      0,
      Math.round(lean.turnout * members.length),
    );
    const g = lot(seed, `votes:${lean.branch}`);
    const r = lot(seed, `ranks:${lean.branch}`);
    for (const m of voters) {
      const yesNo: PlannedAnswer = g.next() < ABSTAIN ? 'abstain' : g.next() < lean.yes ? 0 : 1;
      const option: PlannedAnswer = g.next() < ABSTAIN ? 'abstain' : choose(lean.options, g.next());
      const rankings: PlannedAnswer[] = lean.ranked.map((l) =>
        r.next() < ABSTAIN ? 'abstain' : rankFrom(l, () => r.next()),
      );
      plan.push({ email: m.email, branch: m.branch, answers: [yesNo, option, ...rankings] });
    }
  }
  return plan;
}

export function tallyPlan(plan: PlannedVote[], optionCounts: number[]): CastTally {
  const t: CastTally = {
    voted: 0,
    byBranch: {},
    questions: optionCounts.map((n) => ({ options: Array<number>(n).fill(0), abstentions: 0 })),
  };
  for (const v of plan) {
    t.voted++;
    t.byBranch[v.branch] = (t.byBranch[v.branch] ?? 0) + 1;
    v.answers.forEach((a, q) => {
      const qt = t.questions[q]!;
      if (a === 'abstain') qt.abstentions++;
      // A ranking counts for its first preference, as the results' figures do.
      else qt.options[typeof a === 'number' ? a : a[0]!]!++;
    });
  }
  return t;
}

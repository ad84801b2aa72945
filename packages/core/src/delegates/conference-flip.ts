/**
 * The smallest flip of a declared comparison, for every method: the fewest members whose
 * changed paper would have made the conference decide otherwise, and the fewest that would
 * have made the members' vote decide otherwise, each with a witness (which members, in
 * which branches, change their paper to what) that has been replayed before it is reported.
 *
 * "Flipped": the replayed count decides a different set (or nothing, where the procedure
 * can decide nothing), with no lot drawn anywhere in the conference's count or procedure.
 *
 * The conference:
 * - Plurality and yes/no decided by the ballot's own method: flip.ts's exact search (a
 *   knapsack over branches, or the heaviest votes first), kept only if its witness replays.
 * - Everything else (approval, score, IRV, STV, Borda, Condorcet methods, any procedure,
 *   any rule): an upper bound. For each option W the conference chose and each of the
 *   MAX_CHALLENGERS options Y it did not choose with the most first marks (score: points)
 *   among the members (W: none, when it decided nothing), papers are turned into a vote for Y alone
 *   (score: Y at the maximum, nothing else), those that help Y against W most first.
 *   Under the bloc rule whole branches are turned, each at the fewest papers that make its
 *   own count elect Y (found by bisection over its own count), the branches taking the most
 *   delegate votes per paper first; the number of branches is searched by doubling then
 *   bisection, and branches the flip does not need are then dropped one by one. Under the
 *   other rules the papers are ordered by the delegate weight they carry (the branch's
 *   delegates per vote cast) and their number is searched by doubling then bisection.
 *   Counts are not monotone in general, so the result is "at most": every reported
 *   witness has been replayed through the real conference count and procedure.
 * - Cost: papers are grouped by identical paper in each branch, so a try counts the
 *   distinct papers, not every paper, and a replay skips the members' count, the power and
 *   the lots (compareConference's `lean`). At most min(MAX_COUNTS, MAX_PAPERS_COUNTED ÷ the
 *   distinct papers) conference counts per comparison, but never fewer than MIN_COUNTS
 *   (beyond it the best witness found so far is reported, still replayed), plus, under the
 *   bloc rule, 2e · B · (log₂ n + 1) branch counts of one branch's distinct papers (e
 *   options chosen, B branches, n members). bench:delegates: 100 000 members in 50 branches.
 *
 * The members' vote: flip.ts (plurality, yes/no, exact) and method-flip.ts (approval and
 * score exact, ranked methods an upper bound), each replayed through `tally`.
 */
import { type Rational, ZERO, add, div, mul, rat } from '../tally/rational';
import { type TallyOptions, tally } from '../tally/index';
import type { Election, RankedBallot, ScoreBallot, TallyResult } from '../tally/types';
import { DEFAULT_MAX_SCORE } from '../tally/methods/score';
import { methodOf } from '../methods/index';
import { type Flip, allWhole, markRule, memberFlip } from './flip';
import { type ConferenceComparison, type ConferenceInput, compareConference, withoutQuorum } from './conference';
import { DEFAULT_SEED } from './apportion';
import { DelegateError, toRational } from './numbers';
import {
  type MethodFlip,
  type PaperChange,
  applyChanges,
  approvalFlip,
  flippedForCertain,
  rankedFlip,
  scoreFlip,
} from './method-flip';

type Paper = RankedBallot | ScoreBallot;

/** Members in one branch (null: anywhere, for the members' vote) who change their paper. */
export interface FlipChangeReport {
  readonly branch: string | null;
  /** How many change, by the paper they had ("A > B > C", "A + B", "A 5, B 3", "blank"). */
  readonly from: Readonly<Record<string, number>>;
  /** The paper they cast instead ("C", "C 10"). */
  readonly to: string;
  readonly members: number;
}

export interface FlipFinding {
  /** true: no fewer members can flip it; false: an upper bound ("at most"). */
  readonly exact: boolean;
  readonly members: number;
  /** Branches the changing members belong to; null for the members' vote (any members will do). */
  readonly branches: number | null;
  /** The option that loses its place (null when the conference decided nothing), and the option the papers turn to. */
  readonly from: string | null;
  readonly to: string;
  readonly changes: ReadonlyArray<FlipChangeReport>;
  readonly note: string;
}

/** A declared comparison's smallest flips. */
export interface ComparisonFlip {
  readonly conference: FlipFinding | null;
  readonly members: FlipFinding | null;
  /** In plain words: "17 members in 4 branches would have flipped the conference; 107 …". */
  readonly summary: string;
  /** Why a side was not found. */
  readonly notes: ReadonlyArray<string>;
}

/** Conference counts tried at most per comparison (see the module comment). */
export const MAX_COUNTS = 400;
/** Distinct papers counted at most in all the conference counts of one search: fewer counts for larger conferences. */
export const MAX_PAPERS_COUNTED = 4_000_000;
/** Conference counts allowed however large the conference. */
export const MIN_COUNTS = 40;
/** Options tried as the one the changed papers vote for: those with the most first marks. */
export const MAX_CHALLENGERS = 2;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A paper in words, by option labels. */
export function paperWords(p: Paper, options: ReadonlyArray<string>, method: TallyOptions['method']): string {
  if ('scores' in p) {
    const parts = p.scores.flatMap((s, i) => (s === null || s === undefined ? [] : [`${options[i]} ${s}`]));
    return parts.length ? parts.join(', ') : 'blank';
  }
  if (p.ranking.length === 0 || p.ranking[0]!.length === 0) return 'blank';
  if (methodOf(method).answer === 'marks') return p.ranking[0]!.map((i) => options[i]).join(' + ');
  return p.ranking.map((g) => g.map((i) => options[i]).join(' = ')).join(' > ');
}

/** The paper "for Y alone". */
function voteFor(y: number, weight: Rational, options: number, shape: 'ranked' | 'score', max: number): Paper {
  return shape === 'score'
    ? { weight, scores: Array.from({ length: options }, (_, i) => (i === y ? max : null)) }
    : { weight, ranking: [[y]] };
}

/** How much a paper helps Y against W when it becomes a vote for Y alone (0: not at all). */
function gainOf(p: Paper, w: number | null, y: number, max: number): number {
  if ('scores' in p) {
    const s = (i: number) => p.scores[i] ?? 0;
    return (w === null ? 0 : s(w)) + max - s(y);
  }
  const first = p.ranking[0] ?? [];
  const solelyY = first.length === 1 && first[0] === y && p.ranking.length === 1;
  if (solelyY) return 0;
  return (w !== null && first.includes(w) ? 2 : 0) + (first.includes(y) ? 0 : 1);
}

export interface FlipBranch {
  readonly name: string;
  readonly ballots: ReadonlyArray<Paper>;
  readonly delegates: number;
}

export interface ConferenceFlipProblem {
  readonly options: ReadonlyArray<string>;
  readonly method: TallyOptions['method'];
  readonly maxScore?: number;
  readonly branches: ReadonlyArray<FlipBranch>;
  /** What the conference decided (the set to change). */
  readonly elected: ReadonlyArray<string>;
  /** The real conference count and procedure on these papers, branch by branch. */
  readonly decide: (papers: ReadonlyArray<ReadonlyArray<Paper>>) => {
    readonly elected: ReadonlyArray<string>;
    readonly certain: boolean;
  };
  /** Bloc rule: the option a branch's own count elects from these papers (null: none, or by lot). */
  readonly branchWinner?: (branch: number, papers: ReadonlyArray<Paper>) => number | null;
}

/** Papers of one branch grouped by identical paper: indices into the branch's ballots. */
interface Group {
  readonly paper: Paper;
  readonly papers: ReadonlyArray<number>;
}

function groupsOf(ballots: ReadonlyArray<Paper>): Group[] {
  const keys = new Map<string, number[]>();
  const first = new Map<string, Paper>();
  ballots.forEach((b, i) => {
    const key = `${b.weight.num}/${b.weight.den}|${JSON.stringify('scores' in b ? b.scores : b.ranking)}`;
    let list = keys.get(key);
    if (!list) {
      list = [];
      keys.set(key, list);
      first.set(key, b);
    }
    list.push(i);
  });
  return [...keys.entries()].map(([k, papers]) => ({ paper: first.get(k)!, papers }));
}

/** Taken papers: per branch, per group, how many (the first of the group's papers). */
type Taking = Map<number, Map<number, number>>;

const sameSet = (a: ReadonlyArray<string>, b: ReadonlyArray<string>) =>
  a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');

/** An upper bound on the smallest flip of the conference, with a replayed witness; null if none found. */
export function conferenceFlip(problem: ConferenceFlipProblem): FlipFinding | null {
  const { options, branches } = problem;
  const max = problem.maxScore ?? DEFAULT_MAX_SCORE;
  const shape = branches.some((b) => b.ballots.some((p) => 'scores' in p)) ? 'score' : 'ranked';
  const groups = branches.map((b) => groupsOf(b.ballots));
  const distinct = groups.reduce((a, g) => a + g.length, 0);
  const budget = Math.max(MIN_COUNTS, Math.min(MAX_COUNTS, Math.floor(MAX_PAPERS_COUNTED / Math.max(1, distinct))));
  let counts = 0;
  // The papers of a branch with `take` applied, grouped (a try counts the distinct papers).
  const grouped = (b: number, take: Map<number, number> | undefined, y: number): Paper[] => {
    const out: Paper[] = [];
    let moved = ZERO;
    groups[b]!.forEach((g, j) => {
      const t = take?.get(j) ?? 0;
      const left = g.papers.length - t;
      if (left > 0) out.push({ ...g.paper, weight: mul(g.paper.weight, rat(left)) } as Paper);
      if (t > 0) moved = add(moved, mul(g.paper.weight, rat(t)));
    });
    if (moved.num > 0n) out.push(voteFor(y, moved, options.length, shape, max));
    return out;
  };
  const flips = (taking: Taking, y: number): boolean => {
    counts++;
    const r = problem.decide(branches.map((_, b) => grouped(b, taking.get(b), y)));
    return r.certain && !sameSet(r.elected, problem.elected);
  };
  const index = new Map(options.map((o, i) => [o, i]));
  const chosen = problem.elected.map((e) => index.get(e)!);
  const ws: Array<number | null> = chosen.length ? chosen : [null];
  // The challengers: the MAX_CHALLENGERS options not chosen with the most first marks (score: the most points).
  const support = options.map((_, i) =>
    groups.reduce(
      (t, gs) =>
        gs.reduce((u, g) => {
          const p = g.paper;
          const v = 'scores' in p ? (p.scores[i] ?? 0) : (p.ranking[0] ?? []).includes(i) ? 1 : 0;
          return u + v * g.papers.length;
        }, t),
      0,
    ),
  );
  const ys = options
    .map((_, i) => i)
    .filter((i) => !chosen.includes(i))
    .sort((a, c) => support[c]! - support[a]! || a - c)
    .slice(0, MAX_CHALLENGERS);
  // A branch's papers, best for Y against W first: runs of (group, how many).
  const runs = (b: number, w: number | null, y: number) =>
    groups[b]!.map((g, j) => ({ j, n: g.papers.length, gain: gainOf(g.paper, w, y, max) }))
      .filter((r) => r.gain > 0)
      .sort((a, c) => c.gain - a.gain || c.n - a.n || a.j - c.j);
  const firstK = (b: number, w: number | null, y: number, k: number): Map<number, number> => {
    const take = new Map<number, number>();
    for (const r of runs(b, w, y)) {
      if (k <= 0) break;
      const t = Math.min(k, r.n);
      take.set(r.j, t);
      k -= t;
    }
    return take;
  };
  const paperCount = (t: Taking) => [...t.values()].reduce((a, m) => a + [...m.values()].reduce((x, c) => x + c, 0), 0);
  let best: { w: number | null; y: number; taking: Taking; papers: number } | null = null;
  const consider = (w: number | null, y: number, taking: Taking) => {
    const papers = paperCount(taking);
    if (best === null || papers < best.papers) best = { w, y, taking, papers };
  };
  for (const w of ws)
    for (const y of ys) {
      if (counts >= budget) break;
      if (problem.branchWinner) {
        // Bloc: turn whole branches, each at its own fewest papers.
        const items: Array<{ b: number; cost: number; take: Map<number, number>; value: number }> = [];
        branches.forEach((br, b) => {
          if (br.delegates === 0) return;
          const own = problem.branchWinner!(b, grouped(b, undefined, y));
          if (own === y) return;
          const total = runs(b, w, y).reduce((a, r) => a + r.n, 0);
          const turned = (k: number) => problem.branchWinner!(b, grouped(b, firstK(b, w, y, k), y)) === y;
          if (total === 0 || !turned(total)) return;
          const k = smallest(total, turned)!;
          items.push({ b, cost: k, take: firstK(b, w, y, k), value: br.delegates * (own === w ? 2 : 1) });
        });
        items.sort((a, c) => c.value / c.cost - a.value / a.cost || a.b - c.b);
        const prefix = (j: number): Taking => new Map(items.slice(0, j).map((it) => [it.b, it.take]));
        const j = smallest(items.length, (n) => counts < budget && flips(prefix(n), y));
        if (j === null) continue;
        // Drop the branches the flip does not need, the least efficient first.
        const kept = items.slice(0, j);
        for (let i = kept.length - 1; i >= 0 && counts < budget; i--) {
          const without = kept.filter((_, x) => x !== i);
          if (flips(new Map(without.map((it) => [it.b, it.take])), y)) kept.splice(i, 1);
        }
        consider(w, y, new Map(kept.map((it) => [it.b, it.take])));
      } else {
        // Other rules: papers by the delegate weight they carry, then by how much they help.
        const order: Array<{ b: number; j: number; n: number }> = [];
        const weighted = branches.flatMap((br, b) => {
          const cast = br.ballots.reduce<Rational>((t, p) => add(t, p.weight), ZERO);
          if (cast.num === 0n || br.delegates === 0) return [];
          const per = div(rat(br.delegates), cast);
          const perPaper = Number(per.num) / Number(per.den);
          return runs(b, w, y).map((r) => ({ b, j: r.j, n: r.n, key: perPaper * r.gain }));
        });
        weighted.sort((a, c) => c.key - a.key || a.b - c.b || a.j - c.j);
        order.push(...weighted);
        const total = order.reduce((a, r) => a + r.n, 0);
        const takingOf = (k: number): Taking => {
          const t: Taking = new Map();
          for (const r of order) {
            if (k <= 0) break;
            const c = Math.min(k, r.n);
            const m = t.get(r.b) ?? new Map<number, number>();
            m.set(r.j, c);
            t.set(r.b, m);
            k -= c;
          }
          return t;
        };
        const limit = best ? Math.min(total, (best as { papers: number }).papers - 1) : total;
        if (limit < 1) continue;
        if (best && !flips(takingOf(limit), y)) continue;
        const k = smallest(limit, (n) => counts < budget && flips(takingOf(n), y));
        if (k !== null) consider(w, y, takingOf(k));
      }
    }
  if (best === null) return null;
  const found = best as { w: number | null; y: number; taking: Taking; papers: number };
  // The witness, paper by paper, replayed through the real count on the ungrouped papers.
  const changed = branches.map((br) => [...br.ballots]);
  const changes: FlipChangeReport[] = [];
  for (const [b, take] of [...found.taking.entries()].sort((a, c) => a[0] - c[0])) {
    const from: Record<string, number> = {};
    let members = 0;
    for (const [j, t] of take) {
      if (t === 0) continue;
      const g = groups[b]![j]!;
      for (const p of g.papers.slice(0, t))
        changed[b]![p] = voteFor(found.y, changed[b]![p]!.weight, options.length, shape, max);
      const words = paperWords(g.paper, options, problem.method);
      from[words] = (from[words] ?? 0) + t;
      members += t;
    }
    if (members > 0)
      changes.push({
        branch: branches[b]!.name,
        from,
        to: paperWords(voteFor(found.y, rat(1), options.length, shape, max), options, problem.method),
        members,
      });
  }
  const replay = problem.decide(changed);
  if (!replay.certain || sameSet(replay.elected, problem.elected)) return null;
  const to = options[found.y]!;
  const from = found.w === null ? null : options[found.w]!;
  return {
    exact: false,
    members: found.papers,
    branches: changes.length,
    from,
    to,
    changes,
    note: `At most ${plural(found.papers, 'member')} in ${plural(changes.length, 'branch', 'branches')} voting for ${to} alone would have made the conference decide ${replay.elected.length ? replay.elected.join(', ') : 'nothing'}${from ? ` rather than ${problem.elected.join(', ')}` : ''}.`,
  };
}

/** The smallest k in 1..limit with ok(k), by doubling then bisection (verified), or null. */
function smallest(limit: number, ok: (k: number) => boolean): number | null {
  if (limit < 1) return null;
  const tried = new Map<number, boolean>();
  const test = (k: number) => {
    let r = tried.get(k);
    if (r === undefined) tried.set(k, (r = ok(k)));
    return r;
  };
  let hi = 1;
  while (hi < limit && !test(hi)) hi = Math.min(limit, hi * 2);
  if (!test(hi)) return null;
  let lo = Math.floor(hi / 2);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (test(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The flip.ts conference flip (plurality, yes/no) as a finding, once its witness replays. */
export function exactConferenceFlip(flip: Flip, problem: ConferenceFlipProblem, exact: boolean): FlipFinding | null {
  const { options, branches } = problem;
  const changed = branches.map((br) => [...br.ballots]);
  const to = options.indexOf(flip.to);
  for (const c of flip.changes) {
    const b = branches.findIndex((br) => br.name === c.branch);
    if (b < 0 || to < 0) return null;
    for (const [option, n] of Object.entries(c.from)) {
      const i = options.indexOf(option);
      let left = n;
      for (let p = 0; p < changed[b]!.length && left > 0; p++) {
        const paper = changed[b]![p]!;
        if (
          'ranking' in paper &&
          paper.ranking.length === 1 &&
          paper.ranking[0]!.length === 1 &&
          paper.ranking[0]![0] === i
        ) {
          if (paper.weight.num !== 1n || paper.weight.den !== 1n) return null;
          changed[b]![p] = { weight: paper.weight, ranking: [[to]] };
          left--;
        }
      }
      if (left > 0) return null;
    }
  }
  const replay = problem.decide(changed);
  if (!replay.certain || sameSet(replay.elected, problem.elected)) return null;
  const changes = flip.changes.map((c) => ({ branch: c.branch, from: { ...c.from }, to: c.to, members: c.members }));
  return {
    exact,
    members: flip.members,
    branches: changes.length,
    from: problem.elected.length === 1 ? problem.elected[0]! : null,
    to: flip.to,
    changes,
    note: flip.note,
  };
}

/** The members' vote's smallest flip, replayed through `tally`; null (with why) when none is found. */
export function membersFlip(
  election: Election<RankedBallot> | Election<ScoreBallot>,
  count: TallyOptions,
  result: TallyResult,
): FlipFinding | null {
  const options = election.candidates;
  const replays = <B>(changes: ReadonlyArray<PaperChange<B>>) =>
    flippedForCertain(result.elected, tally(applyChanges(election as Election<B>, changes) as Election<never>, count));
  const asFinding = <B extends Paper>(f: MethodFlip<B>): FlipFinding | null => {
    if (!replays(f.changes)) return null;
    const from: Record<string, number> = {};
    for (const c of f.changes) {
      const words = paperWords(election.ballots[c.paper]!, options, count.method);
      from[words] = (from[words] ?? 0) + 1;
    }
    const to = paperWords(f.changes[0]!.to, options, count.method);
    return {
      exact: f.exact,
      members: f.papers,
      branches: null,
      from: f.from,
      to: f.to,
      changes: [{ branch: null, from, to, members: f.papers }],
      note: f.note,
    };
  };
  const method = count.method;
  if (methodOf(method).answer === 'scores')
    return nullable(scoreFlip(election as Election<ScoreBallot>, count as never), asFinding);
  const ranked = election as Election<RankedBallot>;
  if (method === 'approval') return nullable(approvalFlip(ranked, count as never), asFinding);
  const rule = result.elected.length === 1 && election.seats === 1 ? markRule(count, options) : null;
  if (rule !== null) {
    // Plurality and yes/no: flip.ts's exact count of members, as papers leaving W for X.
    const totals = options.map(() => ZERO);
    let whole = true;
    for (const b of ranked.ballots) {
      if (b.ranking.length !== 1 || b.ranking[0]!.length !== 1) continue;
      if (b.weight.den !== 1n) whole = false;
      totals[b.ranking[0]![0]!] = add(totals[b.ranking[0]![0]!]!, b.weight);
    }
    const w = options.indexOf(result.elected[0]!);
    const f =
      whole && allWhole(totals) && ranked.ballots.every((b) => b.weight.num === 1n)
        ? memberFlip(rule, options, totals, w)
        : null;
    if (f !== null) {
      const x = options.indexOf(f.to);
      const changes: PaperChange<RankedBallot>[] = [];
      ranked.ballots.forEach((b, paper) => {
        if (
          changes.length < f.members &&
          b.ranking.length === 1 &&
          b.ranking[0]!.length === 1 &&
          b.ranking[0]![0] === w
        )
          changes.push({ paper, to: { weight: b.weight, ranking: [[x]] } });
      });
      if (changes.length === f.members && replays(changes))
        return {
          exact: true,
          members: f.members,
          branches: null,
          from: options[w]!,
          to: f.to,
          changes: f.changes.map((c) => ({ branch: null, from: { ...c.from }, to: c.to, members: c.members })),
          note: f.note,
        };
    }
  }
  return nullable(rankedFlip(ranked, count), asFinding);
}

const nullable = <A, B>(a: A | null, f: (a: A) => B | null): B | null => (a === null ? null : f(a));

/** "17 members in 4 branches would have flipped the conference; 107 would have flipped the members' vote." */
export function flipSummary(conference: FlipFinding | null, members: FlipFinding | null): string {
  const atMost = (f: FlipFinding) => (f.exact ? '' : 'at most ');
  const conf = conference
    ? `${atMost(conference)}${plural(conference.members, 'member')} in ${plural(conference.branches ?? 0, 'branch', 'branches')} would have flipped the conference`
    : 'no change of papers found would have flipped the conference';
  const own = members
    ? `${atMost(members)}${members.members} would have flipped the members' vote`
    : "no change of papers found would have flipped the members' vote";
  const text = `${conf}; ${own}.`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * A declared comparison's flips: its conference (counted by `input`, decided by `decide`,
 * the procedure's own decision from a replayed comparison) and the members' vote.
 */
export function comparisonFlip(args: {
  readonly input: ConferenceInput;
  readonly comparison: ConferenceComparison;
  /** What the procedure decided. */
  readonly elected: ReadonlyArray<string>;
  /** The procedure on a replayed comparison: what it decides, and whether no lot was drawn. */
  readonly decide: (cc: ConferenceComparison) => { readonly elected: ReadonlyArray<string>; readonly certain: boolean };
  /** The procedure is the ballot's own method (so flip.ts's exact search applies). */
  readonly byMethod: boolean;
  readonly members: FlipFinding | null;
}): ComparisonFlip {
  const { input, comparison: cc } = args;
  const count = input.count ?? { method: 'plurality' };
  const seed = input.seed ?? count.seed ?? DEFAULT_SEED;
  // Vote totals become one paper per whole vote (a fractional total stays one paper).
  const papersOf = (b: (typeof input.branches)[number]): ReadonlyArray<Paper> =>
    b.ballots ??
    b.votes!.flatMap((v, i) => {
      const r = toRational(v, b.name);
      return r.den === 1n
        ? Array.from({ length: Number(r.num) }, () => ({ weight: rat(1), ranking: [[i]] }))
        : [{ weight: r, ranking: [[i]] }];
    });
  const problem: ConferenceFlipProblem = {
    options: input.options,
    method: count.method,
    maxScore: (count as { maxScore?: number }).maxScore,
    branches: input.branches.map((b, i) => ({
      name: b.name,
      ballots: papersOf(b),
      delegates: cc.branches[i]!.delegates,
    })),
    elected: args.elected,
    decide: (papers) => {
      try {
        const again = compareConference({
          ...input,
          branches: input.branches.map((b, i) => ({ ...b, votes: undefined, ballots: papers[i] as RankedBallot[] })),
          lean: true,
        });
        const lot = again.ties.some((t) => t.brokenBy === 'lot' && t.stage !== 'members’ vote');
        const d = args.decide(again);
        return { elected: d.elected, certain: d.certain && !lot };
      } catch (err) {
        if (err instanceof DelegateError) return { elected: args.elected, certain: false };
        throw err;
      }
    },
    ...(cc.settings.rule === 'bloc'
      ? {
          branchWinner: (b: number, papers: ReadonlyArray<Paper>) => {
            const name = input.branches[b]!.name;
            const own = tally(
              { title: name, candidates: input.options, withdrawn: [], seats: 1, ballots: papers as never[] },
              withoutQuorum(count, `${seed}/branch ${name}`),
            );
            if (own.elected.length !== 1 || own.ties.some((t) => t.brokenBy === 'lot')) return null;
            return input.options.indexOf(own.elected[0]!);
          },
        }
      : {}),
  };
  const notes: string[] = [];
  let conference: FlipFinding | null = null;
  if (args.byMethod && cc.conference.flip) conference = exactConferenceFlip(cc.conference.flip, problem, true);
  conference ??= conferenceFlip(problem);
  if (!conference) notes.push('No change of papers that the search tried flipped the conference for certain.');
  if (!args.members) notes.push("No change of papers that the search tried flipped the members' vote for certain.");
  return { conference, members: args.members, summary: flipSummary(conference, args.members), notes };
}

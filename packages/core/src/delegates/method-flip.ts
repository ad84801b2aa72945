/**
 * The smallest flip of the members' vote for methods beyond single marks (flip.ts has
 * plurality and yes/no): the fewest papers whose change alters the elected set for
 * certain, with a witness (the papers and what each becomes) that a replay through
 * `tally` confirms.
 *
 * "For certain": the changed count elects a different set with no tie left to a lot.
 *
 * - Approval and score, exact (any number of seats). The elected set changes for certain
 *   exactly when some unelected candidate Y ends strictly above some elected W (tiers by
 *   total fill the seats; a lot only breaks ties inside a tier). A changed paper moves the
 *   Y−W margin by at most a known amount: approval [W approved] + [Y not approved] (a set
 *   aside or blank paper counts as approving no one), score s_W + (max − s_Y) (unscored is
 *   0; a set aside paper contributes nothing), each times the paper's weight. As every
 *   paper costs one, taking the largest gains first is optimal for each pair, and the
 *   minimum over pairs is the answer. Each changed paper becomes a vote for Y alone, which
 *   moves no third candidate up. Cost O(c² · n log n).
 * - Ranked methods (IRV, STV, Borda, Condorcet methods): an upper bound. For each elected
 *   W and unelected Y, papers are turned into a vote for Y alone, those ranking W first
 *   first; the number turned is searched by doubling then bisection, each try a real count
 *   over the papers grouped by ballot (so a try costs one count of the distinct ballots,
 *   not of every paper), and the smallest verified number over all pairs is returned.
 *   Counts are not monotone in general, so the result is "at most", never "exactly":
 *   every returned witness has been replayed. Bound: at most c² · (2·log₂ n + 3) counts of
 *   the distinct ballots; once one pair has a flip, a pair that does not flip at one paper
 *   fewer costs a single count. bench:delegates: 100 000 papers, 6 candidates.
 */
import { type Rational, ZERO, add, cmp, mul, rat, sub } from '../tally/rational';
import { type Election, type RankedBallot, type ScoreBallot, type TallyOptions, tally } from '../tally/index';
import { DEFAULT_MAX_SCORE } from '../tally/methods/score';
import { standingOf } from '../tally/methods/common';

/** One changed paper: its index in `election.ballots` and the paper it becomes. */
export interface PaperChange<B> {
  readonly paper: number;
  readonly to: B;
}

export interface MethodFlip<B> {
  /** true: no fewer papers can flip the result; false: an upper bound ("at most"). */
  readonly exact: boolean;
  readonly papers: number;
  /**
   * Approval and score: the witness puts `to` (unelected) strictly ahead of `from`
   * (elected); with one seat `to` then wins, with several the seat lost may be another's.
   * Ranked: the changed papers vote for `to` alone and `from` was the winner they ranked
   * first; with one seat `from` loses, but the new winner need not be `to`.
   */
  readonly from: string;
  readonly to: string;
  readonly changes: ReadonlyArray<PaperChange<B>>;
  readonly note: string;
}

/** The election with the witness's changes applied (for replays). */
export function applyChanges<B>(election: Election<B>, changes: ReadonlyArray<PaperChange<B>>): Election<B> {
  const ballots = [...election.ballots];
  for (const c of changes) {
    if (c.paper < 0 || c.paper >= ballots.length) throw new RangeError(`no paper ${c.paper}`);
    ballots[c.paper] = c.to;
  }
  return { ...election, ballots };
}

/** Has the count of `changed` elected a different set from `before`, with no lot? */
export function flippedForCertain(
  before: ReadonlyArray<string>,
  after: { elected: ReadonlyArray<string>; ties: ReadonlyArray<{ brokenBy: string }> },
): boolean {
  if (after.ties.some((t) => t.brokenBy === 'lot')) return false;
  const was = new Set(before);
  return after.elected.length !== before.length || after.elected.some((e) => !was.has(e));
}

/**
 * Exact smallest flip for totals-based methods: `value(paper, i)` is the paper's
 * contribution to candidate i's total (unweighted), `gain(paper, w, y)` the most one change
 * can move y−w (unweighted). Null when nothing can flip (all elected, or no paper helps).
 */
function totalsFlip<B>(
  election: Election<B>,
  options: TallyOptions,
  value: (paper: B, i: number) => number,
  gain: (paper: B, w: number, y: number) => number,
  vote: (y: number, paper: B) => B,
): MethodFlip<B> | null {
  const result = tally(election as Election<never>, options);
  const standing = standingOf(election);
  const index = new Map(standing.map((i) => [election.candidates[i]!, i]));
  const elected = result.elected.map((n) => index.get(n)!);
  const unelected = standing.filter((i) => !elected.includes(i));
  // Every paper costs one, so for each pair the papers are taken by gain, largest first.
  // Papers of weight 1 (the members' vote) are bucketed by their whole-number gain;
  // other weights are sorted as exact fractions.
  const unit = election.ballots.every((b) => weightOf(b).num === 1n && weightOf(b).den === 1n);
  const totals = election.candidates.map((_, i) =>
    unit
      ? rat(election.ballots.reduce((t, b) => t + value(b, i), 0))
      : election.ballots.reduce<Rational>((t, b) => add(t, mul(rat(value(b, i)), weightOf(b))), ZERO),
  );
  const byGain = (w: number, y: number): number[] => {
    if (!unit) {
      return election.ballots
        .map((b, p) => ({ p, g: mul(rat(gain(b, w, y)), weightOf(b)) }))
        .filter((x) => x.g.num > 0n)
        .sort((a, b) => cmp(b.g, a.g) || a.p - b.p)
        .map((x) => x.p);
    }
    const buckets: number[][] = [];
    election.ballots.forEach((b, p) => {
      const g = gain(b, w, y);
      if (g > 0) (buckets[g] ??= []).push(p);
    });
    return buckets.reverse().flatMap((x) => x ?? []);
  };
  let best: { w: number; y: number; papers: number[] } | null = null;
  for (const w of elected)
    for (const y of unelected) {
      let need = sub(totals[w]!, totals[y]!); // must be overcome strictly
      const papers: number[] = [];
      for (const p of byGain(w, y)) {
        if (cmp(need, ZERO) < 0) break;
        if (best && papers.length >= best.papers.length) break;
        papers.push(p);
        need = sub(need, mul(rat(gain(election.ballots[p]!, w, y)), weightOf(election.ballots[p])));
      }
      if (cmp(need, ZERO) < 0 && (!best || papers.length < best.papers.length)) best = { w, y, papers };
    }
  if (!best) return null;
  const { w, y, papers } = best;
  const from = election.candidates[w]!;
  const to = election.candidates[y]!;
  return {
    exact: true,
    papers: papers.length,
    from,
    to,
    changes: papers.map((paper) => ({ paper, to: vote(y, election.ballots[paper]!) })),
    note: `${papers.length} changed ${papers.length === 1 ? 'paper' : 'papers'} would put ${to} ahead of ${from}; no fewer can change who is elected.`,
  };
}

function weightOf(b: unknown): Rational {
  return (b as { weight: Rational }).weight;
}

/** Exact smallest flip of an approval count (the first preference group is the approved set). */
export function approvalFlip(
  election: Election<RankedBallot>,
  options: { readonly maxMarks?: number; readonly seed?: string } = {},
): MethodFlip<RankedBallot> | null {
  const marks = (b: RankedBallot): ReadonlyArray<number> => {
    const first = b.ranking[0];
    if (!first) return [];
    return options.maxMarks !== undefined && first.length > options.maxMarks ? [] : first;
  };
  return totalsFlip(
    election,
    { method: 'approval', ...options },
    (b, i) => (marks(b).includes(i) ? 1 : 0),
    (b, w, y) => (marks(b).includes(w) ? 1 : 0) + (marks(b).includes(y) ? 0 : 1),
    (y, b) => ({ weight: b.weight, ranking: [[y]] }),
  );
}

/** Exact smallest flip of a score count. */
export function scoreFlip(
  election: Election<ScoreBallot>,
  options: { readonly maxScore?: number; readonly seed?: string } = {},
): MethodFlip<ScoreBallot> | null {
  const max = options.maxScore ?? DEFAULT_MAX_SCORE;
  const standing = standingOf(election);
  const valid = (b: ScoreBallot): boolean =>
    standing.every((i) => {
      const s = b.scores[i];
      return s === null || s === undefined || (Number.isInteger(s) && s >= 0 && s <= max);
    });
  const score = (b: ScoreBallot, i: number): number => (valid(b) ? (b.scores[i] ?? 0) : 0);
  return totalsFlip(
    election,
    { method: 'score', ...options },
    score,
    (b, w, y) => score(b, w) + max - score(b, y),
    (y, b) => ({ weight: b.weight, scores: election.candidates.map((_, i) => (i === y ? max : null)) }),
  );
}

/**
 * An upper bound on the smallest flip of a ranked count (IRV, STV, Borda, Condorcet
 * methods), with a replayed witness; see the module comment. `options` are the count's
 * own (method, rules, seed). Null when no search found a flip.
 */
export function rankedFlip(election: Election<RankedBallot>, options: TallyOptions): MethodFlip<RankedBallot> | null {
  const result = tally(election as Election<never>, options);
  const standing = standingOf(election);
  const index = new Map(standing.map((i) => [election.candidates[i]!, i]));
  const elected = result.elected.map((n) => index.get(n)!);
  const unelected = standing.filter((i) => !elected.includes(i));
  // Papers grouped by identical ballot: a try counts the groups, not every paper.
  const keys = new Map<string, number>();
  const groupOf: number[] = [];
  const groups: RankedBallot[] = [];
  election.ballots.forEach((b) => {
    const key = `${b.weight.num}/${b.weight.den}|${JSON.stringify(b.ranking)}`;
    let g = keys.get(key);
    if (g === undefined) {
      g = groups.length;
      keys.set(key, g);
      groups.push(b);
    }
    groupOf.push(g);
  });
  const counts = new Array<number>(groups.length).fill(0);
  for (const g of groupOf) counts[g]!++;
  let best: { w: number; y: number; papers: number[] } | null = null;
  for (const w of elected)
    for (const y of unelected) {
      const top = (b: RankedBallot): number | undefined => (b.ranking[0]?.length === 1 ? b.ranking[0][0] : undefined);
      const order: number[] = [];
      election.ballots.forEach((b, p) => top(b) === w && order.push(p));
      election.ballots.forEach((b, p) => top(b) !== w && top(b) !== y && order.push(p));
      const limit = best ? Math.min(order.length, best.papers.length - 1) : order.length;
      const tried = new Map<number, boolean>();
      const flips = (k: number): boolean => {
        const known = tried.get(k);
        if (known !== undefined) return known;
        const left = [...counts];
        const moved = new Map<string, Rational>();
        for (const p of order.slice(0, k)) {
          const b = election.ballots[p]!;
          left[groupOf[p]!]!--;
          const key = `${b.weight.num}/${b.weight.den}`;
          moved.set(key, add(moved.get(key) ?? ZERO, b.weight));
        }
        const ballots: RankedBallot[] = [];
        groups.forEach(
          (b, g) => left[g]! > 0 && ballots.push({ weight: mul(b.weight, rat(left[g]!)), ranking: b.ranking }),
        );
        for (const weight of moved.values()) ballots.push({ weight, ranking: [[y]] });
        const flipped = flippedForCertain(result.elected, tally({ ...election, ballots: ballots as never[] }, options));
        tried.set(k, flipped);
        return flipped;
      };
      if (limit < 1) continue;
      // Once a flip is known, a pair that cannot beat it at its limit is passed over.
      if (best && !flips(limit)) continue;
      let hi = 1;
      while (hi < limit && !flips(hi)) hi = Math.min(limit, hi * 2);
      if (!flips(hi)) continue;
      let lo = Math.floor(hi / 2); // lo: not known to flip (0 never does)
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (flips(mid)) hi = mid;
        else lo = mid;
      }
      best = { w, y, papers: order.slice(0, hi) };
    }
  if (!best) return null;
  const { w, y, papers } = best;
  const from = election.candidates[w]!;
  const to = election.candidates[y]!;
  return {
    exact: false,
    papers: papers.length,
    from,
    to,
    changes: papers.map((paper) => ({ paper, to: { weight: election.ballots[paper]!.weight, ranking: [[y]] } })),
    note: `At most ${papers.length} changed ${papers.length === 1 ? 'paper' : 'papers'} would change who is elected: ${papers.length === 1 ? 'it votes' : 'they vote'} for ${to} alone, and ${from} loses.`,
  };
}

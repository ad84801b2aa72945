/**
 * Identical ballots, counted once.
 *
 * Note for the STV engineer (and anyone counting): every method in src/tally/methods
 * aggregates through `aggregateRanked` before counting, so a count costs O(distinct
 * ballots) rather than O(ballots). It also validates the ballots (index range, no
 * candidate twice, weight ≥ 0) and drops withdrawn candidates, so you can use it in
 * src/tally/stv as well; `scaleWeights` turns the exact weights into bigints over one
 * common denominator for fast integer sums.
 */
import type { Election, RankedBallot } from './types';
import { type Rational, rat, add, ratToString } from './rational';

/** One distinct ranking and the total weight of the ballots that gave it. */
export interface BallotGroup {
  /** Preference groups of standing candidates, most preferred first; empty = abstention. */
  readonly ranking: ReadonlyArray<ReadonlyArray<number>>;
  readonly weight: Rational;
  /** How many ballot papers it stands for. */
  readonly ballots: number;
}

/** A ballot that cannot be counted by any method: the caller built it wrong. */
export class BallotError extends RangeError {
  constructor(readonly ballot: number, reason: string) {
    super(`ballot ${ballot + 1}: ${reason}`);
    this.name = 'BallotError';
  }
}

type Acc = { ranking: number[][]; num: bigint; den: bigint; ballots: number };

/**
 * Aggregate identical rankings. Withdrawn candidates are removed from every ranking
 * (later preferences move up) and groups left empty disappear, so two ballots that
 * differ only in a withdrawn candidate become one. Groups come out in order of first
 * appearance; the candidates inside an equal-preference group are sorted by index.
 * Zero-weight ballots are kept (they count as papers, not as votes).
 */
export function aggregateRanked(election: Election<RankedBallot>): BallotGroup[] {
  const c = election.candidates.length;
  const withdrawn = new Uint8Array(c);
  for (const w of election.withdrawn) {
    if (!Number.isInteger(w) || w < 0 || w >= c) throw new RangeError(`withdrawn candidate index ${w} out of range`);
    withdrawn[w] = 1;
  }
  const seen = new Int32Array(c).fill(-1);
  const byKey = new Map<string, Acc>();
  const order: Acc[] = [];
  const ballots = election.ballots;
  for (let b = 0; b < ballots.length; b++) {
    const ballot = ballots[b]!;
    const w = ballot.weight;
    if (w.num < 0n) throw new BallotError(b, `negative weight ${ratToString(w)}`);
    if (!Array.isArray(ballot.ranking)) throw new BallotError(b, 'not a ranked ballot (no ranking)');
    const ranking: number[][] = [];
    let key = '';
    for (const group of ballot.ranking) {
      let kept: number[] | null = null;
      for (const x of group) {
        if (!Number.isInteger(x) || x < 0 || x >= c) throw new BallotError(b, `candidate index ${x} out of range`);
        if (seen[x] === b) throw new BallotError(b, `candidate ${JSON.stringify(election.candidates[x])} appears twice`);
        seen[x] = b;
        if (withdrawn[x]) continue;
        (kept ??= []).push(x);
      }
      if (kept === null) continue;
      if (kept.length > 1) kept.sort((p, q) => p - q);
      ranking.push(kept);
      key += kept.length === 1 ? `${kept[0]}>` : `${kept.join('=')}>`;
    }
    const acc = byKey.get(key);
    if (acc === undefined) {
      const fresh: Acc = { ranking, num: w.num, den: w.den, ballots: 1 };
      byKey.set(key, fresh);
      order.push(fresh);
    } else {
      acc.ballots++;
      if (acc.den === 1n && w.den === 1n) acc.num += w.num;
      else {
        const s = add({ num: acc.num, den: acc.den }, w);
        acc.num = s.num;
        acc.den = s.den;
      }
    }
  }
  return order.map((a) => ({ ranking: a.ranking, weight: rat(a.num, a.den), ballots: a.ballots }));
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
export const lcm = (a: bigint, b: bigint): bigint => (a / gcd(a, b)) * b;

/** lcm(1, 2, ..., n): a denominator that any share of a weight among up to n is exact over. */
export function lcmUpTo(n: number): bigint {
  let l = 1n;
  for (let k = 2n; k <= BigInt(n); k++) l = lcm(l, k);
  return l;
}

/**
 * The weights as integers over one common denominator `den` (the lcm of the weight
 * denominators times `factor`), so that counts can add bigints instead of fractions and
 * divide a weight by any divisor of `factor` exactly. Value of weights[i] is weights[i]/den.
 */
export function scaleWeights(weights: ReadonlyArray<Rational>, factor = 1n): { den: bigint; weights: bigint[] } {
  let den = 1n;
  for (const w of weights) if (w.den !== 1n) den = lcm(den, w.den);
  den *= factor;
  return { den, weights: weights.map((w) => w.num * (den / w.den)) };
}

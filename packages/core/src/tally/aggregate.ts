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
import { type Rational, ZERO, rat, add, ratToString } from './rational';

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
  constructor(
    readonly ballot: number,
    reason: string,
  ) {
    super(`ballot ${ballot + 1}: ${reason}`);
    this.name = 'BallotError';
  }
}

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
  // Each ranking is encoded in a scratch buffer: candidate x as x+1, an equal-preference
  // group as 0, its members, 0. Distinct encodings are found by an open-addressing hash
  // table over a flat store, so a ballot seen before allocates nothing.
  const buf = new Uint32Array(3 * c + 1);
  const table = new HashedRankings();
  // Per group: whole-number weights summed as a float while exact, the rest as a rational.
  let small = new Float64Array(1024);
  const big: Rational[] = [];
  const papers: number[] = [];
  const seen = new Int32Array(c).fill(-1);
  const ballots = election.ballots;
  for (let b = 0; b < ballots.length; b++) {
    const ballot = ballots[b]!;
    const w = ballot.weight;
    if (w.num < 0n) throw new BallotError(b, `negative weight ${ratToString(w)}`);
    const ranking: ReadonlyArray<ReadonlyArray<number>> = ballot.ranking;
    if (!Array.isArray(ranking)) throw new BallotError(b, 'not a ranked ballot (no ranking)');
    let k = 0;
    for (let gi = 0; gi < ranking.length; gi++) {
      const group: ReadonlyArray<number> = ranking[gi]!;
      const open = k;
      if (group.length > 1) buf[k++] = 0;
      const first = k;
      for (let m = 0; m < group.length; m++) {
        const x = group[m]!;
        if (!Number.isInteger(x) || x < 0 || x >= c) throw new BallotError(b, `candidate index ${x} out of range`);
        if (seen[x] === b)
          throw new BallotError(b, `candidate ${JSON.stringify(election.candidates[x])} appears twice`);
        seen[x] = b;
        if (withdrawn[x] === 0) buf[k++] = x + 1;
      }
      const kept = k - first;
      if (kept === 0) k = open;
      else if (group.length > 1) {
        if (kept === 1) {
          buf[open] = buf[first]!;
          k = open + 1;
        } // an equal group reduced to one
        else {
          buf.subarray(first, k).sort();
          buf[k++] = 0;
        }
      }
    }
    const g = table.intern(buf, k);
    if (g === papers.length) {
      papers.push(0);
      big.push(ZERO);
      if (g === small.length) {
        const s = new Float64Array(g * 2);
        s.set(small);
        small = s;
      }
    }
    papers[g]!++;
    if (w.den === 1n && w.num <= 0xffffffffn && small[g]! < 2 ** 52) small[g]! += Number(w.num);
    else big[g] = add(big[g]!, w);
  }
  return papers.map((count, g) => ({
    ranking: table.decode(g),
    weight: small[g] === 0 ? big[g]! : add(big[g]!, rat(BigInt(small[g]!))),
    ballots: count,
  }));
}

/** Distinct rankings (as encoded above), numbered in order of first appearance. */
class HashedRankings {
  private store = new Uint32Array(4096);
  private used = 0;
  private start: number[] = [];
  private len: number[] = [];
  private slots = new Int32Array(1 << 12);
  private mask = (1 << 12) - 1;

  intern(buf: Uint32Array, k: number): number {
    let h = 0x811c9dc5 ^ k;
    for (let i = 0; i < k; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    h ^= h >>> 15;
    let at = h & this.mask;
    for (;;) {
      const slot = this.slots[at]!;
      if (slot === 0) break;
      const g = slot - 1;
      if (this.len[g] === k) {
        const s = this.start[g]!;
        let same = true;
        for (let i = 0; i < k; i++)
          if (this.store[s + i] !== buf[i]) {
            same = false;
            break;
          }
        if (same) return g;
      }
      at = (at + 1) & this.mask;
    }
    const g = this.start.length;
    if (this.used + k > this.store.length) {
      const bigger = new Uint32Array(Math.max(this.store.length * 2, this.used + k));
      bigger.set(this.store.subarray(0, this.used));
      this.store = bigger;
    }
    this.store.set(buf.subarray(0, k), this.used);
    this.start.push(this.used);
    this.len.push(k);
    this.used += k;
    this.slots[at] = g + 1;
    if (2 * (g + 1) > this.slots.length) this.grow();
    return g;
  }

  private grow(): void {
    const size = this.slots.length * 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let g = 0; g < this.start.length; g++) {
      const s = this.start[g]!;
      const k = this.len[g]!;
      let h = 0x811c9dc5 ^ k;
      for (let i = 0; i < k; i++) h = Math.imul(h ^ this.store[s + i]!, 0x01000193);
      h ^= h >>> 15;
      let at = h & this.mask;
      while (this.slots[at] !== 0) at = (at + 1) & this.mask;
      this.slots[at] = g + 1;
    }
  }

  decode(g: number): number[][] {
    const s = this.start[g]!;
    const end = s + this.len[g]!;
    const ranking: number[][] = [];
    for (let i = s; i < end; i++) {
      const v = this.store[i]!;
      if (v !== 0) {
        ranking.push([v - 1]);
        continue;
      }
      const group: number[] = [];
      for (i++; this.store[i] !== 0; i++) group.push(this.store[i]! - 1);
      ranking.push(group);
    }
    return ranking;
  }
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

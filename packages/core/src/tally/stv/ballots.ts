/**
 * Ballots made ready for an STV count: checked, stripped of withdrawn candidates, and
 * aggregated, so that identical rankings are counted once with their weights summed. A
 * count then does work in proportion to the number of distinct rankings, not ballots.
 *
 * Whole-number weights (the usual case: one member, one vote) are summed as exact integer
 * counts in a Uint32Array, the total checked to stay below 2^32, so that the counts can
 * multiply a transfer value once per parcel instead of once per ballot. Any fractional
 * weight (the delegate model) switches the count to per-group fixed-point bigints.
 */
import type { Election, RankedBallot, StvRules } from '../types';
import { BallotError } from '../aggregate';
import { type Rational, add, ZERO } from '../rational';
import { fromRational, type Fixed, type Scale } from './fixed';

const MAX_COUNT = 0xffffffff;

export interface PreparedBallots {
  /** Number of distinct rankings. */
  readonly groups: number;
  /** The rankings, end to end: group g ranks prefs[start[g]] .. prefs[start[g+1]-1]. */
  readonly prefs: Uint8Array | Uint16Array;
  readonly start: Int32Array;
  /**
   * Per group, the number of ballots when every weight is a whole number and all of them
   * together number less than 2^32; else null, and the weights are in `whole`/`fractional`.
   */
  readonly counts: Uint32Array | null;
  /** Per group: the sum of its whole-number weights (when `counts` is null). */
  readonly whole: ReadonlyArray<bigint> | null;
  /** Per group: its fractional weights, each kept apart so each is truncated on its own. */
  readonly fractional: ReadonlyMap<number, ReadonlyArray<Rational>>;
  /** Total weight of the ballots that rank no standing candidate (empty, or only withdrawn
   * candidates): they are not valid votes. */
  readonly ignored: Rational;
}

/**
 * Check and aggregate the ballots. Throws BallotError (as the other counts do) naming the
 * ballot for a candidate out of range, a candidate ranked twice, a negative weight, or an
 * equal preference (a group of more than one): none of the three rule sets counts those
 * (see index.ts for why).
 */
export function prepareBallots(election: Election<RankedBallot>, rules: StvRules): PreparedBallots {
  const n = election.candidates.length;
  if (n > 0xffff) throw new RangeError(`too many candidates (${n}); at most 65535 are supported`);
  const withdrawn = new Uint8Array(n);
  for (const w of election.withdrawn) withdrawn[w] = 1;
  const ballots = election.ballots;
  const N = ballots.length;

  // Sized once for the worst case (every ballot different), and as small as the number of
  // candidates allows: a million ballots fill the heap already, and V8 answers a burst of
  // typed-array memory (beyond 64 MB) with a full collection of that whole heap.
  let length = 0;
  for (let i = 0; i < N; i++) length += ballots[i]!.ranking.length;
  let prefs: Uint8Array | Uint16Array =
    n <= 0x100 ? new Uint8Array(Math.max(length, 1)) : new Uint16Array(Math.max(length, 1));
  const starts = new Int32Array(N + 1);
  let cap = 2;
  while (cap < 2 * N) cap *= 2;
  const mask = cap - 1;
  // Identical rankings are found with an open-addressing hash table over the rankings
  // themselves (no string keys: this runs once per ballot). The table is an ordinary
  // array, on the heap rather than in typed-array memory, which V8 watches (see above).
  // Each slot holds a group and its hash, side by side, so that a probe touches one place.
  const table = new Array<number>(2 * cap).fill(-1);
  let counts: Uint32Array | null = new Uint32Array(N);
  let total = 0; // whole ballots counted so far, kept below 2^32
  let whole: bigint[] | null = null;
  const fractional = new Map<number, Rational[]>();
  const seen = new Int32Array(n); // stamp per candidate: the ballot that last ranked it
  const buf = new Uint16Array(n);
  let used = 0;
  let groups = 0;
  let ignored = ZERO;

  for (let i = 0; i < N; i++) {
    const ballot = ballots[i]!;
    const w = ballot.weight;
    if (w.num < 0n) throw new BallotError(i, 'a negative weight');
    const stamp = i + 1;
    const ranking = ballot.ranking;
    let k = 0;
    let h = 0x811c9dc5;
    for (let r = 0; r < ranking.length; r++) {
      const group = ranking[r]!;
      if (group.length !== 1) {
        if (group.length === 0) throw new BallotError(i, 'an empty preference');
        throw new BallotError(
          i,
          `${group.length} candidates ranked equal; the ${rules} rules need a strict order of preference (equal preferences are not supported)`,
        );
      }
      const c = group[0]!;
      if (!Number.isInteger(c) || c < 0 || c >= n) {
        throw new BallotError(i, `candidate ${c} does not exist (there are ${n} candidates)`);
      }
      if (seen[c] === stamp) throw new BallotError(i, `${election.candidates[c]} ranked more than once`);
      seen[c] = stamp;
      if (withdrawn[c] === 0) {
        buf[k++] = c;
        h = Math.imul(h ^ (c + 1), 0x01000193);
      }
    }
    if (k === 0) {
      ignored = add(ignored, w);
      continue;
    }
    if (w.num === 0n) continue;
    h = Math.imul(h ^ k, 0x5bd1e995);
    h ^= h >>> 16; // murmur3's finaliser: spread every bit into the low ones used as the slot
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    let slot = h & mask;
    let g = -1;
    for (;;) {
      const at = table[2 * slot]!;
      if (at === -1) break;
      if (table[2 * slot + 1] === h && starts[at + 1]! - starts[at]! === k) {
        const s0 = starts[at]!;
        let same = true;
        for (let j = 0; j < k; j++)
          if (prefs[s0 + j] !== buf[j]) {
            same = false;
            break;
          }
        if (same) {
          g = at;
          break;
        }
      }
      slot = (slot + 1) & mask;
    }
    if (g === -1) {
      g = groups++;
      table[2 * slot] = g;
      table[2 * slot + 1] = h;
      for (let j = 0; j < k; j++) prefs[used + j] = buf[j]!;
      used += k;
      starts[g + 1] = used;
    }
    if (w.den !== 1n) {
      const list = fractional.get(g);
      if (list) list.push(w);
      else fractional.set(g, [w]);
    } else if (counts && w.num <= 0xffffffffn && total + Number(w.num) <= MAX_COUNT) {
      // Whole numbers below 2^32, and their total too: exact as integers.
      counts[g] = counts[g]! + Number(w.num);
      total += Number(w.num);
    } else {
      if (!whole) whole = new Array<bigint>(N).fill(0n);
      whole[g] = whole[g]! + w.num;
    }
  }
  if (whole || fractional.size) {
    // Not all whole, or too many: fold the counts into bigints.
    const all = whole ?? new Array<bigint>(N).fill(0n);
    if (counts) for (let g = 0; g < groups; g++) all[g] = all[g]! + BigInt(counts[g]!);
    whole = all.slice(0, groups);
    counts = null;
  }
  if (used < prefs.length / 2) prefs = prefs.slice(0, used);
  return {
    groups,
    prefs: prefs.subarray(0, used),
    start: starts.subarray(0, groups + 1),
    counts: counts ? counts.subarray(0, groups) : null,
    whole,
    fractional,
    ignored,
  };
}

/**
 * The weight of each group at a rule's fixed point (for counts that do not run on whole
 * `counts`). A fractional weight (the delegate model) is converted ballot by ballot,
 * truncating to the rule's places, and the results summed exactly: a voter's weight is
 * never rounded up, and aggregation changes nothing.
 */
export function groupWeights(p: PreparedBallots, s: Scale): Fixed[] {
  const out = new Array<Fixed>(p.groups);
  for (let g = 0; g < p.groups; g++) out[g] = (p.counts ? BigInt(p.counts[g]!) : p.whole![g]!) * s.one;
  for (const [g, list] of p.fractional) {
    let extra = 0n;
    for (const w of list) extra += fromRational(w, s);
    out[g] = out[g]! + extra;
  }
  return out;
}

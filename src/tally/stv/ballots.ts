/**
 * Ballots made ready for an STV count: checked, stripped of withdrawn candidates, and
 * aggregated, so that identical rankings are counted once with their weights summed. A
 * count then does work in proportion to the number of distinct rankings, not ballots.
 */
import type { Election, RankedBallot, StvRules } from '../types';
import { type Rational, add, ZERO } from '../rational';
import { fromRational, type Fixed, type Scale } from './fixed';

export interface PreparedBallots {
  /** Number of distinct rankings. */
  readonly groups: number;
  /** The rankings, end to end: group g ranks prefs[start[g]] .. prefs[start[g+1]-1]. */
  readonly prefs: Uint16Array;
  readonly start: Int32Array;
  /** Per group: the sum of its whole-number weights. */
  readonly wholeWeight: ReadonlyArray<bigint>;
  /** Per group: its fractional weights, each kept apart so each is truncated on its own. */
  readonly fractionalWeights: ReadonlyMap<number, ReadonlyArray<Rational>>;
  /** Total weight of the ballots that rank no standing candidate (empty, or only withdrawn
   * candidates): they are not valid votes. */
  readonly ignored: Rational;
}

/**
 * Check and aggregate the ballots. Throws an Error naming the ballot (1-based) for a
 * candidate out of range, a candidate ranked twice, a negative weight, or an equal
 * preference (a group of more than one): none of the three rule sets counts those (see
 * index.ts for why).
 */
export function prepareBallots(election: Election<RankedBallot>, rules: StvRules): PreparedBallots {
  const n = election.candidates.length;
  if (n > 0xffff) throw new Error(`too many candidates (${n}); at most 65535 are supported`);
  const withdrawn = new Uint8Array(n);
  for (const w of election.withdrawn) withdrawn[w] = 1;

  const index = new Map<string, number>();
  const wholeWeight: bigint[] = [];
  const fractional = new Map<number, Rational[]>();
  const seen = new Int32Array(n); // stamp per candidate: the ballot that last ranked it
  const buf = new Uint16Array(n);
  let prefs = new Uint16Array(1024);
  let used = 0;
  const starts: number[] = [0];
  let ignored = ZERO;

  const ballots = election.ballots;
  for (let i = 0; i < ballots.length; i++) {
    const ballot = ballots[i]!;
    const w = ballot.weight;
    if (w.num < 0n) throw new Error(`ballot ${i + 1} has a negative weight`);
    const stamp = i + 1;
    let k = 0;
    for (const group of ballot.ranking) {
      if (group.length !== 1) {
        if (group.length === 0) throw new Error(`ballot ${i + 1} has an empty preference`);
        throw new Error(
          `ballot ${i + 1} ranks ${group.length} candidates equal; the ${rules} rules need a strict order of preference (equal preferences are not supported)`,
        );
      }
      const c = group[0]!;
      if (!Number.isInteger(c) || c < 0 || c >= n) {
        throw new Error(`ballot ${i + 1}: candidate ${c} does not exist (there are ${n} candidates)`);
      }
      if (seen[c] === stamp) throw new Error(`ballot ${i + 1} ranks ${election.candidates[c]} more than once`);
      seen[c] = stamp;
      if (withdrawn[c] === 0) buf[k++] = c;
    }
    if (k === 0) { ignored = add(ignored, w); continue; }
    if (w.num === 0n) continue;
    const key = String.fromCharCode.apply(null, buf.subarray(0, k) as unknown as number[]);
    let g = index.get(key);
    if (g === undefined) {
      g = starts.length - 1;
      index.set(key, g);
      if (used + k > prefs.length) {
        const bigger = new Uint16Array(Math.max(prefs.length * 2, used + k));
        bigger.set(prefs.subarray(0, used));
        prefs = bigger;
      }
      prefs.set(buf.subarray(0, k), used);
      used += k;
      starts.push(used);
      wholeWeight.push(0n);
    }
    if (w.den === 1n) wholeWeight[g]! += w.num;
    else {
      const list = fractional.get(g);
      if (list) list.push(w);
      else fractional.set(g, [w]);
    }
  }
  return {
    groups: starts.length - 1,
    prefs: prefs.subarray(0, used),
    start: Int32Array.from(starts),
    wholeWeight,
    fractionalWeights: fractional,
    ignored,
  };
}

/**
 * The weight of each group at a rule's fixed point. A fractional weight (the delegate
 * model) is converted ballot by ballot, truncating to the rule's places, and the results
 * summed exactly: a voter's weight is never rounded up, and aggregation changes nothing.
 */
export function groupWeights(p: PreparedBallots, s: Scale): Fixed[] {
  const out = new Array<Fixed>(p.groups);
  for (let g = 0; g < p.groups; g++) out[g] = p.wholeWeight[g]! * s.one;
  for (const [g, list] of p.fractionalWeights) {
    let extra = 0n;
    for (const w of list) extra += fromRational(w, s);
    out[g] = out[g]! + extra;
  }
  return out;
}

/**
 * Borda count, standard or Dowdall. With n candidates standing, the k-th place on a paper
 * (k = 1..n) is worth n-k points (standard: n-1, ..., 1, 0) or 1/k (Dowdall: 1, 1/2,
 * 1/3, ...). The candidates with the most points are elected.
 *
 * Partial and equal rankings are "averaged": every preference group shares equally the
 * points of the places it covers, and the candidates a paper leaves unranked form one
 * last group sharing the places left. So every non-blank paper gives away the same total
 * points, and ranking A first and the rest not at all counts like A first, the rest
 * equal. An empty paper is blank and gives no points.
 */
import type { Election, RankedBallot, TallyResult } from '../types';
import { type Rational, ZERO, add, div, rat, ratToString, sub } from '../rational';
import { aggregateRanked, lcmUpTo, scaleWeights } from '../aggregate';
import { checkSeats, fillSeats, nameOf, standingOf, tiersByValue, votesRecord, withdrawnNote } from './common';

export type BordaVariant = 'standard' | 'dowdall';

export interface BordaOptions {
  readonly variant?: BordaVariant;
}

export function countBorda(election: Election<RankedBallot>, seed: string, options: BordaOptions = {}): TallyResult {
  const variant = options.variant ?? 'standard';
  if (variant !== 'standard' && variant !== 'dowdall')
    throw new RangeError(`borda: unknown variant ${JSON.stringify(variant)}`);
  const standing = standingOf(election);
  checkSeats('borda', election.seats, standing.length);
  const n = standing.length;
  // prefix[k] = points of places 1..k together.
  const prefix: Rational[] = [ZERO];
  for (let k = 1; k <= n; k++) prefix.push(add(prefix[k - 1]!, variant === 'standard' ? rat(n - k) : rat(1, k)));
  // A group covering s places shares a sum with denominator dividing lcm(1..n), so its
  // average is exact over lcm(1..n)·s; scaling by lcm(1..n)² makes every share an integer.
  const l = lcmUpTo(n);
  const scale = variant === 'standard' ? l : l * l;
  const shareCache = new Map<number, bigint>();
  const share = (from: number, size: number): bigint => {
    const key = from * (n + 1) + size;
    let v = shareCache.get(key);
    if (v === undefined) {
      const avg = div(sub(prefix[from + size]!, prefix[from]!), rat(size));
      v = (avg.num * scale) / avg.den;
      shareCache.set(key, v);
    }
    return v;
  };

  const groups = aggregateRanked(election);
  const { den, weights } = scaleWeights(groups.map((g) => g.weight));
  const points: bigint[] = election.candidates.map(() => 0n);
  // Points every standing candidate gets as "unranked"; a ranked candidate's own figure
  // is corrected by the difference, so a paper costs O(ranked), not O(candidates).
  let everyone = 0n;
  let blank = ZERO;
  let valid = ZERO;
  groups.forEach((g, gi) => {
    if (g.ranking.length === 0) {
      blank = add(blank, g.weight);
      return;
    }
    valid = add(valid, g.weight);
    const w = weights[gi]!;
    let place = 0;
    for (const group of g.ranking) place += group.length;
    const rest = place < n ? w * share(place, n - place) : 0n;
    everyone += rest;
    place = 0;
    for (const group of g.ranking) {
      const p = w * share(place, group.length) - rest;
      for (const c of group) points[c]! += p;
      place += group.length;
    }
  });
  for (const c of standing) points[c]! += everyone;
  const total = (i: number): Rational => rat(points[i]!, den * scale);
  const { elected, ties } = fillSeats(
    election,
    tiersByValue(standing, total),
    election.seats,
    seed,
    `borda-${variant}`,
    'Most points',
  );
  const electedNames = elected.map((i) => nameOf(election, i));
  const scheme = variant === 'standard' ? `${n - 1}, ${n - 2}, ..., 0 points` : '1, 1/2, 1/3, ... points';
  return {
    method: 'borda',
    seats: election.seats,
    candidates: standing.map((i) => nameOf(election, i)),
    elected: electedNames,
    rounds: [
      {
        number: 1,
        votes: votesRecord(election, standing, total),
        elected: electedNames,
        excluded: [],
        note: `Borda (${variant}): places worth ${scheme}; most points elected.`,
      },
    ],
    ties,
    seed,
    notes: [
      `Borda, ${variant} variant (${scheme}). Partial rankings are averaged: equal preferences, and the candidates a paper leaves unranked, share equally the points of the places they cover.`,
      ...withdrawnNote(election),
    ],
    summary: { variant, partialRankings: 'averaged', valid: ratToString(valid), blank: ratToString(blank) },
  };
}

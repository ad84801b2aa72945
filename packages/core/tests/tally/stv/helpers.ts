import { rat } from '../../../src/tally/rational';
import type { Election, RankedBallot } from '../../../src/tally/types';

/**
 * A small election written by hand: candidates are single letters (or words) and each
 * ballot is [number of papers, "A B C"] in order of preference.
 */
export function election(
  candidates: string[],
  seats: number,
  ballots: Array<[number, string]>,
  extra: Partial<Election<RankedBallot>> = {},
): Election<RankedBallot> {
  const index = new Map(candidates.map((c, i) => [c, i]));
  return {
    title: 'test',
    candidates,
    withdrawn: [],
    seats,
    ballots: ballots.map(([n, prefs]) => ({
      weight: rat(n),
      ranking: prefs
        .split(/\s+/)
        .filter(Boolean)
        .map((c) => {
          const i = index.get(c);
          if (i === undefined) throw new Error(`no candidate ${c}`);
          return [i];
        }),
    })),
    ...extra,
  };
}

/** Votes of a round as numbers of the smallest unit, for exact sums (e.g. "1.50" -> 150n). */
export const units = (figure: string): bigint => BigInt(figure.replace('.', ''));

/** Small builders for tally tests: ballots written as "A>B=C>D" (equal preference with "="). */
import type { Election, RankedBallot, ScoreBallot } from '../../src/tally/types';
import { rat } from '../../src/tally/rational';

export function ranking(text: string, candidates: ReadonlyArray<string>): number[][] {
  if (text.trim() === '') return [];
  return text.split('>').map((g) =>
    g.split('=').map((name) => {
      const i = candidates.indexOf(name.trim());
      if (i < 0) throw new Error(`no candidate ${name}`);
      return i;
    }),
  );
}

/** An election from [weight, "A>B"] rows; each row is ONE ballot carrying that weight. */
export function weighted(
  candidates: string[],
  rows: Array<[number, string]>,
  seats = 1,
  withdrawn: string[] = [],
): Election<RankedBallot> {
  return {
    title: 'test',
    candidates,
    seats,
    withdrawn: withdrawn.map((w) => candidates.indexOf(w)),
    ballots: rows.map(([w, r]) => ({ weight: rat(w), ranking: ranking(r, candidates) })),
  };
}

/** An election from [count, "A>B"] rows; each row is `count` separate ballots of weight 1. */
export function papers(
  candidates: string[],
  rows: Array<[number, string]>,
  seats = 1,
  withdrawn: string[] = [],
): Election<RankedBallot> {
  const ballots: RankedBallot[] = [];
  for (const [n, r] of rows)
    for (let k = 0; k < n; k++) ballots.push({ weight: rat(1), ranking: ranking(r, candidates) });
  return { title: 'test', candidates, seats, withdrawn: withdrawn.map((w) => candidates.indexOf(w)), ballots };
}

export function scored(
  candidates: string[],
  rows: Array<[number, Array<number | null>]>,
  seats = 1,
): Election<ScoreBallot> {
  const ballots: ScoreBallot[] = [];
  for (const [n, s] of rows) for (let k = 0; k < n; k++) ballots.push({ weight: rat(1), scores: s });
  return { title: 'test', candidates, seats, withdrawn: [], ballots };
}

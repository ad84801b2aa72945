/**
 * Score (range) voting: each paper gives every candidate a whole score from 0 to
 * `maxScore`; the candidates with the highest total are elected, and each one's average
 * is reported. A candidate a paper leaves unscored gets 0 from it (in the total and in
 * the average, which is over all valid papers): leaving a candidate out is scoring them
 * lowest. A paper with a score outside 0..maxScore, or not a whole number, is invalid and
 * set aside; a paper scoring no one is blank. Withdrawn candidates' scores are ignored.
 */
import type { Election, ScoreBallot, TallyResult } from '../types';
import { type Rational, ZERO, div, rat, ratToString, toFixed } from '../rational';
import { BallotError, scaleWeights } from '../aggregate';
import {
  type Arith,
  BIGINTS,
  DOUBLES,
  checkSeats,
  fillSeats,
  fitsDoubles,
  nameOf,
  standingOf,
  tiersByValue,
  votesRecord,
  withdrawnNote,
} from './common';

/** The highest score when none is given: the one default, for questions too. */
export const DEFAULT_MAX_SCORE = 10;

export interface ScoreOptions {
  /** Highest score allowed on a paper. Default DEFAULT_MAX_SCORE. */
  readonly maxScore?: number;
}

export function countScore(election: Election<ScoreBallot>, seed: string, options: ScoreOptions = {}): TallyResult {
  const max = options.maxScore ?? DEFAULT_MAX_SCORE;
  if (!Number.isInteger(max) || max < 1)
    throw new RangeError(`score: maxScore must be a positive whole number, not ${max}`);
  const standing = standingOf(election);
  checkSeats('score', election.seats, standing.length);
  const c = election.candidates.length;
  election.ballots.forEach((ballot, b) => {
    if (!Array.isArray(ballot.scores)) throw new BallotError(b, 'not a score ballot (no scores)');
    if (ballot.scores.length !== c) throw new BallotError(b, `has ${ballot.scores.length} scores for ${c} candidates`);
    if (ballot.weight.num < 0n) throw new BallotError(b, `negative weight ${ratToString(ballot.weight)}`);
  });
  const { den, weights } = scaleWeights(election.ballots.map((b) => b.weight));
  let all = 0n;
  for (const w of weights) all += w;
  const sums = fitsDoubles(all * BigInt(max))
    ? addUp(c, election.ballots, weights.map(Number), standing, max, DOUBLES)
    : addUp(c, election.ballots, weights, standing, max, BIGINTS);
  const over = (x: bigint): Rational => rat(x, den);
  const totals = sums.totals.map(over);
  const scoredBy = sums.scoredBy.map(over);
  const [valid, blank, invalid] = [over(sums.valid), over(sums.blank), over(sums.invalid)];
  const invalidPapers = sums.invalidPapers;
  const average = (i: number): Rational => (valid.num === 0n ? ZERO : div(totals[i]!, valid));
  const { elected, ties } = fillSeats(
    election,
    tiersByValue(standing, (i) => totals[i]!),
    election.seats,
    seed,
    'score',
    'Highest total score',
  );
  const electedNames = elected.map((i) => nameOf(election, i));
  const summary: Record<string, string> = {
    maxScore: String(max),
    unscored: 'counts as 0',
    valid: ratToString(valid),
    blank: ratToString(blank),
    invalid: ratToString(invalid),
    invalidPapers: String(invalidPapers),
  };
  for (const i of standing) {
    summary[`average ${nameOf(election, i)}`] = ratToString(average(i));
    summary[`scoredBy ${nameOf(election, i)}`] = ratToString(scoredBy[i]!);
  }
  return {
    method: 'score',
    seats: election.seats,
    candidates: standing.map((i) => nameOf(election, i)),
    elected: electedNames,
    rounds: [
      {
        number: 1,
        votes: votesRecord(election, standing, (i) => totals[i]!),
        elected: electedNames,
        excluded: [],
        note: `Highest total score elected. Averages over ${ratToString(valid)} valid papers: ${standing.map((i) => `${nameOf(election, i)} ${toFixed(average(i), 3)}`).join(', ')}.`,
      },
    ],
    ties,
    seed,
    notes: [
      `Scores 0 to ${max}; a candidate left unscored gets 0 from that paper, in the total and the average; a paper with a score out of range is invalid.`,
      ...withdrawnNote(election),
    ],
    summary,
  };
}

interface Sums {
  totals: bigint[];
  scoredBy: bigint[];
  valid: bigint;
  blank: bigint;
  invalid: bigint;
  invalidPapers: number;
}

/** Totals over scaled whole-number weights, in doubles or bigints (see Arith). */
function addUp<T>(
  c: number,
  ballots: ReadonlyArray<ScoreBallot>,
  weights: ReadonlyArray<T>,
  standing: ReadonlyArray<number>,
  max: number,
  a: Arith<T>,
): Sums {
  const totals: T[] = new Array<T>(c).fill(a.zero);
  const scoredBy: T[] = new Array<T>(c).fill(a.zero);
  let valid = a.zero,
    blank = a.zero,
    invalid = a.zero;
  let invalidPapers = 0;
  ballots.forEach((ballot, b) => {
    const w = weights[b]!;
    let any = false;
    let bad = false;
    for (const i of standing) {
      const s = ballot.scores[i];
      if (s === null || s === undefined) continue;
      any = true;
      if (!Number.isInteger(s) || s < 0 || s > max) bad = true;
    }
    if (bad) {
      invalid = a.add(invalid, w);
      invalidPapers++;
      return;
    }
    if (!any) {
      blank = a.add(blank, w);
      return;
    }
    valid = a.add(valid, w);
    for (const i of standing) {
      const s = ballot.scores[i];
      if (s === null || s === undefined) continue;
      scoredBy[i] = a.add(scoredBy[i]!, w);
      if (s !== 0) totals[i] = a.add(totals[i]!, a.mul(w, s));
    }
  });
  return {
    totals: totals.map((x) => a.big(x)),
    scoredBy: scoredBy.map((x) => a.big(x)),
    valid: a.big(valid),
    blank: a.big(blank),
    invalid: a.big(invalid),
    invalidPapers,
  };
}

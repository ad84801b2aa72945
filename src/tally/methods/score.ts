/**
 * Score (range) voting: each paper gives every candidate a whole score from 0 to
 * `maxScore`; the candidates with the highest total are elected, and each one's average
 * is reported. A candidate a paper leaves unscored gets 0 from it (in the total and in
 * the average, which is over all valid papers): leaving a candidate out is scoring them
 * lowest. A paper with a score outside 0..maxScore, or not a whole number, is invalid and
 * set aside; a paper scoring no one is blank. Withdrawn candidates' scores are ignored.
 */
import type { Election, ScoreBallot, TallyResult } from '../types';
import { type Rational, ZERO, add, div, mul, rat, ratToString, toFixed } from '../rational';
import { BallotError } from '../aggregate';
import { checkSeats, fillSeats, nameOf, standingOf, tiersByValue, votesRecord, withdrawnNote } from './common';

export interface ScoreOptions {
  /** Highest score allowed on a paper. Default 10. */
  readonly maxScore?: number;
}

export function countScore(election: Election<ScoreBallot>, seed: string, options: ScoreOptions = {}): TallyResult {
  const max = options.maxScore ?? 10;
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`score: maxScore must be a positive whole number, not ${max}`);
  const standing = standingOf(election);
  checkSeats('score', election.seats, standing.length);
  const c = election.candidates.length;
  const totals: Rational[] = election.candidates.map(() => ZERO);
  const scoredBy: Rational[] = election.candidates.map(() => ZERO);
  let valid = ZERO, blank = ZERO, invalid = ZERO;
  let invalidPapers = 0;
  election.ballots.forEach((ballot, b) => {
    if (!Array.isArray(ballot.scores)) throw new BallotError(b, 'not a score ballot (no scores)');
    if (ballot.scores.length !== c) throw new BallotError(b, `has ${ballot.scores.length} scores for ${c} candidates`);
    if (ballot.weight.num < 0n) throw new BallotError(b, `negative weight ${ratToString(ballot.weight)}`);
    let any = false;
    let bad = false;
    for (const i of standing) {
      const s = ballot.scores[i];
      if (s === null || s === undefined) continue;
      any = true;
      if (!Number.isInteger(s) || s < 0 || s > max) bad = true;
    }
    if (bad) { invalid = add(invalid, ballot.weight); invalidPapers++; return; }
    if (!any) { blank = add(blank, ballot.weight); return; }
    valid = add(valid, ballot.weight);
    for (const i of standing) {
      const s = ballot.scores[i];
      if (s === null || s === undefined || s === 0) continue;
      totals[i] = add(totals[i]!, mul(ballot.weight, rat(s)));
      scoredBy[i] = add(scoredBy[i]!, ballot.weight);
    }
  });
  const average = (i: number): Rational => (valid.num === 0n ? ZERO : div(totals[i]!, valid));
  const { elected, ties } = fillSeats(election, tiersByValue(standing, (i) => totals[i]!), election.seats, seed, 'score', 'Highest total score');
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
    rounds: [{
      number: 1,
      votes: votesRecord(election, standing, (i) => totals[i]!),
      elected: electedNames,
      excluded: [],
      note: `Highest total score elected. Averages over ${ratToString(valid)} valid papers: ${standing.map((i) => `${nameOf(election, i)} ${toFixed(average(i), 3)}`).join(', ')}.`,
    }],
    ties,
    seed,
    notes: [
      `Scores 0 to ${max}; a candidate left unscored gets 0 from that paper, in the total and the average; a paper with a score out of range is invalid.`,
      ...withdrawnNote(election),
    ],
    summary,
  };
}

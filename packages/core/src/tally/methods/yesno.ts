/**
 * A referendum (a motion, yes or no). The election has two options: the proposal and its
 * rejection. When they are named "Yes" and "No" (any case) the names say which is which;
 * otherwise the first option is the proposal. A paper votes for its single first
 * preference; an empty paper is an abstention, counted apart; a paper marking both is
 * invalid.
 *
 * The proposal carries when Yes is at least `threshold` of the votes cast (Yes + No) AND
 * more than No. With the default threshold 1/2 that is a simple majority (a tie fails);
 * with 2/3 it is "at least two thirds". With a quorum, the turnout (all papers returned,
 * abstentions and invalid ones included, by weight) must be at least `quorum` of the
 * electorate, or nothing is decided: elected is [] and the notes say why.
 */
import type { Election, RankedBallot, TallyResult } from '../types';
import { type Rational, ONE, ZERO, add, cmp, mul, parseRational, rat, ratToString, ratToReadable } from '../rational';
import { aggregateRanked } from '../aggregate';
import { nameOf, standingOf, votesRecord, withdrawnNote } from './common';

export interface YesNoOptions {
  /** Fraction of the votes cast that Yes needs (at least), e.g. "2/3". Default 1/2 (and more than No). */
  readonly threshold?: Rational | string;
  /** Turnout needed, as a fraction of the electorate, e.g. "1/4". Needs `electorate`. */
  readonly quorum?: Rational | string;
  /** Number (or total weight) of those entitled to vote. */
  readonly electorate?: Rational | string | number;
}

const asRational = (x: Rational | string | number, what: string): Rational => {
  try {
    return typeof x === 'object' ? x : typeof x === 'number' ? parseRational(String(x)) : parseRational(x);
  } catch {
    throw new RangeError(`yesno: ${what} is not a number: ${JSON.stringify(x)}`);
  }
};

export function countYesNo(election: Election<RankedBallot>, seed: string, options: YesNoOptions = {}): TallyResult {
  const standing = standingOf(election);
  if (standing.length !== 2)
    throw new RangeError(`yesno: a referendum needs exactly two options (Yes, No), not ${standing.length}`);
  const [first, second] = standing as [number, number];
  const named = (i: number, n: string): boolean => nameOf(election, i).trim().toLowerCase() === n;
  const [yes, no] = named(first, 'no') && named(second, 'yes') ? [second, first] : [first, second];

  const threshold = options.threshold === undefined ? rat(1, 2) : asRational(options.threshold, 'threshold');
  if (cmp(threshold, ZERO) <= 0 || cmp(threshold, ONE) > 0)
    throw new RangeError(`yesno: threshold must be in (0, 1], not ${ratToString(threshold)}`);
  const quorum = options.quorum === undefined ? undefined : asRational(options.quorum, 'quorum');
  const electorate = options.electorate === undefined ? undefined : asRational(options.electorate, 'electorate');
  if (quorum !== undefined && electorate === undefined)
    throw new RangeError('yesno: a quorum needs the size of the electorate');
  if (quorum !== undefined && (cmp(quorum, ZERO) < 0 || cmp(quorum, ONE) > 0))
    throw new RangeError(`yesno: quorum must be a fraction between 0 and 1, not ${ratToString(quorum)}`);
  if (electorate !== undefined && cmp(electorate, ZERO) < 0)
    throw new RangeError('yesno: the electorate cannot be negative');

  let forYes = ZERO,
    forNo = ZERO,
    blank = ZERO,
    invalid = ZERO;
  for (const g of aggregateRanked(election)) {
    const top = g.ranking[0];
    if (top === undefined) blank = add(blank, g.weight);
    else if (top.length !== 1) invalid = add(invalid, g.weight);
    else if (top[0] === yes) forYes = add(forYes, g.weight);
    else forNo = add(forNo, g.weight);
  }
  const cast = add(forYes, forNo);
  const turnout = add(add(cast, blank), invalid);
  const needed = mul(threshold, cast);
  const quorumNeeded = quorum !== undefined && electorate !== undefined ? mul(quorum, electorate) : undefined;
  const quorumMet = quorumNeeded === undefined ? null : cmp(turnout, quorumNeeded) >= 0;
  const carried = cmp(forYes, needed) >= 0 && cmp(forYes, forNo) > 0;
  const yesName = nameOf(election, yes);
  const noName = nameOf(election, no);
  const thresholdWords = cmp(threshold, rat(1, 2)) === 0 ? 'a simple majority' : `at least ${ratToString(threshold)}`;

  let elected: string[];
  let note: string;
  if (quorumMet === false) {
    elected = [];
    note = `Quorum not reached: turnout ${ratToReadable(turnout)} is below ${ratToReadable(quorumNeeded!)} (${ratToString(quorum!)} of an electorate of ${ratToReadable(electorate!)}); the vote decides nothing.`;
  } else if (carried) {
    elected = [yesName];
    note = `Carried: ${yesName} ${ratToReadable(forYes)} of ${ratToReadable(cast)} votes cast, ${thresholdWords} needed (${ratToReadable(needed)}).`;
  } else {
    elected = [noName];
    note = `Not carried: ${yesName} ${ratToReadable(forYes)} of ${ratToReadable(cast)} votes cast, ${thresholdWords} needed (${ratToReadable(needed)}${cmp(threshold, rat(1, 2)) === 0 ? ' and more than ' + noName : ''}).`;
  }
  return {
    method: 'yesno',
    seats: 1,
    candidates: [yesName, noName],
    elected,
    rounds: [
      {
        number: 1,
        votes: votesRecord(election, [yes, no], (i) => (i === yes ? forYes : forNo)),
        elected,
        excluded: [],
        note,
      },
    ],
    ties: [],
    seed,
    notes: [
      `The proposal carries with ${thresholdWords} of the votes cast (Yes + No) and more ${yesName} than ${noName}; abstentions and invalid papers are not votes cast${quorumNeeded === undefined ? '' : ' but do count towards the turnout for the quorum'}.`,
      ...withdrawnNote(election),
    ],
    summary: {
      yes: ratToString(forYes),
      no: ratToString(forNo),
      cast: ratToString(cast),
      blank: ratToString(blank),
      invalid: ratToString(invalid),
      turnout: ratToString(turnout),
      threshold: ratToString(threshold),
      needed: ratToString(needed),
      electorate: electorate === undefined ? null : ratToString(electorate),
      quorum: quorum === undefined ? null : ratToString(quorum),
      quorumNeeded: quorumNeeded === undefined ? null : ratToString(quorumNeeded),
      quorumMet,
      carried: quorumMet === false ? null : carried,
    },
  };
}

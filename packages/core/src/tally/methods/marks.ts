/**
 * Methods that read marks, not an order: plurality (one mark), block vote (up to one mark
 * per seat) and approval (any number of marks up to a maximum). A ranked ballot gives its
 * marks in its leading preference group(s); see each method. Invalid papers (too many
 * marks) are set aside and reported, blank papers (no marks) likewise.
 */
import type { Election, RankedBallot, TallyResult } from '../types';
import { type Rational, ZERO, add, ratToString, sum } from '../rational';
import { aggregateRanked } from '../aggregate';
import { checkSeats, fillSeats, nameOf, standingOf, tiersByValue, votesRecord, withdrawnNote } from './common';

export interface ApprovalOptions {
  /** Most marks a valid paper may carry; unlimited when absent. */
  readonly maxMarks?: number;
}

type Method = 'plurality' | 'block' | 'approval';

/** The marks of one ranking, or null if the paper has too many. */
type Reader = (ranking: ReadonlyArray<ReadonlyArray<number>>) => ReadonlyArray<number> | null;

function countMarks(
  method: Method,
  election: Election<RankedBallot>,
  seed: string,
  read: Reader,
  rules: string,
): TallyResult {
  const standing = standingOf(election);
  checkSeats(method, election.seats, standing.length);
  const votes: Rational[] = election.candidates.map(() => ZERO);
  let blank = ZERO;
  let invalid = ZERO;
  let invalidPapers = 0;
  const valid: Rational[] = [];
  for (const g of aggregateRanked(election)) {
    if (g.ranking.length === 0) {
      blank = add(blank, g.weight);
      continue;
    }
    const marks = read(g.ranking);
    if (marks === null) {
      invalid = add(invalid, g.weight);
      invalidPapers += g.ballots;
      continue;
    }
    valid.push(g.weight);
    for (const c of marks) votes[c] = add(votes[c]!, g.weight);
  }
  const { elected, ties } = fillSeats(
    election,
    tiersByValue(standing, (i) => votes[i]!),
    election.seats,
    seed,
    method,
    'Most votes',
  );
  const electedNames = elected.map((i) => nameOf(election, i));
  return {
    method,
    seats: election.seats,
    candidates: standing.map((i) => nameOf(election, i)),
    elected: electedNames,
    rounds: [
      {
        number: 1,
        votes: votesRecord(election, standing, (i) => votes[i]!),
        elected: electedNames,
        excluded: [],
        note: `${election.seats === 1 ? 'The candidate' : `The ${election.seats} candidates`} with the most votes ${election.seats === 1 ? 'is' : 'are'} elected.`,
      },
    ],
    ties,
    seed,
    notes: [rules, ...withdrawnNote(election)],
    summary: {
      valid: ratToString(sum(valid)),
      blank: ratToString(blank),
      invalid: ratToString(invalid),
      invalidPapers: String(invalidPapers),
    },
  };
}

/** Plurality (first past the post): one mark, the first preference. With several seats, the top n (SNTV). */
export function countPlurality(election: Election<RankedBallot>, seed: string): TallyResult {
  return countMarks(
    'plurality',
    election,
    seed,
    (r) => (r[0]!.length === 1 ? r[0]! : null),
    'Each paper counts for its single first preference; a paper marking several candidates first is invalid.',
  );
}

/**
 * Block vote: each paper marks up to one candidate per seat. Its marks are its leading
 * preference groups, read while they fit within the number of seats (a later group that
 * would overflow is not read, since an equal preference cannot be split). A paper whose
 * first group alone holds more candidates than there are seats is invalid.
 */
export function countBlock(election: Election<RankedBallot>, seed: string): TallyResult {
  const n = election.seats;
  return countMarks(
    'block',
    election,
    seed,
    (r) => {
      if (r[0]!.length > n) return null;
      const marks: number[] = [];
      for (const group of r) {
        if (marks.length + group.length > n) break;
        marks.push(...group);
      }
      return marks;
    },
    `Each paper counts once for each of up to ${n} marked candidates (its leading preferences); a paper marking more than ${n} is invalid.`,
  );
}

/** Approval: the first preference group is the set of approved candidates. */
export function countApproval(
  election: Election<RankedBallot>,
  seed: string,
  options: ApprovalOptions = {},
): TallyResult {
  const max = options.maxMarks;
  if (max !== undefined && (!Number.isInteger(max) || max < 1))
    throw new RangeError(`approval: maxMarks must be a positive whole number, not ${max}`);
  const result = countMarks(
    'approval',
    election,
    seed,
    (r) => (max !== undefined && r[0]!.length > max ? null : r[0]!),
    `Each paper counts once for every candidate it approves${max !== undefined ? `; a paper approving more than ${max} is invalid` : ''}.`,
  );
  return { ...result, summary: { ...result.summary, maxMarks: max === undefined ? null : String(max) } };
}

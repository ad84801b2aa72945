/**
 * The counting entry point: `tally(election, options)` runs one method on one election.
 *
 *   tally(election, { method: 'irv' })
 *   tally(election, { method: 'stv', rules: 'meek', seed: 'agm-2025' })
 *   tally(scoreElection, { method: 'score', maxScore: 5 })
 *   tally(election, { method: 'yesno', threshold: '2/3', quorum: '1/4', electorate: 1200 })
 *
 * - Every method counts exactly (rationals; STV at the fixed precision its rules set) and
 *   honours each ballot's weight (a weight of 2 counts exactly like the same ballot given
 *   twice), so weighted electorates such as a delegate conference can be counted with any
 *   method. Identical ballots are aggregated first, so large elections count quickly.
 * - `score` counts ScoreBallot elections; every other method counts RankedBallot ones
 *   (see `ballotShape`). A wrong pairing is a type error where the method is a literal,
 *   and a TypeError at run time otherwise.
 * - The number of seats is `election.seats`. Withdrawn candidates are skipped everywhere.
 * - Ties that a method's own rules leave unbroken are decided by a lot drawn from `seed`
 *   (default "omov"), or taken from `election.tieOrder` when one was fixed in advance; the
 *   result records the seed and every tie, so the count can be re-run to the same result.
 *   The same input always gives the same, byte-identical, result.
 * - Bad input (a candidate index out of range, a candidate twice on one paper, a negative
 *   weight) throws BallotError; an impossible option (seats, thresholds) throws RangeError.
 */
import type { Election, Method, RankedBallot, ScoreBallot, TallyResult } from './types';
import { type BallotFor, type EngineOptions, METHODS, methodOf } from '../methods/index';
import type { YesNoOptions } from './methods/yesno';
import type { ApprovalOptions } from './methods/marks';
import type { ScoreOptions } from './methods/score';
import type { BordaOptions } from './methods/borda';

export type { Election, Method, RankedBallot, ScoreBallot, StvRules, TallyResult } from './types';
export { BallotError } from './aggregate';
export { METHODS, type BallotFor };

export const DEFAULT_SEED = 'omov';

export type BallotShape = 'ranked' | 'score';

/** Which kind of ballot a method counts: 'score' where members give scores, 'ranked' for every other. */
export function ballotShape(method: Method): BallotShape {
  return methodOf(method).answer === 'scores' ? 'score' : 'ranked';
}

interface Common {
  /** Seed for lots; default "omov". Recorded in the result. */
  readonly seed?: string;
}

/** What to count and how, by method: each method's engine options (see its descriptor). */
export type TallyOptions = Common & EngineOptions;

export type { YesNoOptions, ApprovalOptions, ScoreOptions, BordaOptions };

/** Count `election` by `options.method`. See the module comment for the guarantees. */
export function tally<O extends TallyOptions>(election: Election<BallotFor<O['method']>>, options: O): TallyResult;
export function tally(election: Election<RankedBallot | ScoreBallot>, options: TallyOptions): TallyResult {
  const seed = options.seed ?? DEFAULT_SEED;
  const method = methodOf(options.method);
  const shape = ballotShape(options.method);
  const ballots: ReadonlyArray<RankedBallot | ScoreBallot> = election.ballots;
  const wrong = ballots.findIndex((b) => (shape === 'score' ? !('scores' in b) : !('ranking' in b)));
  if (wrong >= 0) {
    throw new TypeError(
      `method ${options.method} counts ${shape} ballots, but ballot ${wrong + 1} is ${shape === 'score' ? 'a ranked' : 'a score'} ballot`,
    );
  }
  return method.count(election as Election<never>, seed, options);
}

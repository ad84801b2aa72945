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
import type { Election, Method, RankedBallot, ScoreBallot, StvRules, TallyResult } from './types';
import { countYesNo, type YesNoOptions } from './methods/yesno';
import { countApproval, countBlock, countPlurality, type ApprovalOptions } from './methods/marks';
import { countScore, type ScoreOptions } from './methods/score';
import { countBorda, type BordaOptions } from './methods/borda';
import { countIrv } from './methods/irv';
import { countCopeland, countRankedPairs, countSchulze } from './methods/condorcet';
import { countStv } from './stv/index';

export type { Election, Method, RankedBallot, ScoreBallot, StvRules, TallyResult } from './types';
export { BallotError } from './aggregate';

export const DEFAULT_SEED = 'omov';

export const METHODS: ReadonlyArray<Method> = [
  'yesno',
  'plurality',
  'block',
  'approval',
  'score',
  'borda',
  'irv',
  'stv',
  'schulze',
  'ranked-pairs',
  'copeland',
];

export type BallotShape = 'ranked' | 'score';

/** Which kind of ballot a method counts: 'score' for score voting, 'ranked' for every other. */
export function ballotShape(method: Method): BallotShape {
  return method === 'score' ? 'score' : 'ranked';
}

/** The ballot type a method counts. */
export type BallotFor<M extends Method> = M extends 'score' ? ScoreBallot : RankedBallot;

interface Common {
  /** Seed for lots; default "omov". Recorded in the result. */
  readonly seed?: string;
}

/** What to count and how, by method. */
export type TallyOptions =
  | (Common & { readonly method: 'plurality' | 'block' | 'irv' | 'schulze' | 'ranked-pairs' | 'copeland' })
  | (Common & YesNoOptions & { readonly method: 'yesno' })
  | (Common & ApprovalOptions & { readonly method: 'approval' })
  | (Common & ScoreOptions & { readonly method: 'score' })
  | (Common & BordaOptions & { readonly method: 'borda' })
  | (Common & { readonly method: 'stv'; readonly rules: StvRules });

export type { YesNoOptions, ApprovalOptions, ScoreOptions, BordaOptions };

/** Count `election` by `options.method`. See the module comment for the guarantees. */
export function tally<O extends TallyOptions>(election: Election<BallotFor<O['method']>>, options: O): TallyResult;
export function tally(election: Election<RankedBallot | ScoreBallot>, options: TallyOptions): TallyResult {
  const seed = options.seed ?? DEFAULT_SEED;
  if (!METHODS.includes(options.method))
    throw new RangeError(`unknown counting method ${JSON.stringify(options.method)}`);
  const shape = ballotShape(options.method);
  const ballots: ReadonlyArray<RankedBallot | ScoreBallot> = election.ballots;
  const wrong = ballots.findIndex((b) => (shape === 'score' ? !('scores' in b) : !('ranking' in b)));
  if (wrong >= 0) {
    throw new TypeError(
      `method ${options.method} counts ${shape} ballots, but ballot ${wrong + 1} is ${shape === 'score' ? 'a ranked' : 'a score'} ballot`,
    );
  }
  if (shape === 'score') {
    if (options.method !== 'score') throw new Error('unreachable');
    return countScore(election as Election<ScoreBallot>, seed, options);
  }
  const ranked = election as Election<RankedBallot>;
  switch (options.method) {
    case 'yesno':
      return countYesNo(ranked, seed, options);
    case 'plurality':
      return countPlurality(ranked, seed);
    case 'block':
      return countBlock(ranked, seed);
    case 'approval':
      return countApproval(ranked, seed, options);
    case 'borda':
      return countBorda(ranked, seed, options);
    case 'irv':
      return countIrv(ranked, seed);
    case 'stv':
      if (options.rules !== 'scottish' && options.rules !== 'ers97' && options.rules !== 'meek') {
        throw new RangeError(`stv needs rules: scottish, ers97 or meek, not ${JSON.stringify(options.rules)}`);
      }
      return countStv(ranked, options.rules, seed);
    case 'schulze':
      return countSchulze(ranked, seed);
    case 'ranked-pairs':
      return countRankedPairs(ranked, seed);
    case 'copeland':
      return countCopeland(ranked, seed);
    case 'score':
      throw new Error('unreachable');
  }
}

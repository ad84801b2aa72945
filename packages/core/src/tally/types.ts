import type { Rational } from './rational';

/** The counting methods the engine knows, by their CLI names: one descriptor each in src/methods. */
export type { Method } from '../methods/index';
import type { Method } from '../methods/index';

export type StvRules = 'scottish' | 'ers97' | 'meek';

/**
 * A balance rule of an STV election: of the candidates named (a group: women, a region),
 * at least `min` and/or at most `max` are elected (tally/stv/balance.ts states the rule).
 */
export interface BalanceRule {
  readonly group: string;
  readonly candidates: ReadonlyArray<string>;
  readonly min?: number | undefined;
  readonly max?: number | undefined;
}

/**
 * A ranked ballot: preference groups, most preferred first. A group of more than one
 * candidate is an equal preference (allowed only where a method's rules say so).
 * Single-mark methods use it too: plurality and yes/no read one candidate in the first
 * group; approval reads the first group as the approved set. An empty ranking abstains.
 */
export type RankedBallot = { readonly weight: Rational; readonly ranking: ReadonlyArray<ReadonlyArray<number>> };

/** A score ballot: one score per candidate (by index), or null where the voter gave none. */
export type ScoreBallot = { readonly weight: Rational; readonly scores: ReadonlyArray<number | null> };

/** What is counted. Candidates are referred to by their index in `candidates`. */
export interface Election<B = RankedBallot> {
  readonly title: string;
  readonly candidates: ReadonlyArray<string>;
  /** Indices of withdrawn candidates: they stand in no round and preferences skip them. */
  readonly withdrawn: ReadonlyArray<number>;
  readonly seats: number;
  readonly ballots: ReadonlyArray<B>;
  /**
   * A tie-breaking order fixed before the count (a BLT `[tie ...]` line): indices into
   * `candidates`, each exactly once. Where a method's rules call for a lot, the tied
   * candidate earliest in this order is the one the lot picks, instead of a draw from the
   * seed. Absent: lots are drawn from the seed.
   */
  readonly tieOrder?: ReadonlyArray<number>;
}

/**
 * One round (stage) of a count. Vote figures are exact strings: integers or "n/d" for
 * rational methods, fixed-point decimals ("123.45678") for rules that fix the precision.
 */
export interface Round {
  readonly number: number;
  /** Votes of every candidate still standing or elected, at the end of the round. */
  readonly votes: Readonly<Record<string, string>>;
  readonly exhausted?: string;
  /** Votes lost to truncation so far (fixed-point rules). */
  readonly loss?: string;
  readonly quota?: string;
  /** What moved in this round: from whom, at what value, to whom. */
  readonly transfers?: ReadonlyArray<Transfer>;
  readonly elected: ReadonlyArray<string>;
  readonly excluded: ReadonlyArray<string>;
  /** Why this round did what it did, in words an election officer would use. */
  readonly note: string;
}

export interface Transfer {
  readonly from: string;
  readonly kind: 'surplus' | 'exclusion';
  readonly value?: string;
  readonly to: Readonly<Record<string, string>>;
  readonly exhausted: string;
}

/** A tie met during the count and how it was broken. */
export interface Tie {
  readonly round: number | null;
  readonly between: ReadonlyArray<string>;
  /** 'rules': the method's own published tie-break (e.g. looking back at earlier stages). */
  readonly brokenBy: 'rules' | 'lot';
  readonly chosen: string;
  readonly note: string;
}

export interface PairwiseReport {
  /** matrix[i][j]: weight of ballots preferring candidates[i] to candidates[j]. */
  readonly matrix: ReadonlyArray<ReadonlyArray<string>>;
  readonly condorcetWinner: string | null;
}

export interface TallyResult {
  readonly method: Method;
  readonly rules?: StvRules;
  readonly seats: number;
  readonly candidates: ReadonlyArray<string>;
  /** Winners in order of election. */
  readonly elected: ReadonlyArray<string>;
  readonly rounds: ReadonlyArray<Round>;
  readonly ties: ReadonlyArray<Tie>;
  /** The seed the lots were drawn from; re-running with it reproduces the count. */
  readonly seed: string;
  readonly pairwise?: PairwiseReport;
  readonly notes?: ReadonlyArray<string>;
  /** Method-specific summary figures (totals, thresholds, quorum), as exact strings. */
  readonly summary?: Readonly<Record<string, string | boolean | null>>;
}

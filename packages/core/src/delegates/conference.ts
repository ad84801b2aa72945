/**
 * The delegate question: how would a delegate conference have decided this ballot?
 *
 * Branches get delegates by the settings (apportioned by members, electorate or turnout,
 * taken from a band table, or fixed), then the delegates vote by one of three rules:
 * - bloc: all of a branch's delegates vote for the branch's own result (the question
 *   counted among the branch's members by the ballot's method);
 * - proportional: a branch's delegates are split among the options in proportion to its
 *   votes (first preferences; approvals; total scores), by an apportionment method;
 * - weighted: every member's ballot is weighted by the branch's delegates ÷ its votes
 *   and the whole ballot is counted again by the ballot's own method.
 * Under bloc and proportional the delegates' votes are then counted by the ballot's
 * method as single-mark papers (for yes/no that keeps its threshold; a quorum applies to
 * the members' vote only). A branch that cast no votes sends delegates who do not vote.
 */
import {
  type Rational,
  ONE,
  ZERO,
  add,
  cmp,
  div,
  mul,
  parseRational,
  rat,
  ratToString,
  sub,
  sum,
} from '../tally/rational';
import { ballotShape, tally, type TallyOptions } from '../tally/index';
import { methodOf } from '../methods/index';
import { DEFAULT_MAX_SCORE, type ScoreOptions } from '../tally/methods/score';
import type { Election, Method, RankedBallot, ScoreBallot, TallyResult } from '../tally/types';
import {
  type ApportionmentMethod,
  type Apportionment,
  type ApportionmentTie,
  DEFAULT_SEED,
  apportion,
  isApportionmentMethod,
} from './apportion';
import { type BandTable, apportionByBands } from './bands';
import { type Disproportionality, disproportionality } from './disproportionality';
import {
  type Flip,
  type BranchTotals,
  allWhole,
  blocFlip,
  markRule,
  memberFlip,
  proportionalFlip,
  weightedFlip,
} from './flip';
import { type Count, DelegateError, checkWhole, decimal, toRational } from './numbers';
import { type PowerIndices, type PowerOptions, type PowerValue, votingPower } from './power';

export type Basis = 'members' | 'electorate' | 'turnout';
export type ConferenceRule = 'bloc' | 'proportional' | 'weighted' | 'stv';

interface SettingsCommon {
  /** What delegates are shared by: membership, those entitled to vote on this ballot, or those who voted. */
  readonly basis: Basis;
  readonly rule: ConferenceRule;
  /** Delegates per branch at least / at most. */
  readonly min?: number;
  readonly max?: number;
  /** Proportional rule: how a branch's delegates are split among the options (default: `method`, or hamilton). */
  readonly splitMethod?: ApportionmentMethod;
  /** The conference's quota as a weighted voting game (default: more than half of all delegates). */
  readonly quota?: number;
}

/** The delegate settings of a ballot. */
export type DelegateSettings = SettingsCommon &
  (
    | { readonly method: ApportionmentMethod; readonly seats: number }
    /** A rule-book table: `bands` in increasing order, then optionally `beyond` the last (see BandTable). */
    | { readonly method: 'bands'; readonly bands: BandTable['bands']; readonly beyond?: BandTable['beyond'] }
    /** Each branch's `delegates` as given. */
    | { readonly method: 'fixed' }
  );

type BranchVotes =
  /** Votes per option, in the order of `options` (for single-mark methods). */
  | { readonly votes: ReadonlyArray<Count>; readonly ballots?: undefined }
  /** The branch's ballots, candidates by index into `options` (any method). */
  | { readonly ballots: ReadonlyArray<RankedBallot> | ReadonlyArray<ScoreBallot>; readonly votes?: undefined };

/** A branch inside a pooled unit: its own membership, for the count with the pool split. */
export interface PoolPart {
  readonly name: string;
  readonly members: Count;
  readonly electorate?: Count;
  /** This branch's extra delegates (see extras.ts), when the pool is split. */
  readonly extra?: number;
}

export type BranchInput = BranchVotes & {
  readonly name: string;
  /**
   * This unit is not a branch but members of small branches whose votes were pooled for
   * secrecy: its branches, each with its members. The comparison is then counted a second
   * time with the pool split among them by membership (see ConferenceComparison.pooling).
   */
  readonly pooled?: ReadonlyArray<PoolPart>;
  readonly members?: Count;
  /** Members entitled to vote on this ballot (default: members). */
  readonly electorate?: Count;
  /** Delegates, for settings.method 'fixed'. */
  readonly delegates?: number;
  /** Extra delegates added to what the model gives (women, young members: see extras.ts). */
  readonly extra?: number;
};

export interface ConferenceInput {
  readonly question: string;
  readonly options: ReadonlyArray<string>;
  readonly branches: ReadonlyArray<BranchInput>;
  readonly settings: DelegateSettings;
  /** How the question is counted (method and its options); default plurality. */
  readonly count?: TallyOptions;
  /** Places to fill (default 1). Bloc and proportional conferences decide single places. */
  readonly elect?: number;
  /**
   * Seed for the lots of the delegate side (apportionment, splits, branch and conference
   * counts); default count.seed, else "omov". The members' vote itself is counted with
   * count.seed (default "omov"), as the official count is.
   */
  readonly seed?: string;
  readonly power?: PowerOptions;
  /** Leave out the voting power (null): for a sweep of models that reads only who wins. */
  readonly withoutPower?: boolean;
  /** The delegates' papers as rankings even under a score method, as results before record format 5 were counted (delegatePapers). */
  readonly rankedDelegatePapers?: boolean;
  /**
   * A replay (conference-flip.ts): only the conference's result matters, so no count of the
   * members' vote (its `omov` stands in the conference's), no voting power, no smallest flip,
   * no count over the lots and no count with the pools split.
   */
  readonly lean?: boolean;
}

export interface Margin {
  /** The option the winner is measured against. */
  readonly over: string;
  /** Exact difference in votes (members' votes, or delegate votes). */
  readonly votes: string;
  /** The difference as a share of the votes in that round. */
  readonly share: number;
  /** 'votes' for a one-round count, 'final round' for a count in rounds (e.g. IRV). */
  readonly basis: 'votes' | 'final round';
}

export interface OmovSide {
  readonly elected: ReadonlyArray<string>;
  readonly winner: string | null;
  /** Members' votes per option (first preferences; approvals; total scores), exact. */
  readonly totals: Readonly<Record<string, string>>;
  readonly shares: Readonly<Record<string, number>>;
  readonly margin: Margin | null;
  readonly flip: Flip | null;
  readonly tally: TallyResult;
}

export interface ConferenceSide {
  readonly elected: ReadonlyArray<string>;
  readonly winner: string | null;
  /** Delegate votes per option, exact (whole under bloc and proportional). */
  readonly delegates: Readonly<Record<string, string>>;
  readonly shares: Readonly<Record<string, number>>;
  readonly margin: Margin | null;
  readonly flip: Flip | null;
  readonly tally: TallyResult;
}

export interface BranchReport {
  readonly name: string;
  /** A pool of small branches (their names), not a delegation: present only for a pool. */
  readonly pooled?: ReadonlyArray<string>;
  /** A delegation that is not a branch (an affiliate, with its entered mandate: see rulebook.ts). */
  readonly affiliate?: boolean;
  readonly members: string | null;
  /** The population delegates were shared by (members, electorate or turnout). */
  readonly population: string;
  /** Valid votes cast in the branch (by weight). */
  readonly votes: string;
  readonly totals: Readonly<Record<string, string>>;
  readonly delegates: number;
  /** Delegates per member (per unit of the basis if members are unknown). */
  readonly delegatesPerMember: number | null;
  /** Delegates per member ÷ the conference-wide average: above 1 over-represented. */
  readonly representation: number | null;
  readonly verdict: 'over' | 'under' | 'even' | null;
  /** Where the branch's delegate votes went. */
  readonly conference: Readonly<Record<string, string>>;
  /** Bloc rule: the branch's own result. */
  readonly winner: string | null;
}

export interface BranchPower {
  readonly name: string;
  readonly delegates: number;
  readonly banzhaf: PowerValue;
  readonly banzhafAbsolute: PowerValue;
  readonly shapleyShubik: PowerValue;
  /** Power ÷ the branch's share of all members (1 = a member here weighs as much as anywhere). */
  readonly perMember: { readonly banzhaf: number; readonly shapleyShubik: number } | null;
}

export interface PowerReport {
  readonly quota: number;
  readonly totalDelegates: number;
  readonly method: { readonly banzhaf: 'exact' | 'monte-carlo'; readonly shapleyShubik: 'exact' | 'monte-carlo' };
  readonly branches: ReadonlyArray<BranchPower>;
  readonly notes: ReadonlyArray<string>;
}

/** A lot drawn anywhere in the comparison. */
export interface LotRecord {
  readonly stage: string;
  readonly between: ReadonlyArray<string>;
  readonly chosen: ReadonlyArray<string>;
  readonly brokenBy: 'lot' | 'order' | 'rules';
  readonly note: string;
}

/** One outcome of the conference over the lots of the delegate side. */
export interface LotOutcome {
  readonly elected: ReadonlyArray<string>;
  /** The conference agrees with the members' vote. */
  readonly agree: boolean;
  /** Exact ("9/16") over all equally likely draws, or the sampled share ("120/200"). */
  readonly probability: string;
  readonly share: number;
}

/**
 * The conference's result depends on lots (a tied branch, an apportionment tie, a tied
 * conference): the probability of each outcome over the lots. Exact where the tie patterns
 * are few (each tied branch's lot alone decided its winner), else sampled with a stated seed.
 */
export interface LotDependence {
  readonly method: 'exact' | 'sampled';
  /** Equally likely tie patterns (exact), or draws sampled. */
  readonly draws: number;
  /** Sampled: the seeds are `${seed}/0` … `${seed}/${draws - 1}`. Exact: null. */
  readonly seed: string | null;
  readonly outcomes: ReadonlyArray<LotOutcome>;
  /** Probability that the conference agrees with the members' vote. */
  readonly agree: { readonly probability: string; readonly share: number };
}

/**
 * Pooling for secrecy made some units that are not delegations. Its effect: the comparison
 * counted again with each pool split among its branches by membership (each branch gets the
 * pool's votes in proportion to its members, and its own delegates).
 */
export interface PoolingCheck {
  readonly pools: ReadonlyArray<{ readonly unit: string; readonly branches: ReadonlyArray<string> }>;
  /** What the conference decides with the pools split; null when the split could not be counted. */
  readonly elected: ReadonlyArray<string> | null;
  readonly delegates: Readonly<Record<string, string>> | null;
  /** Pooling changed the conference's answer. */
  readonly changed: boolean;
  readonly note: string;
}

export interface ConferenceComparison {
  readonly question: string;
  readonly options: ReadonlyArray<string>;
  readonly method: Method;
  readonly elect: number;
  readonly settings: {
    readonly basis: Basis;
    readonly rule: ConferenceRule;
    readonly method: ApportionmentMethod | 'bands' | 'fixed';
    readonly splitMethod: ApportionmentMethod | null;
    /** Delegates in all. */
    readonly delegates: number;
  };
  readonly omov: OmovSide;
  readonly conference: ConferenceSide;
  /** Same elected (as a set). */
  readonly agree: boolean;
  readonly branches: ReadonlyArray<BranchReport>;
  readonly disproportionality: {
    /** Members' vote shares against delegate vote shares, by option. */
    readonly options: Disproportionality;
    /** Population shares (the basis) against delegate shares, by branch. */
    readonly branches: Disproportionality;
  };
  readonly power: PowerReport | null;
  readonly paradoxes: ReadonlyArray<{ readonly name: 'referendum'; readonly description: string }>;
  readonly ties: ReadonlyArray<LotRecord>;
  /** Present only when the conference's result depends on lots. */
  readonly lotDependence?: LotDependence;
  /** Present only when some unit is a pool of small branches. */
  readonly pooling?: PoolingCheck;
  readonly seed: string;
  readonly notes: ReadonlyArray<string>;
}

type Shape = 'ranked' | 'score';

interface Branch {
  readonly name: string;
  readonly delegates: number | undefined;
  readonly extra: number;
  readonly pooled: ReadonlyArray<PoolPart> | null;
  readonly members: Rational | null;
  readonly electorate: Rational | null;
  readonly ballots: ReadonlyArray<RankedBallot | ScoreBallot>;
  /** Valid votes (weight). */
  readonly turnout: Rational;
  readonly totals: Rational[];
}

/** A paper's contribution to the per-option totals, and whether it is a valid vote. */
function contribution(ballot: RankedBallot | ScoreBallot, method: Method, options: number): Rational[] | null {
  const out: Rational[] = new Array<Rational>(options).fill(ZERO);
  if ('scores' in ballot) {
    let any = false;
    ballot.scores.forEach((s, i) => {
      if (s !== null) {
        any = true;
        out[i] = mul(rat(s), ballot.weight);
      }
    });
    return any ? out : null;
  }
  const first = ballot.ranking[0];
  if (first === undefined || first.length === 0) return null;
  const answer = methodOf(method).answer;
  if (answer === 'choice') {
    if (first.length !== 1) return null; // several first marks: an invalid paper
    out[first[0]!] = ballot.weight;
    return out;
  }
  if (answer === 'marks') {
    for (const c of first) out[c] = ballot.weight;
    return out;
  }
  const part = div(ballot.weight, rat(first.length));
  for (const c of first) out[c] = add(out[c]!, part);
  return out;
}

function buildBranch(input: BranchInput, options: ReadonlyArray<string>, method: Method, shape: Shape): Branch {
  const k = options.length;
  const name = input.name;
  let ballots: ReadonlyArray<RankedBallot | ScoreBallot>;
  if (input.votes !== undefined) {
    if (shape === 'score')
      throw new DelegateError(`branch ${input.name}: score voting needs the branch's ballots, not vote totals`);
    if (input.votes.length !== k)
      throw new DelegateError(`branch ${input.name}: ${input.votes.length} vote figures for ${k} options`);
    ballots = input.votes.map((v, i) => ({
      weight: toRational(v, `the votes for ${options[i]} in ${input.name}`),
      ranking: [[i]],
    }));
  } else if (input.ballots !== undefined) {
    ballots = input.ballots;
    ballots.forEach((b, j) => {
      if (shape === 'score' ? !('scores' in b) : !('ranking' in b)) {
        throw new DelegateError(`branch ${input.name}: ballot ${j + 1} is not a ${shape} ballot, as ${method} counts`);
      }
    });
  } else throw new DelegateError(`branch ${name}: give its votes per option or its ballots`);
  let turnout = ZERO;
  const totals: Rational[] = options.map(() => ZERO);
  for (const b of ballots) {
    const c = contribution(b, method, k);
    if (c === null) continue;
    turnout = add(turnout, b.weight);
    c.forEach((x, i) => {
      if (x.num !== 0n) totals[i] = add(totals[i]!, x);
    });
  }
  return {
    name: input.name,
    delegates: input.delegates,
    extra: input.extra === undefined ? 0 : checkWhole(input.extra, `the extra delegates of ${input.name}`),
    pooled: input.pooled && input.pooled.length > 0 ? input.pooled : null,
    members: input.members === undefined ? null : toRational(input.members, `the members of ${input.name}`),
    electorate: input.electorate === undefined ? null : toRational(input.electorate, `the electorate of ${input.name}`),
    ballots,
    turnout,
    totals,
  };
}

function election(
  title: string,
  options: ReadonlyArray<string>,
  seats: number,
  ballots: ReadonlyArray<RankedBallot | ScoreBallot>,
): Election<RankedBallot | ScoreBallot> {
  return { title, candidates: options, withdrawn: [], seats, ballots };
}

/**
 * STV within the branch: the branch's own ranked ballots elect its `seats` delegates by STV
 * (Meek), each option standing as many candidates as there are delegates (its slate, in
 * order), so that an option may win several. Each delegate carries their option to the
 * conference: the result is the number of delegates per option.
 */
export function stvWithinBranch(
  b: { readonly name: string; readonly ballots: ReadonlyArray<RankedBallot | ScoreBallot> },
  options: ReadonlyArray<string>,
  seats: number,
  seed: string,
): { seats: number[]; result: TallyResult } {
  const slate = (k: number, j: number) => k * seats + j;
  const candidates = options.flatMap((o) => Array.from({ length: seats }, (_, j) => `${o} #${j + 1}`));
  const ballots: RankedBallot[] = b.ballots.map((x) => {
    if (!('ranking' in x)) throw new DelegateError('STV within the branch needs ranked ballots');
    return {
      weight: x.weight,
      ranking: x.ranking.flatMap((group) => Array.from({ length: seats }, (_, j) => group.map((k) => slate(k, j)))),
    };
  });
  const result = tally({ title: `${b.name}: delegates`, candidates, withdrawn: [], seats, ballots }, {
    method: 'stv',
    rules: 'meek',
    seed,
  } as TallyOptions);
  const out = options.map(() => 0);
  for (const name of result.elected) out[Math.floor(candidates.indexOf(name) / seats)]! += 1;
  return { seats: out, result };
}

/** The count options for delegates and branches: a quorum belongs to the members' vote only. */
export function withoutQuorum(count: TallyOptions, seed: string): TallyOptions {
  const rest: Record<string, unknown> = { ...count, seed };
  for (const key of methodOf(count.method).membersOnly ?? []) delete rest[key];
  return rest as unknown as TallyOptions;
}

function runTally(e: Election<RankedBallot | ScoreBallot>, count: TallyOptions): TallyResult {
  return tally(e, count);
}

/**
 * The delegates' papers, each a vote for one option, in the count's ballot shape: under a
 * score method, the top score to that option and none to the others, so the conference
 * elects what most delegates voted for, as under every other method. `rankedDelegatePapers`
 * keeps them rankings, as results stored before record format 5 were counted (a score
 * question's conference then failed).
 */
function delegatePapers(
  setup: Pick<ConferenceSetup, 'count' | 'options' | 'rankedDelegatePapers'>,
  votes: ReadonlyArray<Rational>,
): Array<RankedBallot | ScoreBallot> {
  const top =
    ballotShape(setup.count.method) === 'score' && !setup.rankedDelegatePapers
      ? ((setup.count as ScoreOptions).maxScore ?? DEFAULT_MAX_SCORE)
      : null;
  return votes.flatMap((v, k) =>
    v.num > 0n
      ? [
          top === null
            ? { weight: v, ranking: [[k]] }
            : { weight: v, scores: setup.options.map((_, i) => (i === k ? top : 0)) },
        ]
      : [],
  );
}

function marginOf(result: TallyResult): Margin | null {
  const winner = result.elected[0];
  const last = result.rounds[result.rounds.length - 1];
  if (winner === undefined || last === undefined || result.elected.length !== 1) return null;
  const figures = new Map<string, Rational>();
  for (const [name, v] of Object.entries(last.votes)) {
    try {
      figures.set(name, parseRational(v));
    } catch {
      return null;
    }
  }
  const w = figures.get(winner);
  if (w === undefined || figures.size < 2) return null;
  let over: string | null = null;
  let best: Rational | null = null;
  for (const [name, v] of figures) {
    if (name === winner) continue;
    if (best === null || cmp(v, best) > 0) {
      best = v;
      over = name;
    }
  }
  const total = sum(figures.values());
  const diff = sub(w, best!);
  return {
    over: over!,
    votes: ratToString(diff),
    share: total.num === 0n ? 0 : decimal(div(diff, total), 6),
    basis: result.rounds.length > 1 ? 'final round' : 'votes',
  };
}

const record = (names: ReadonlyArray<string>, values: ReadonlyArray<Rational>): Record<string, string> => {
  const out: Record<string, string> = {};
  names.forEach((n, i) => {
    out[n] = ratToString(values[i]!);
  });
  return out;
};

const shares = (names: ReadonlyArray<string>, values: ReadonlyArray<Rational>): Record<string, number> => {
  const total = sum(values);
  const out: Record<string, number> = {};
  names.forEach((n, i) => {
    out[n] = total.num === 0n ? 0 : decimal(div(values[i]!, total), 6);
  });
  return out;
};

function lotsOf(stage: string, result: TallyResult): LotRecord[] {
  return result.ties.map((t) => ({
    stage,
    between: t.between,
    chosen: [t.chosen],
    brokenBy: t.brokenBy,
    note: t.note,
  }));
}

function apportionLots(stage: string, ties: ReadonlyArray<ApportionmentTie>): LotRecord[] {
  return ties.map((t) => ({ stage, between: t.between, chosen: t.chosen, brokenBy: t.brokenBy, note: t.note }));
}

/** What the conference needs beyond the branches: the same for the real count, the lot draws and the split pools. */
interface ConferenceSetup {
  readonly question: string;
  readonly options: ReadonlyArray<string>;
  readonly settings: DelegateSettings;
  readonly count: TallyOptions;
  readonly elect: number;
  readonly splitMethod: ApportionmentMethod | null;
  readonly rankedDelegatePapers?: boolean;
}

/** One count of the conference, with the lots drawn from `seed`. */
interface ConferenceRun {
  readonly delegates: number[];
  readonly allocation: Apportionment | null;
  readonly byBranch: Rational[][];
  readonly branchWinner: Array<number | null>;
  readonly splits: number[][];
  readonly factors: Array<Rational | null>;
  readonly result: TallyResult;
  readonly lots: LotRecord[];
  readonly silent: string[];
  /**
   * Bloc rule: for a branch whose own count was one round and drew one lot, for its winner,
   * the options that lot was between; null for every other branch.
   */
  readonly branchLots: Array<ReadonlyArray<number> | null>;
  /** A lot was drawn that is not such a branch lot (apportionment, split, conference, a count in rounds). */
  readonly otherLots: boolean;
}

const byLot = (t: { brokenBy: string }) => t.brokenBy === 'lot';

function runConference(branches: ReadonlyArray<Branch>, setup: ConferenceSetup, seed: string): ConferenceRun {
  const { options, settings: s, count, elect, question, splitMethod } = setup;
  const lots: LotRecord[] = [];
  let otherLots = false;

  // 1. Delegates per branch.
  const population = populationOf(branches, s.basis);
  const claimants = branches.map((b, i) => ({ name: b.name, population: population[i]! }));
  let allocation: Apportionment | null = null;
  let delegates: number[];
  if (s.method === 'fixed') {
    delegates = branches.map((b) => {
      if (b.delegates === undefined) throw new DelegateError(`branch ${b.name}: fixed delegates, but none given`);
      return checkWhole(b.delegates, `the delegates of ${b.name}`);
    });
  } else if (s.method === 'bands') {
    allocation = apportionByBands(claimants, s.beyond ? { bands: s.bands, beyond: s.beyond } : { bands: s.bands }, {
      min: s.min,
      max: s.max,
    });
    delegates = [...allocation.seats];
  } else {
    allocation = apportion(claimants, {
      method: s.method,
      seats: s.seats,
      min: s.min,
      max: s.max,
      seed,
      context: 'delegates: ',
    });
    delegates = [...allocation.seats];
    lots.push(...apportionLots('delegates', allocation.ties));
    if (allocation.ties.some(byLot)) otherLots = true;
  }
  // Extras (women, young members) come on top of the model and its bounds.
  delegates = delegates.map((d, i) => d + branches[i]!.extra);
  if (delegates.reduce((a, d) => a + d, 0) === 0) throw new DelegateError('no branch has any delegates');

  // 2. The conference.
  const byBranch: Rational[][] = branches.map(() => options.map(() => ZERO));
  const branchWinner: Array<number | null> = branches.map(() => null);
  const branchLots: Array<ReadonlyArray<number> | null> = branches.map(() => null);
  const splits: number[][] = branches.map(() => options.map(() => 0));
  const factors: Array<Rational | null> = branches.map(() => null);
  let result: TallyResult;
  const silent: string[] = [];
  if (s.rule === 'weighted') {
    const weighted: Array<RankedBallot | ScoreBallot> = [];
    branches.forEach((b, i) => {
      if (b.turnout.num === 0n) {
        if (delegates[i]! > 0) silent.push(b.name);
        return;
      }
      const f = div(rat(delegates[i]!), b.turnout);
      factors[i] = f;
      for (const ballot of b.ballots) weighted.push({ ...ballot, weight: mul(ballot.weight, f) });
      byBranch[i] = b.totals.map((t) => mul(t, f));
    });
    result = runTally(election(question, options, elect, weighted), {
      ...withoutQuorum(count, `${seed}/conference`),
    });
  } else {
    const delegateBallots: Array<RankedBallot | ScoreBallot> = [];
    branches.forEach((b, i) => {
      const d = delegates[i]!;
      if (b.turnout.num === 0n || b.totals.every((t) => t.num === 0n)) {
        if (d > 0) silent.push(b.name);
        return;
      }
      if (s.rule === 'bloc') {
        const own = runTally(
          election(`${question} (${b.name})`, options, 1, b.ballots),
          withoutQuorum(count, `${seed}/branch ${b.name}`),
        );
        lots.push(...lotsOf(`branch ${b.name}`, own));
        const w = own.elected[0];
        const drawn = own.ties.filter(byLot);
        if (drawn.length > 0) {
          const only = drawn[0]!;
          if (drawn.length === 1 && own.rounds.length === 1 && w !== undefined && only.between.includes(w))
            branchLots[i] = only.between.map((o) => options.indexOf(o));
          else otherLots = true;
        }
        if (w === undefined) {
          if (d > 0) silent.push(b.name);
          return;
        }
        const wi = options.indexOf(w);
        branchWinner[i] = wi;
        byBranch[i]![wi] = rat(d);
        splits[i]![wi] = d;
      } else if (s.rule === 'stv') {
        if (d > 0) {
          const elected = stvWithinBranch(b, options, d, `${seed}/branch ${b.name}`);
          lots.push(...lotsOf(`branch ${b.name}`, elected.result));
          if (elected.result.ties.some(byLot)) otherLots = true;
          elected.seats.forEach((n, k) => {
            splits[i]![k] = n;
            byBranch[i]![k] = rat(n);
          });
        }
      } else {
        const split = apportion(
          options.map((name, k) => ({ name, population: b.totals[k]! })),
          {
            method: splitMethod!,
            seats: d,
            seed,
            context: `split ${b.name}: `,
          },
        );
        lots.push(...apportionLots(`split of ${b.name}`, split.ties));
        if (split.ties.some(byLot)) otherLots = true;
        split.seats.forEach((n, k) => {
          splits[i]![k] = n;
          byBranch[i]![k] = rat(n);
        });
      }
      delegateBallots.push(...delegatePapers(setup, byBranch[i]!));
    });
    result = runTally(election(question, options, elect, delegateBallots), withoutQuorum(count, `${seed}/conference`));
  }
  lots.push(...lotsOf('conference', result));
  if (result.ties.some(byLot)) otherLots = true;
  return {
    delegates,
    allocation,
    byBranch,
    branchWinner,
    splits,
    factors,
    result,
    lots,
    silent,
    branchLots,
    otherLots,
  };
}

function populationOf(branches: ReadonlyArray<Branch>, basis: Basis): Rational[] {
  return branches.map((b) => {
    switch (basis) {
      case 'members':
        if (b.members === null) throw new DelegateError(`branch ${b.name}: delegates by membership need its members`);
        return b.members;
      case 'electorate': {
        const e = b.electorate ?? b.members;
        if (e === null)
          throw new DelegateError(`branch ${b.name}: delegates by electorate need its electorate (or members)`);
        return e;
      }
      case 'turnout':
        return b.turnout;
    }
  });
}

const sameSet = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean =>
  a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');

/** Tie patterns enumerated exactly up to this many; beyond, the lots are sampled. */
export const EXACT_LOT_PATTERNS = 4096;
/** Draws sampled when the tie patterns are too many (or not independent) to enumerate. */
export const SAMPLED_LOT_DRAWS = 200;

/**
 * Bloc rule, every lot a tied branch's own (one round, one lot for its winner): each pattern
 * of the tied branches' winners is equally likely, and the conference is counted for each.
 * Null when a pattern's conference count itself draws a lot (then the draws are sampled).
 */
function exactOverLots(run: ConferenceRun, setup: ConferenceSetup, seed: string): Map<string, bigint> | null {
  const tied = run.branchLots.flatMap((l, i) => (l === null ? [] : [{ i, between: l }]));
  const fixed = setup.options.map((_, k) =>
    sum(run.byBranch.filter((_, i) => run.branchLots[i] === null).map((row) => row[k]!)),
  );
  const outcomes = new Map<string, bigint>();
  const pick: number[] = tied.map(() => 0);
  for (;;) {
    const totals = [...fixed];
    tied.forEach((t, j) => {
      const k = t.between[pick[j]!]!;
      totals[k] = add(totals[k]!, rat(run.delegates[t.i]!));
    });
    const papers = delegatePapers(setup, totals);
    const r = runTally(
      election(setup.question, setup.options, setup.elect, papers),
      withoutQuorum(setup.count, `${seed}/conference`),
    );
    if (r.ties.some(byLot)) return null;
    const key = JSON.stringify([...r.elected].sort());
    outcomes.set(key, (outcomes.get(key) ?? 0n) + 1n);
    // Next pattern, like an odometer.
    let j = 0;
    while (j < tied.length && pick[j] === tied[j]!.between.length - 1) pick[j++] = 0;
    if (j === tied.length) return outcomes;
    pick[j]!++;
  }
}

function overLots(
  run: ConferenceRun,
  branches: ReadonlyArray<Branch>,
  setup: ConferenceSetup,
  seed: string,
  omov: ReadonlyArray<string>,
): LotDependence {
  const patterns = run.branchLots.reduce((n, l) => n * (l === null ? 1 : l.length), 1);
  const exact = !run.otherLots && patterns <= EXACT_LOT_PATTERNS ? exactOverLots(run, setup, seed) : null;
  let counts: Map<string, bigint>;
  let draws: number;
  let sampleSeed: string | null = null;
  if (exact !== null) {
    counts = exact;
    draws = patterns;
  } else {
    sampleSeed = `${seed}/lots`;
    draws = SAMPLED_LOT_DRAWS;
    counts = new Map();
    for (let i = 0; i < draws; i++) {
      const r = runConference(branches, setup, `${sampleSeed}/${i}`).result;
      const key = JSON.stringify([...r.elected].sort());
      counts.set(key, (counts.get(key) ?? 0n) + 1n);
    }
  }
  const of = (n: bigint) => {
    const p = rat(n, BigInt(draws));
    // Sampled shares keep their denominator (120/200): they are counts of draws, not exact values.
    return { probability: exact !== null ? ratToString(p) : `${n}/${draws}`, share: decimal(p, 6) };
  };
  const outcomes: LotOutcome[] = [...counts.entries()]
    .map(([key, n]) => {
      const elected = JSON.parse(key) as string[];
      return { elected, agree: sameSet(elected, omov), n, ...of(n) };
    })
    .sort((a, b) => (a.n === b.n ? (a.elected.join() < b.elected.join() ? -1 : 1) : a.n > b.n ? -1 : 1))
    .map(({ n: _, ...o }) => o);
  let agreeing = 0n;
  for (const [key, n] of counts) if (sameSet(JSON.parse(key) as string[], omov)) agreeing += n;
  return { method: exact !== null ? 'exact' : 'sampled', draws, seed: sampleSeed, outcomes, agree: of(agreeing) };
}

/** The branches with each pool split among its branches by membership. */
function splitPools(branches: ReadonlyArray<Branch>): Branch[] {
  return branches.flatMap((b) => {
    if (b.pooled === null) return [b];
    const parts = b.pooled.map((p) => ({
      name: p.name,
      extra: p.extra,
      members: toRational(p.members, `the members of ${p.name}`),
      electorate: p.electorate === undefined ? null : toRational(p.electorate, `the electorate of ${p.name}`),
    }));
    const all = sum(parts.map((p) => p.members));
    if (all.num === 0n) throw new DelegateError(`the branches pooled in ${b.name} have no members`);
    return parts.map((p): Branch => {
      const f = div(p.members, all);
      return {
        name: p.name,
        delegates: undefined,
        extra: p.extra ?? 0,
        pooled: null,
        members: p.members,
        electorate: p.electorate,
        ballots: b.ballots.map((x) => ({ ...x, weight: mul(x.weight, f) })),
        turnout: mul(b.turnout, f),
        totals: b.totals.map((t) => mul(t, f)),
      };
    });
  });
}

function poolingCheck(
  branches: ReadonlyArray<Branch>,
  setup: ConferenceSetup,
  seed: string,
  conference: ReadonlyArray<string>,
): PoolingCheck {
  const pools = branches
    .filter((b) => b.pooled !== null)
    .map((b) => ({ unit: b.name, branches: b.pooled!.map((p) => p.name) }));
  const inPools = pools.reduce((n, p) => n + p.branches.length, 0);
  const list = (xs: ReadonlyArray<string>) => (xs.length ? xs.join(', ') : 'nothing');
  if (setup.settings.method === 'fixed') {
    return {
      pools,
      elected: null,
      delegates: null,
      changed: false,
      note: 'Delegates are fixed per unit, so the pool cannot be split into its branches.',
    };
  }
  let run: ConferenceRun;
  try {
    run = runConference(splitPools(branches), setup, seed);
  } catch (err) {
    if (!(err instanceof DelegateError)) throw err;
    return { pools, elected: null, delegates: null, changed: false, note: `The pool cannot be split: ${err.message}` };
  }
  const elected = run.result.elected;
  const changed = !sameSet(elected, conference);
  const totals = setup.options.map((_, k) => sum(run.byBranch.map((row) => row[k]!)));
  const split = `With the ${inPools} pooled branches counted apart, each given the pool's votes in proportion to its members`;
  return {
    pools,
    elected,
    delegates: record(setup.options, totals),
    changed,
    note: changed
      ? `Pooling changed the answer. ${split}, the conference would choose ${list(elected)}, not ${list(conference)}.`
      : `Pooling did not change the answer. ${split}, the conference would also choose ${list(elected)}.`,
  };
}

/** Compare the members' vote on one question with what a delegate conference would have decided. */
export function compareConference(input: ConferenceInput): ConferenceComparison {
  const options = input.options;
  if (options.length < 2) throw new DelegateError('a question needs at least two options');
  if (new Set(options).size !== options.length) throw new DelegateError('two options have the same name');
  if (input.branches.length === 0) throw new DelegateError('no branches');
  const count: TallyOptions = input.count ?? { method: 'plurality' };
  const method = count.method;
  const shape: Shape = ballotShape(method);
  const elect = input.elect ?? 1;
  if (!Number.isSafeInteger(elect) || elect < 1)
    throw new DelegateError(`places to fill must be a whole number ≥ 1, not ${elect}`);
  const seed = input.seed ?? count.seed ?? DEFAULT_SEED;
  const s = input.settings;
  if (s.rule === 'stv' && methodOf(method).answer !== 'ranking')
    throw new DelegateError(
      `STV within the branch needs ranked ballots; it does not apply to a ${methodOf(method).labels.name} question`,
    );
  if (s.rule !== 'weighted' && elect !== 1) {
    throw new DelegateError(
      `the ${s.rule} rule decides single places; use the weighted rule to compare an election of ${elect}`,
    );
  }
  const names = new Set<string>();
  const branches = input.branches.map((b) => {
    if (names.has(b.name)) throw new DelegateError(`branch ${JSON.stringify(b.name)} appears twice`);
    names.add(b.name);
    return buildBranch(b, options, method, shape);
  });
  const notes: string[] = [];
  const lots: LotRecord[] = [];
  const splitMethod: ApportionmentMethod | null =
    s.rule === 'proportional' ? (s.splitMethod ?? (isApportionmentMethod(s.method) ? s.method : 'hamilton')) : null;
  const setup: ConferenceSetup = {
    question: input.question,
    options,
    settings: s,
    count,
    elect,
    splitMethod,
    ...(input.rankedDelegatePapers ? { rankedDelegatePapers: true } : {}),
  };

  // 1. The members' vote, counted with the count's own seed, so that it is the official count
  // (a replay reads only the conference, and stands its result in for the members').
  const run = runConference(branches, setup, seed);
  const allBallots = branches.flatMap((b) => b.ballots);
  const omovResult = input.lean
    ? run.result
    : runTally(election(input.question, options, elect, allBallots), {
        ...count,
        seed: count.seed ?? seed,
      });
  if (!input.lean) lots.push(...lotsOf('members’ vote', omovResult));
  const omovTotals = options.map((_, i) => sum(branches.map((b) => b.totals[i]!)));

  // 2. Delegates per branch, and the conference.
  const population = populationOf(branches, s.basis);
  const { delegates, byBranch, branchWinner, splits, factors } = run;
  const confResult = run.result;
  if (run.allocation) notes.push(...run.allocation.notes);
  lots.push(...run.lots);
  if (run.silent.length > 0) notes.push(`Cast no votes, so their delegates do not vote: ${run.silent.join(', ')}.`);
  const house = delegates.reduce((a, d) => a + d, 0);
  const confTotals = options.map((_, k) => sum(byBranch.map((row) => row[k]!)));
  const anyLot = run.otherLots || run.branchLots.some((l) => l !== null);
  const lotDependence = anyLot && !input.lean ? overLots(run, branches, setup, seed, omovResult.elected) : null;
  const pooling =
    !input.lean && branches.some((b) => b.pooled !== null)
      ? poolingCheck(branches, setup, seed, confResult.elected)
      : null;

  // 4. Agreement, margins, flips.
  const agree = sameSet(omovResult.elected, confResult.elected);
  const rule = elect === 1 ? markRule(count, options) : null;
  let omovFlip: Flip | null = null;
  let confFlip: Flip | null = null;
  const omovWinner = omovResult.elected.length === 1 ? options.indexOf(omovResult.elected[0]!) : -1;
  const confWinner = confResult.elected.length === 1 ? options.indexOf(confResult.elected[0]!) : -1;
  if (input.lean) {
    // A replay reads only who is elected.
  } else if (rule === null) {
    notes.push(
      elect === 1
        ? `The smallest change that flips the result is computed for plurality and yes/no questions, not for ${method}.`
        : 'The smallest change that flips the result is computed for single places only.',
    );
  } else if (!branches.every((b) => allWhole(b.totals))) {
    notes.push(
      'Some votes carry fractional weights: the smallest change is counted in whole members, so it is not computed.',
    );
  } else {
    const whole = (r: Rational): number => Number(r.num);
    const totals: BranchTotals[] = branches.map((b, i) => ({
      name: b.name,
      delegates: delegates[i]!,
      votes: b.totals.map(whole),
      winner: branchWinner[i]!,
    }));
    if (omovWinner >= 0) omovFlip = memberFlip(rule, options, omovTotals, omovWinner);
    if (confWinner >= 0) {
      let f: Flip | null | 'too large';
      if (s.rule === 'bloc') f = blocFlip(rule, options, totals, confTotals.map(whole), confWinner);
      else if (s.rule === 'stv') f = null;
      else if (s.rule === 'proportional')
        f = proportionalFlip(rule, options, totals, splits, confTotals.map(whole), confWinner, splitMethod!);
      else f = weightedFlip(rule, options, totals, factors, confTotals, confWinner);
      if (f === 'too large') notes.push('The conference is too large for the exact search for the smallest flip.');
      else confFlip = f;
    }
  }

  // 5. Branch by branch: representation.
  const knownMembers = branches.every((b) => b.members !== null && b.members.num > 0n);
  const perUnit = knownMembers ? branches.map((b) => b.members!) : population;
  const unitTotal = sum(perUnit);
  const average = unitTotal.num === 0n ? null : div(rat(house), unitTotal);
  if (!knownMembers)
    notes.push(`Members are not known for every branch: delegates per member are per unit of ${s.basis} instead.`);
  const branchReports: BranchReport[] = branches.map((b, i) => {
    const u = perUnit[i]!;
    const per = u.num === 0n ? null : div(rat(delegates[i]!), u);
    const rep = per === null || average === null ? null : div(per, average);
    return {
      name: b.name,
      ...(b.pooled === null ? {} : { pooled: b.pooled.map((p) => p.name) }),
      members: b.members === null ? null : ratToString(b.members),
      population: ratToString(population[i]!),
      votes: ratToString(b.turnout),
      totals: record(options, b.totals),
      delegates: delegates[i]!,
      delegatesPerMember: per === null ? null : decimal(per, 6),
      representation: rep === null ? null : decimal(rep, 6),
      verdict: rep === null ? null : cmp(rep, ONE) > 0 ? 'over' : cmp(rep, ONE) < 0 ? 'under' : 'even',
      conference: record(options, byBranch[i]!),
      winner: branchWinner[i] === null ? null : options[branchWinner[i]!]!,
    };
  });

  // 6. Power of the branches, each delegation voting as one.
  const quota = s.quota ?? Math.floor(house / 2) + 1;
  if (quota > house || quota < 1)
    throw new DelegateError(`the conference quota ${quota} must be between 1 and the ${house} delegates`);
  const indices: PowerIndices | null =
    input.withoutPower || input.lean ? null : votingPower(delegates, quota, { seed, ...input.power });
  const memberTotal = knownMembers ? sum(branches.map((b) => b.members!)) : null;
  const power: PowerReport | null = indices && {
    quota,
    totalDelegates: house,
    method: { banzhaf: indices.banzhaf.method, shapleyShubik: indices.shapleyShubik.method },
    branches: branches.map((b, i) => {
      const share = memberTotal === null ? null : div(b.members!, memberTotal);
      const ratio = (v: PowerValue): number =>
        v.exact !== null
          ? decimal(div(parseRational(v.exact), share!), 6)
          : Math.round((v.value / (Number(share!.num) / Number(share!.den))) * 1e6) / 1e6;
      return {
        name: b.name,
        delegates: delegates[i]!,
        banzhaf: indices.banzhaf.normalised[i]!,
        banzhafAbsolute: indices.banzhaf.absolute[i]!,
        shapleyShubik: indices.shapleyShubik.values[i]!,
        perMember:
          share === null
            ? null
            : {
                banzhaf: ratio(indices.banzhaf.normalised[i]!),
                shapleyShubik: ratio(indices.shapleyShubik.values[i]!),
              },
      };
    }),
    notes: [
      "Each branch's delegation is taken to vote as one block.",
      ...(pooling ? ['A pool of small branches is not a delegation: its power is an artefact of pooling.'] : []),
      ...indices.notes,
    ],
  };

  // 7. Paradoxes.
  const paradoxes: Array<{ name: 'referendum'; description: string }> = [];
  if (!agree && omovResult.elected.length > 0 && confResult.elected.length > 0) {
    const c = confResult.elected.join(', ');
    const o = omovResult.elected.join(', ');
    const byVotes =
      confWinner >= 0 && omovWinner >= 0
        ? ` (${ratToString(omovTotals[confWinner]!)} member votes against ${ratToString(omovTotals[omovWinner]!)}${shape === 'score' ? ' in total scores' : methodOf(method).answer === 'choice' ? '' : ' first preferences'})`
        : '';
    paradoxes.push({
      name: 'referendum',
      description: `Referendum paradox: the conference would choose ${c} although the members chose ${o}${byVotes}.`,
    });
  }

  return {
    question: input.question,
    options: [...options],
    method,
    elect,
    settings: { basis: s.basis, rule: s.rule, method: s.method, splitMethod, delegates: house },
    omov: {
      elected: omovResult.elected,
      winner: omovResult.elected.length === 1 ? omovResult.elected[0]! : null,
      totals: record(options, omovTotals),
      shares: shares(options, omovTotals),
      margin: marginOf(omovResult),
      flip: omovFlip,
      tally: omovResult,
    },
    conference: {
      elected: confResult.elected,
      winner: confResult.elected.length === 1 ? confResult.elected[0]! : null,
      delegates: record(options, confTotals),
      shares: shares(options, confTotals),
      margin: marginOf(confResult),
      flip: confFlip,
      tally: confResult,
    },
    agree,
    branches: branchReports,
    disproportionality: {
      options: disproportionality(omovTotals, confTotals),
      branches: disproportionality(
        population,
        delegates.map((d) => rat(d)),
      ),
    },
    power,
    paradoxes,
    ties: lots,
    ...(lotDependence ? { lotDependence } : {}),
    ...(pooling ? { pooling } : {}),
    seed,
    notes,
  };
}

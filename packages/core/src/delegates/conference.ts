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
export type ConferenceRule = 'bloc' | 'proportional' | 'weighted';

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

export type BranchInput = BranchVotes & {
  readonly name: string;
  readonly members?: Count;
  /** Members entitled to vote on this ballot (default: members). */
  readonly electorate?: Count;
  /** Delegates, for settings.method 'fixed'. */
  readonly delegates?: number;
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
  readonly seed: string;
  readonly notes: ReadonlyArray<string>;
}

type Shape = 'ranked' | 'score';

interface Branch {
  readonly name: string;
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

/** The count options for delegates and branches: a quorum belongs to the members' vote only. */
function withoutQuorum(count: TallyOptions, seed: string): TallyOptions {
  const rest: Record<string, unknown> = { ...count, seed };
  for (const key of methodOf(count.method).membersOnly ?? []) delete rest[key];
  return rest as unknown as TallyOptions;
}

function runTally(e: Election<RankedBallot | ScoreBallot>, count: TallyOptions): TallyResult {
  return tally(e, count);
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

  // 1. Delegates per branch.
  const population = branches.map((b, i) => {
    switch (s.basis) {
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
        return branches[i]!.turnout;
    }
  });
  const claimants = branches.map((b, i) => ({ name: b.name, population: population[i]! }));
  let allocation: Apportionment | null = null;
  let delegates: number[];
  if (s.method === 'fixed') {
    delegates = input.branches.map((b) => {
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
  }
  if (allocation) notes.push(...allocation.notes);
  const house = delegates.reduce((a, d) => a + d, 0);
  if (house === 0) throw new DelegateError('no branch has any delegates');

  // 2. The members' vote.
  const allBallots = branches.flatMap((b) => b.ballots);
  // The members' vote is counted with the count's own seed, so that it is the official count.
  const omovResult = runTally(election(input.question, options, elect, allBallots), {
    ...count,
    seed: count.seed ?? seed,
  });
  lots.push(...lotsOf('members’ vote', omovResult));
  const omovTotals = options.map((_, i) => sum(branches.map((b) => b.totals[i]!)));

  // 3. The conference.
  const splitMethod: ApportionmentMethod | null =
    s.rule === 'proportional' ? (s.splitMethod ?? (isApportionmentMethod(s.method) ? s.method : 'hamilton')) : null;
  const byBranch: Rational[][] = branches.map(() => options.map(() => ZERO));
  const branchWinner: Array<number | null> = branches.map(() => null);
  const splits: number[][] = branches.map(() => options.map(() => 0));
  const factors: Array<Rational | null> = branches.map(() => null);
  let confResult: TallyResult;
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
    confResult = runTally(election(input.question, options, elect, weighted), {
      ...withoutQuorum(count, `${seed}/conference`),
    });
  } else {
    const delegateBallots: RankedBallot[] = [];
    branches.forEach((b, i) => {
      const d = delegates[i]!;
      if (b.turnout.num === 0n || b.totals.every((t) => t.num === 0n)) {
        if (d > 0) silent.push(b.name);
        return;
      }
      if (s.rule === 'bloc') {
        const own = runTally(
          election(`${input.question} (${b.name})`, options, 1, b.ballots),
          withoutQuorum(count, `${seed}/branch ${b.name}`),
        );
        lots.push(...lotsOf(`branch ${b.name}`, own));
        const w = own.elected[0];
        if (w === undefined) {
          if (d > 0) silent.push(b.name);
          return;
        }
        const wi = options.indexOf(w);
        branchWinner[i] = wi;
        byBranch[i]![wi] = rat(d);
        splits[i]![wi] = d;
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
        split.seats.forEach((n, k) => {
          splits[i]![k] = n;
          byBranch[i]![k] = rat(n);
        });
      }
      byBranch[i]!.forEach((v, k) => {
        if (v.num > 0n) delegateBallots.push({ weight: v, ranking: [[k]] });
      });
    });
    confResult = runTally(
      election(input.question, options, elect, delegateBallots),
      withoutQuorum(count, `${seed}/conference`),
    );
  }
  lots.push(...lotsOf('conference', confResult));
  if (silent.length > 0) notes.push(`Cast no votes, so their delegates do not vote: ${silent.join(', ')}.`);
  const confTotals = options.map((_, k) => sum(byBranch.map((row) => row[k]!)));

  // 4. Agreement, margins, flips.
  const sameSet = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean =>
    a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');
  const agree = sameSet(omovResult.elected, confResult.elected);
  const rule = elect === 1 ? markRule(count, options) : null;
  let omovFlip: Flip | null = null;
  let confFlip: Flip | null = null;
  const omovWinner = omovResult.elected.length === 1 ? options.indexOf(omovResult.elected[0]!) : -1;
  const confWinner = confResult.elected.length === 1 ? options.indexOf(confResult.elected[0]!) : -1;
  if (rule === null) {
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
  const indices: PowerIndices = votingPower(delegates, quota, { seed, ...input.power });
  const memberTotal = knownMembers ? sum(branches.map((b) => b.members!)) : null;
  const power: PowerReport = {
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
    notes: ["Each branch's delegation is taken to vote as one block.", ...indices.notes],
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
    seed,
    notes,
  };
}

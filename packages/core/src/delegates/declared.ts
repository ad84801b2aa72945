/**
 * Declared comparisons: the delegate conferences an organiser names for a question before
 * the ballot opens, each a model (who gets how many delegates, how they vote) and a
 * procedure (how the conference decides). This module turns one comparison's count into
 * the procedure's decision, describes each model in plain words, and sums up how robust the
 * members' answer is across the declared comparisons and a standard sweep of common models.
 * Pure: the server, the CLI and `omov verify` share it.
 */
import type { DeclaredComparison, DelegateSettingsInput, Procedure } from '../domain/ballot';
import { cmp, parseRational, ratToString, type Rational, ZERO, add, mul, div, sum } from '../tally/rational';
import type { ConferenceComparison } from './conference';
import type { AttendanceReport } from './attendees';
import { describeExtras } from './extras';
import type { CouncilReport } from './sortition';
import type { BalanceReport, TiersReport } from './rulebook';
import type { ComparisonFlip } from './conference-flip';
import { DelegateError } from './numbers';
import {
  type Delegation,
  exhaustiveBallot,
  majorityRequirement,
  sectionalCardVote,
  type ProcedureRound,
} from './procedures';

export const APPORTIONMENT_WORDS = {
  hamilton: 'Hamilton (largest remainder, Hare quota)',
  droop: 'largest remainder with the Droop quota',
  dhondt: "D'Hondt (Jefferson), which favours larger branches",
  'sainte-lague': 'Sainte-Laguë (Webster), even-handed between large and small branches',
  'modified-sainte-lague': 'modified Sainte-Laguë, a little harder on the smallest branches',
  'huntington-hill': 'Huntington–Hill, as the US House',
  adams: 'Adams, which favours smaller branches',
} as const;

const BASIS_WORDS = {
  members: 'its members',
  electorate: 'its members entitled to vote on this ballot',
  turnout: 'its members who voted',
} as const;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Who gets how many delegates and how they vote, in plain words. */
export function describeModel(m: DelegateSettingsInput): string {
  if (m.method === 'sortition') return describeCouncil(m);
  let share: string;
  if (m.method === 'fixed') {
    const n = Object.values(m.numbers).reduce((a, b) => a + b, 0);
    share = `Each branch sends the number of delegates the rule book fixes for it (${plural(n, 'delegate')} in all, ${plural(Object.keys(m.numbers).length, 'branch', 'branches')} named); a pool of small branches sends the sum of its branches'.`;
  } else if (m.method === 'bands') {
    const bands = m.bands.map((b) => `up to ${b.upTo} ${BASIS_WORDS[m.basis].replace('its ', '')}: ${b.delegates}`);
    const beyond = m.beyond
      ? `, then ${plural(m.beyond.delegates, 'more delegate', 'more delegates')} for every ${m.beyond.every}${m.beyond.orPart ? ' or part of it' : ''}`
      : '';
    share = `Each branch sends delegates by a band table counted on ${BASIS_WORDS[m.basis]} (${bands.join('; ')}${beyond}).`;
  } else {
    share = `${plural(m.seats, 'delegate')} are shared among the branches in proportion to ${BASIS_WORDS[m.basis].replace('its ', 'their ')}, by ${APPORTIONMENT_WORDS[m.method]}.`;
  }
  const bounds =
    m.min !== undefined || m.max !== undefined
      ? ` Every branch has ${m.min !== undefined ? `at least ${m.min}` : ''}${m.min !== undefined && m.max !== undefined ? ' and ' : ''}${m.max !== undefined ? `at most ${m.max}` : ''}.`
      : '';
  const vote =
    m.rule === 'bloc'
      ? " All of a branch's delegates vote for what most of its voting members chose."
      : m.rule === 'proportional'
        ? ` A branch's delegates are split among the options in proportion to its members' votes${m.splitMethod ? ` (by ${APPORTIONMENT_WORDS[m.splitMethod]})` : ''}.`
        : m.rule === 'attendees'
          ? describeAttendance(m.attendance ?? {})
          : m.rule === 'stv'
            ? " A branch's delegates are elected by single transferable vote (Meek) from its members' own ranked ballots, each option standing as many candidates as the branch has delegates; each delegate then votes for their option at the conference (this applies to ranked questions only)."
            : " Every member's vote is weighted by the branch's delegates per vote cast, and the votes are counted again.";
  return share + bounds + describeExtras(m.extras ?? []) + vote + describeRuleBook(m);
}

/** Affiliated delegations, a balance within delegations, regional tiers, in plain words (rulebook.ts). */
function describeRuleBook(m: Exclude<DelegateSettingsInput, { method: 'sortition' }>): string {
  let out = '';
  if (m.affiliates?.length) {
    const each = m.affiliates.map((a) => {
      const votes = Object.entries(a.mandate)
        .filter(([, v]) => v > 0)
        .map(([o, v]) => `${o} ${v}`);
      return a.delegates !== undefined
        ? `${a.name} (${plural(a.delegates, 'delegate')}: ${votes.join(', ') || 'no mandate'})`
        : `${a.name} (${plural(a.members!, 'affiliated member')}, delegates by the model as a branch of that size, split ${votes.join(', ') || 'by no mandate'})`;
    });
    out += ` Affiliated delegations beside the branches: ${each.join('; ')}. They are not branches and have no members on the roll: their delegates (or affiliated membership) and mandates are the organiser's, entered before the ballot opened; delegates not mandated abstain.`;
  }
  if (m.balance) {
    const b = m.balance;
    out += ` At least ${b.share} of each delegation must be ${b.label} (rounded up), by the organiser's count of ${b.label} in each branch (omov holds no member's gender: the roll has no such column). The balance changes who the delegates are, not how they vote; omov does not know how the ${b.label} voted, so it shows only each delegation's composition and whether a branch has enough ${b.label} to send.`;
  }
  if (m.regions) {
    const r = m.regions;
    const regions = [...new Set(Object.values(r.of))].sort();
    out += ` Regional tiers: the branches' delegates meet in ${plural(regions.length, 'regional conference')} (${regions.join(', ')}, as the organiser grouped the branches), each deciding by the question's method; ${plural(r.seats, 'national delegate')} are shared among the regions by their members, by ${APPORTIONMENT_WORDS[r.method]}, and ${r.vote === 'bloc' ? "all of a region's national delegates vote for its conference's decision" : "a region's national delegates are split in proportion to its conference's delegate votes"}; the national conference decides by the question's method.`;
  }
  return out;
}

/** Delegates chosen by meeting attendees, in plain words, with the attendance entered. */
function describeAttendance(attendance: Readonly<Record<string, number>>): string {
  const entered = Object.entries(attendance)
    .map(([b, n]) => `${b} ${n}`)
    .join(', ');
  return ` All of a branch's delegates vote as the majority of those who attended its meeting would (attendance entered by the organiser: ${entered || 'none'}). omov does not know how the attendees voted: it assumes they are a random sample of the branch's voters, counts the conference with each branch's delegates going to its voters' own majority, and gives, by the hypergeometric distribution, the chance that meetings of these sizes would have decided otherwise (single-choice questions only).`;
}

/** A council chosen by lot, in plain words. */
function describeCouncil(m: Extract<DelegateSettingsInput, { method: 'sortition' }>): string {
  return `A members' council of ${plural(m.council, 'member')} chosen by lot: ${m.council === 1 ? 'one ballot is' : `${m.council} ballots are`} drawn at random from the box${m.stratified ? ', from each branch (or pool of small branches) in proportion to its ballots' : ''}, never members, so that no vote is linked to anyone, and the council decides by the question's own method over them. The draw's seed is the SHA-256 of the seed committed with this declaration before the ballot opened (“${m.seed}”) and of the box's ballots, so nobody could choose it after seeing the votes. With the one draw, the chance over all draws that the council decides otherwise than the members is given.`;
}

/** How the conference decides, in plain words. */
export function describeProcedure(p: Procedure, methodName: string): string {
  switch (p.kind) {
    case 'method':
      return `The conference decides by the ballot's own method (${methodName}).`;
    case 'exhaustive':
      return `The conference votes by exhaustive ballot: an option needs more than half of ${p.majorityOf === 'all' ? 'all delegate votes' : 'the votes cast'}; otherwise the last is eliminated and the delegates vote again, each for the option their branch's members liked best among those left.`;
    case 'majority':
      return `The leading option needs more than ${p.required} of the delegate votes cast; if none has it, ${p.otherwise === 'run-off' ? 'the leading two go to a run-off' : 'the conference decides nothing'}.`;
    case 'card':
      return `A card vote in sections: ${p.sections.map((s) => `${s.name} counts for ${s.weight}${s.branches.length ? ` (${s.branches.join(', ')})` : ' (every other branch)'}`).join('; ')}, whatever their sizes; within a section each option gets its share of the section's delegate votes.`;
  }
}

/** A declared comparison in plain words: its model, then its procedure. */
export function describeComparison(c: DeclaredComparison, methodName: string): string {
  // A council by lot has no procedure of its own: it decides by the question's method (its description says so).
  if (c.model.method === 'sortition') return describeModel(c.model);
  return `${describeModel(c.model)} ${describeProcedure(c.procedure, methodName)}`;
}

/** What the procedure decided from the conference's delegate votes. */
export interface ProcedureOutcome {
  readonly kind: Procedure['kind'];
  /** The options the conference chooses by the procedure; empty when it decides nothing. */
  readonly elected: ReadonlyArray<string>;
  readonly note: string;
  /** Exhaustive ballot: every round. */
  readonly rounds?: ReadonlyArray<ProcedureRound>;
  /** Card vote: each option's weighted share, exact. */
  readonly shares?: Readonly<Record<string, string>>;
}

/** A unit's branches with their members, for a card vote that splits a pool across sections. */
export type UnitBranches = ReadonlyMap<string, ReadonlyArray<{ readonly branch: string; readonly members: number }>>;

const fig = (s: string | undefined): Rational => (s === undefined ? ZERO : parseRational(s));

/**
 * Each unit's delegate votes as delegations: one per option it voted for, preferring that
 * option, then the others in the order of its members' votes (ties by option order).
 */
function delegationsOf(cc: ConferenceComparison): Delegation[] {
  return cc.branches.flatMap((b) => {
    const order = cc.options
      .map((o, i) => ({ i, v: fig(b.totals[o]) }))
      .sort((x, y) => cmp(y.v, x.v) || x.i - y.i)
      .map((x) => x.i);
    return cc.options.flatMap((o, k) => {
      const v = fig(b.conference[o]);
      return v.num > 0n
        ? [{ name: `${b.name}: ${o}`, votes: v, preferences: [k, ...order.filter((i) => i !== k)] }]
        : [];
    });
  });
}

/** The conference's decision by the declared procedure. Throws DelegateError when it cannot apply. */
export function decideByProcedure(
  cc: ConferenceComparison,
  p: Procedure,
  opts: { seed: string; motion: boolean; units: UnitBranches },
): ProcedureOutcome {
  if (p.kind === 'method')
    return {
      kind: 'method',
      elected: cc.conference.elected,
      note: cc.conference.tally.rounds[cc.conference.tally.rounds.length - 1]?.note ?? '',
    };
  if (cc.elect !== 1) throw new DelegateError('conference procedures decide single places, not an election of several');
  const options = cc.options;
  if (p.kind === 'exhaustive') {
    const r = exhaustiveBallot(options, delegationsOf(cc), { majorityOf: p.majorityOf, seed: opts.seed });
    return {
      kind: 'exhaustive',
      elected: r.winner === null ? [] : [r.winner],
      note: r.rounds[r.rounds.length - 1]!.note + (r.lots.length ? ` ${r.lots.join(' ')}` : ''),
      rounds: r.rounds,
    };
  }
  if (p.kind === 'majority') {
    const votes = options.map((o) => fig(cc.conference.delegates[o]));
    if (opts.motion) {
      // A motion's leader is not what counts: Yes needs the share, else the motion falls.
      const cast = sum(votes);
      if (cast.num === 0n) throw new DelegateError('no delegate votes were cast');
      const yes = div(votes[0]!, cast);
      const carried = cmp(yes, parseRational(p.required)) > 0;
      return {
        kind: 'majority',
        elected: [carried ? options[0]! : options[1]!],
        note: `${options[0]} has ${ratToString(yes)} of the delegate votes cast: ${carried ? 'more' : 'not more'} than the ${p.required} required, so the motion is ${carried ? 'carried' : 'not carried'}.`,
      };
    }
    const m = majorityRequirement(options, votes, { required: p.required, otherwise: p.otherwise, seed: opts.seed });
    if (m.winner !== null || m.runOff === null)
      return { kind: 'majority', elected: m.winner ? [m.winner] : [], note: m.note };
    // The run-off: each delegation votes for whichever of the two its branch's members preferred.
    const pair = m.runOff.map((o) => options.indexOf(o));
    const tally = [ZERO, ZERO];
    for (const d of delegationsOf(cc)) {
      const first = d.preferences.find((k) => pair.includes(k))!;
      const j = pair.indexOf(first);
      tally[j] = add(tally[j]!, d.votes as Rational);
    }
    const c = cmp(tally[0]!, tally[1]!);
    const winner = c === 0 ? null : m.runOff[c > 0 ? 0 : 1]!;
    return {
      kind: 'majority',
      elected: winner ? [winner] : [],
      note: `${m.note} In the run-off ${m.runOff[0]} has ${ratToString(tally[0]!)} delegate votes, ${m.runOff[1]} ${ratToString(tally[1]!)}: ${winner ? `${winner} wins` : 'a tie, nothing is decided'}.`,
    };
  }
  // Card vote: each unit's delegate votes go to its branches' sections (a pool's split by its branches' members).
  const named = new Map<string, number>();
  p.sections.forEach((s, j) => s.branches.forEach((b) => named.set(b, j)));
  const rest = p.sections.findIndex((s) => s.branches.length === 0);
  const perSection = p.sections.map(() => options.map(() => ZERO));
  const unplaced: string[] = [];
  for (const b of cc.branches) {
    const parts = opts.units.get(b.name) ?? [{ branch: b.name, members: 1 }];
    const all = parts.reduce((a, x) => a + x.members, 0);
    for (const part of parts) {
      const j = named.get(part.branch) ?? (rest >= 0 ? rest : -1);
      if (j < 0) {
        unplaced.push(part.branch);
        continue;
      }
      const f = parts.length === 1 ? { num: 1n, den: 1n } : { num: BigInt(part.members), den: BigInt(all || 1) };
      options.forEach((o, k) => {
        perSection[j]![k] = add(perSection[j]![k]!, mul(fig(b.conference[o]), f));
      });
    }
  }
  if (unplaced.length) throw new DelegateError(`the card vote has no section for the branches ${unplaced.join(', ')}`);
  const r = sectionalCardVote(
    options,
    p.sections.map((s, j) => ({ name: s.name, weight: s.weight, votes: perSection[j]! })),
  );
  let elected = r.winner ? [r.winner] : [];
  if (opts.motion && r.winner === options[0]) {
    // A motion carried on a weighted majority: its share must be more than a half.
    if (cmp(parseRational(r.shares[options[0]!]!), { num: 1n, den: 2n }) <= 0) elected = [options[1]!];
  }
  return { kind: 'card', elected, note: r.note, shares: r.shares };
}

/** One declared comparison's outcome, as stored with the results. */
export interface DeclaredResult {
  readonly label: string;
  readonly declared: DeclaredComparison;
  readonly description: string;
  /** The conference as counted by the model (its own method); null when the model cannot apply. */
  readonly comparison: ConferenceComparison | null;
  readonly procedure: ProcedureOutcome | null;
  /** What the conference decides by the procedure; null when it could not be counted. */
  readonly elected: ReadonlyArray<string> | null;
  /** The procedure's decision is the members' answer. */
  readonly agree: boolean | null;
  /**
   * Present when the delegate count rests on lots: the probability, over the lots, that the
   * conference agrees with the members (for the ballot's own method; for another procedure
   * only that lots were drawn, `probability` null).
   */
  readonly lots?: {
    readonly method: 'exact' | 'sampled';
    readonly probability: string | null;
    readonly share: number | null;
  };
  /** Why it could not be counted. */
  readonly error?: string;
  /** Rule attendees: each branch's chance of a meeting with another majority, and the conference's over the meetings. */
  readonly attendance?: AttendanceReport;
  /** A council chosen by lot (then `comparison` and `procedure` are null): the draw, its decision, the chance over draws. */
  readonly council?: CouncilReport;
  /**
   * With `declared.mandates`: the same delegates voting as a bloc for their branch meeting's
   * position (mandatesOf, mandatedConference), beside the modelled conference.
   */
  readonly mandated?: MandatedResult;
  /** With `model.balance`: each delegation's composition under the rule (the conference's votes are unchanged). */
  readonly balance?: BalanceReport;
  /** With `model.regions`: the regional conferences and the national one, whose decision is the comparison's. */
  readonly tiers?: TiersReport;
  /** The smallest flips of this conference and of the members' vote, with replayed witnesses (conference-flip.ts). */
  readonly flip?: ComparisonFlip;
}

/** The conference with its delegates mandated by the branch meetings' positions. */
export interface MandatedResult {
  readonly rule: 'majority' | 'abstain';
  /** Delegate votes per option, and those abstaining (no mandate). */
  readonly totals: Readonly<Record<string, number>>;
  readonly abstained: number;
  /** The option with strictly the most mandated delegate votes; null on a tie or none. */
  readonly elected: string | null;
  /** The mandated conference's decision is the members' answer. */
  readonly agree: boolean | null;
  /** Why it could not be counted (no positions, several seats). */
  readonly error?: string;
}

/** The standard sweep of common models, each by the ballot's own method (see STANDARD_SWEEP). */
export interface SweepModel {
  readonly name: string;
  readonly model: DelegateSettingsInput;
}

/**
 * The common models every question is also compared under: 100 delegates shared by members
 * by Sainte-Laguë, D'Hondt and Hamilton, each voting as a bloc and proportionally, and the
 * weighted rule (by Sainte-Laguë): seven models, each decided by the ballot's own method.
 */
export const STANDARD_SWEEP: ReadonlyArray<SweepModel> = [
  ...(['sainte-lague', 'dhondt', 'hamilton'] as const).flatMap((method) =>
    (['bloc', 'proportional'] as const).map((rule) => ({
      name: `${rule === 'bloc' ? 'Bloc' : 'Proportional'}, ${method === 'sainte-lague' ? 'Sainte-Laguë' : method === 'dhondt' ? "D'Hondt" : 'Hamilton'}`,
      model: { basis: 'members', rule, method, seats: 100 } as DelegateSettingsInput,
    })),
  ),
  { name: 'Weighted, Sainte-Laguë', model: { basis: 'members', rule: 'weighted', method: 'sainte-lague', seats: 100 } },
];

export interface SweepResult {
  readonly name: string;
  readonly description: string;
  readonly elected: ReadonlyArray<string> | null;
  readonly agree: boolean | null;
  readonly lots?: { readonly method: 'exact' | 'sampled'; readonly probability: string; readonly share: number };
  readonly error?: string;
}

export interface Robustness {
  /** The members' answer the comparisons are measured against. */
  readonly members: ReadonlyArray<string>;
  readonly declared: { readonly agree: number; readonly counted: number; readonly lotDependent: number };
  readonly sweep: {
    readonly agree: number;
    readonly counted: number;
    readonly lotDependent: number;
    readonly models: ReadonlyArray<SweepResult>;
  };
  /** In plain words. */
  readonly summary: string;
}

type Agreeing = { agree: boolean | null; lots?: unknown };
const tallyOf = (xs: ReadonlyArray<Agreeing>) => ({
  agree: xs.filter((x) => x.agree === true).length,
  counted: xs.filter((x) => x.agree !== null).length,
  lotDependent: xs.filter((x) => x.lots !== undefined).length,
});

/** How many of the declared comparisons, and of the standard sweep, agree with the members. */
export function robustnessOf(
  members: ReadonlyArray<string>,
  declared: ReadonlyArray<DeclaredResult>,
  sweep: ReadonlyArray<SweepResult>,
): Robustness {
  const d = tallyOf(declared);
  const s = tallyOf(sweep);
  const answer = members.length ? members.join(', ') : 'no decision';
  const part = (t: ReturnType<typeof tallyOf>, of: string) =>
    t.counted === 0
      ? `none of ${of} could be counted`
      : `${t.agree} of ${t.counted} agree with them${t.lotDependent ? ` (${t.lotDependent} resting on lots)` : ''}`;
  const summary = `The members chose ${answer}. Of the ${plural(declared.length, 'declared comparison')}, ${part(d, 'them')}; of the ${plural(sweep.length, 'common model')} of the standard sweep, ${part(s, 'them')}.`;
  return { members: [...members], declared: d, sweep: { ...s, models: [...sweep] }, summary };
}

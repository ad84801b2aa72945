import {
  compareConference,
  DelegateError,
  questionParadoxes,
  type ConferenceComparison,
  type DelegateSettings,
} from '../delegates/index';
import {
  type DeclaredResult,
  type MandatedResult,
  decideByProcedure,
  describeComparison,
  describeModel,
  type Robustness,
  robustnessOf,
  STANDARD_SWEEP,
  type SweepResult,
  type UnitBranches,
  flipsSearched,
} from '../delegates/declared';
import { attendanceReport } from '../delegates/attendees';
import { extraDelegates, unitExtraDelegates } from '../delegates/extras';
import { markRule } from '../delegates/flip';
import { type ComparisonFlip, comparisonFlip, type FlipFinding, membersFlip } from '../delegates/conference-flip';
import type { ConferenceInput } from '../delegates/conference';
import { type BoxBallot, type CouncilReport, drawCouncil } from '../delegates/sortition';
import { affiliateUnits, balanceReport, tiersReport, withAffiliates } from '../delegates/rulebook';
import { tally, type TallyOptions } from '../tally/index';
import { add, parseRational, rat, type Rational, ratToString, ZERO } from '../tally/rational';
import type { Election, RankedBallot, ScoreBallot, TallyResult } from '../tally/types';
import { methodOf, type MethodLabels } from '../methods/index';
import type { DeclaredComparison, DelegateSettingsInput, Question, StoredVote } from './ballot';
import type { VotingUnit } from './pooling';
import {
  type BranchPosition,
  type BranchVotes,
  comparePositions,
  mandatedConference,
  mandatesOf,
  type PositionsReport,
} from './positions';
import type { AgendaResult, VersionsResult } from './amendments';

/**
 * Counting a ballot's questions from its votes: pure, so that the server, the CLI and
 * `omov verify` on an auditor's laptop all count with the very same code.
 */

export type OptionFigure = { option: string; votes: string };

export type ParadoxFinding = { name: 'anscombe' | 'ostrogorski'; description: string };

/**
 * Anscombe's and Ostrogorski's paradoxes across a ballot's yes/no questions (two or more),
 * member by member: each vote answers Yes (option 0), No, or nothing (abstained).
 */
export function yesNoParadoxes(questions: ReadonlyArray<Question>, votes: ReadonlyArray<StoredVote>): ParadoxFinding[] {
  const motions = [...questions].filter((q) => methodOf(q.method).motion).sort((a, b) => a.position - b.position);
  if (motions.length < 2) return [];
  const found = questionParadoxes({
    questions: motions.map((q) => q.title),
    voters: votes.map((v) => ({
      weight: parseRational(v.weight),
      answers: motions.map((q) => {
        const a = v.answers[q.id];
        return a?.kind === 'choice' ? a.option === 0 : null;
      }),
    })),
  });
  return found.findings.flatMap((f) =>
    f.name === 'anscombe' || f.name === 'ostrogorski' ? [{ name: f.name, description: f.description }] : [],
  );
}

export type UnitFigures = {
  unit: string;
  pooled: boolean;
  branches: string[];
  voters: number;
  options: OptionFigure[];
  abstentions: string;
};

export type QuestionResult = {
  id: string;
  title: string;
  method: Question['method'];
  /** The same figures per voting unit: a branch of at least k voters, or a pool of small ones. */
  byUnit: UnitFigures[];
  /** The OMOV result beside a delegate conference's, when the ballot has a delegate model. */
  conference: ConferenceComparison | { error: string } | null;
  /** The question's declared comparisons, in their declared order (present only when it declares some). */
  comparisons?: DeclaredResult[];
  /** How many declared comparisons and common models agree with the members (with `comparisons`). */
  robustness?: Robustness;
  /** Branch meetings' positions beside each branch's own votes, pooled as the units are (present when the question has positions). */
  positions?: PositionsReport;
  /** An amended motion's ranked question: the conference's sequential agenda and whether its order mattered. */
  agenda?: AgendaResult;
  /** An amended question's options: which version was adopted, the options struck, and the count under the other procedure's version. */
  versions?: VersionsResult;
  /** Yes/no questions: Anscombe's or Ostrogorski's paradox across the ballot's yes/no questions, when one occurs. */
  paradoxes?: ParadoxFinding[];
  /** Votes per option: the choice, marks, first preferences or total score, by method. */
  options: OptionFigure[];
  figure: MethodLabels['figure'];
  abstentions: string;
  elected: string[];
  count: TallyResult;
};

/**
 * Who makes up a yes/no question's turnout, the figure its quorum is measured against.
 * `ballot`: every member who returned the ballot, whether they answered this question or
 * abstained on it, as rule books define a quorum (the members who took part in the
 * ballot); counted so from record format 3. `question`: only the members who answered
 * this question, as results stored in formats 1 and 2 were counted (and are recounted).
 */
export type TurnoutRule = 'ballot' | 'question';

/**
 * The question's votes as an election the counting engine reads. Abstentions are left
 * out, unless `abstainersAsBlank`: then each is an empty paper, which the yes/no count
 * keeps apart from the votes cast but counts in the turnout.
 */
export function questionElection(
  q: Question,
  votes: StoredVote[],
  title: string,
  abstainersAsBlank = false,
): Election<RankedBallot> | Election<ScoreBallot> {
  const candidates = q.options.map((o) => o.label);
  const method = methodOf(q.method);
  const base = { title, candidates, withdrawn: [] as number[], seats: method.seats(q.settings) };
  if (method.answer === 'scores') {
    const scored: ScoreBallot[] = [];
    for (const v of votes) {
      const a = v.answers[q.id];
      if (a?.kind === 'scores') scored.push({ weight: parseRational(v.weight), scores: a.scores });
    }
    return { ...base, ballots: scored };
  }
  const ranked: RankedBallot[] = [];
  for (const v of votes) {
    const a = v.answers[q.id];
    const weight = parseRational(v.weight);
    if (!a || a.kind === 'abstain') {
      if (abstainersAsBlank) ranked.push({ weight, ranking: [] });
      continue;
    }
    if (a.kind === 'choice') ranked.push({ weight, ranking: [[a.option]] });
    else if (a.kind === 'marks') ranked.push({ weight, ranking: [a.options] });
    else if (a.kind === 'ranking') ranked.push({ weight, ranking: a.options.map((o) => [o]) });
  }
  return { ...base, ballots: ranked };
}

/** The engine's options for a question: its method's mapping of its settings. */
export function tallyOptions(q: Question, eligible: Rational, seed: string): TallyOptions {
  return { method: q.method, seed, ...methodOf(q.method).engine(q.settings, eligible) } as TallyOptions;
}

function optionFigures(q: Question, votes: StoredVote[]): { options: OptionFigure[]; abstentions: string } {
  const perOption: Rational[] = q.options.map(() => ZERO);
  let abstentions = ZERO;
  for (const v of votes) {
    const a = v.answers[q.id];
    const w = parseRational(v.weight);
    if (!a || a.kind === 'abstain') {
      abstentions = add(abstentions, w);
      continue;
    }
    if (a.kind === 'choice') perOption[a.option] = add(perOption[a.option]!, w);
    else if (a.kind === 'marks') for (const o of a.options) perOption[o] = add(perOption[o]!, w);
    else if (a.kind === 'ranking') {
      const o = a.options[0]!;
      perOption[o] = add(perOption[o]!, w);
    } else
      a.scores.forEach((sc, o) => {
        if (sc !== null) perOption[o] = add(perOption[o]!, rat(BigInt(sc) * w.num, w.den));
      });
  }
  return {
    options: q.options.map((o, i) => ({ option: o.label, votes: ratToString(perOption[i]!) })),
    abstentions: ratToString(abstentions),
  };
}

/** A branch inside a pooled unit, with its own membership: for the count with the pool split. */
export type UnitPart = { branch: string; members: number; electorate: number };

export type UnitFacts = VotingUnit & {
  members: number;
  electorate: number;
  /** A pool's branches, each with its members (units fixed before this was kept have none). */
  parts?: UnitPart[];
};

/**
 * Counts one question: the OMOV result by its method, the figures per unit, and the
 * delegate conference beside it. Pure: the server, the CLI and `omov verify` share it.
 */
export function countQuestion(
  q: Question,
  votes: StoredVote[],
  eligibleWeight: Rational,
  seedBase: string,
  units: UnitFacts[] = [],
  delegates: DelegateSettingsInput | null = null,
  turnout: TurnoutRule = 'ballot',
  /** Each declared comparison's smallest flips (false: as results stored before record format 4 were counted). */
  flips = true,
  /** A score question's delegates vote with score papers (false: as results stored before record format 5 were counted). */
  scoreDelegates = true,
): QuestionResult {
  const figures = optionFigures(q, votes);
  const election = questionElection(q, votes, q.title, methodOf(q.method).motion && turnout === 'ballot');
  // The seed is fixed before any vote is cast (the ballot's id), and recorded with the result.
  const options = tallyOptions(q, eligibleWeight, `${seedBase}:${q.position}`);
  const count = tally(election as Election<never>, options);
  const byUnitVotes = new Map<string, StoredVote[]>(units.map((u) => [u.name, []]));
  for (const v of votes) byUnitVotes.get(v.unit)?.push(v);
  const byUnit = units.map((u) => ({
    unit: u.name,
    pooled: u.pooled,
    branches: u.branches,
    voters: byUnitVotes.get(u.name)!.length,
    ...optionFigures(q, byUnitVotes.get(u.name)!),
  }));
  const inputFor = (model: DelegateSettingsInput, seed: string, withoutPower = false): ConferenceInput => {
    if (model.method === 'sortition')
      throw new DelegateError('a council chosen by lot is declared for a question, not as a delegate model');
    // Meeting attendees: counted as a bloc to each branch's voters' majority; the chances come apart (attendees.ts).
    const settings = model.rule === 'attendees' ? { ...model, rule: 'bloc' as const } : model;
    return {
      question: q.title,
      options: q.options.map((o) => o.label),
      branches: units
        .map((u) => ({
          name: u.name,
          members: u.members,
          electorate: u.electorate,
          ...(u.pooled && u.parts
            ? {
                pooled: u.parts.map((p) => ({
                  name: p.branch,
                  members: p.members,
                  electorate: p.electorate,
                  ...(settings.extras ? { extra: extraDelegates(settings.extras, p.branch) } : {}),
                })),
              }
            : {}),
          ...(settings.method === 'fixed' ? { delegates: fixedDelegates(settings.numbers, u) } : {}),
          ...(settings.extras ? { extra: unitExtraDelegates(settings.extras, u.branches) } : {}),
          ballots: questionElection(q, byUnitVotes.get(u.name)!, u.name).ballots as RankedBallot[],
        }))
        .concat(
          // Affiliated delegations sized by membership: units without votes, given delegates by the model (rulebook.ts).
          affiliateUnits(settings.affiliates ?? []),
        ),
      settings: settings as DelegateSettings,
      count: options,
      elect: methodOf(q.method).seats(q.settings),
      seed,
      withoutPower,
      ...(scoreDelegates ? {} : { rankedDelegatePapers: true }),
    };
  };
  const compare = (model: DelegateSettingsInput, seed: string, withoutPower = false) =>
    compareConference(inputFor(model, seed, withoutPower));
  const labels = q.options.map((o) => o.label);
  let members: { flip: FlipFinding | null } | undefined;
  const extra: Extra = {
    count: options,
    input: inputFor,
    // The members' vote's smallest flip: once per question, shared by its comparisons.
    membersFlip: () => (members ??= { flip: membersFlip(election, options, count) }).flip,
    council: (model) =>
      drawCouncil({
        box: units.flatMap((u) =>
          questionElection(q, byUnitVotes.get(u.name)!, u.name).ballots.map((ballot): BoxBallot => ({
            unit: u.name,
            ballot,
          })),
        ),
        options: labels,
        model,
        count: options,
        elect: methodOf(q.method).seats(q.settings),
        members: count.elected,
        rule: markRule(options, labels),
      }),
    attendance: (cc, attendance, seed) => {
      const rule = markRule(options, labels);
      if (rule === null)
        throw new DelegateError('delegates chosen by meeting attendees need a plurality or yes/no question');
      const byUnit = new Map<string, number>();
      for (const u of units) {
        const missing = u.branches.filter((b) => attendance[b] === undefined);
        if (missing.length === 0)
          byUnit.set(
            u.name,
            u.branches.reduce((n, b) => n + attendance[b]!, 0),
          );
        else if (byUnitVotes.get(u.name)!.length > 0)
          throw new DelegateError(
            `no attendance was entered for the branch${missing.length > 1 ? 'es' : ''} ${missing.join(', ')}`,
          );
      }
      return attendanceReport(cc, byUnit, rule, seed);
    },
  };
  const declared = q.comparisons ?? [];
  let conference: QuestionResult['conference'] = null;
  let comparisons: Pick<QuestionResult, 'comparisons' | 'robustness'> = {};
  if (declared.length > 0) {
    // The question's own declared comparisons replace the ballot's whole-ballot model.
    comparisons = declaredComparisons(q, count.elected, units, declared, compare, `${seedBase}:${q.position}`, {
      ...extra,
      flips,
    });
  } else if (delegates && units.length > 0) {
    try {
      conference = compare(delegates, `${seedBase}:${q.position}:conference`);
    } catch (err) {
      // A model that cannot apply to this question (say, more delegates asked for than
      // possible) is reported, not fatal: the OMOV result stands on its own.
      conference = { error: err instanceof Error ? err.message : String(err) };
    }
  }
  const positions = branchPositions(q, byUnit, units);
  return {
    id: q.id,
    title: q.title,
    method: q.method,
    ...figures,
    figure: methodOf(q.method).labels.figure,
    elected: [...count.elected],
    count,
    byUnit,
    conference,
    ...comparisons,
    ...(positions ? { positions } : {}),
  };
}

/**
 * The declared conference's delegates (per voting unit, as the model gave them) voting as a
 * bloc for their branch meeting's position. A unit that is a branch has its meeting's
 * position; a pool has one only when every branch in it took the same position. A unit
 * without one follows the declared rule: its voters' majority, or it abstains.
 */
function mandatedOf(
  q: Question,
  units: ReadonlyArray<UnitFacts>,
  cc: ConferenceComparison,
  rule: 'majority' | 'abstain',
  agrees: (elected: ReadonlyArray<string>) => boolean,
): MandatedResult {
  const none = { rule, totals: {}, abstained: 0, elected: null, agree: null };
  if (!q.positions?.length) return { ...none, error: 'no branch meeting recorded a position on this question' };
  if (methodOf(q.method).seats(q.settings) !== 1)
    return { ...none, error: 'a mandate names one option: the question elects more than one' };
  const options = q.options.map((o) => o.label);
  const unitPositions: BranchPosition[] = units.flatMap((u) => {
    const ps = u.branches.map((b) => q.positions!.find((p) => p.branch === b)?.position ?? null);
    const first = ps[0] ?? null;
    return first !== null && ps.every((p) => p === first) ? [{ branch: u.name, position: first, attendance: 0 }] : [];
  });
  const figures = new Map(cc.branches.map((b) => [b.name, b.totals]));
  const unitVotes: BranchVotes[] = units.map((u) => ({
    branch: u.name,
    members: u.members,
    votes: Object.fromEntries(options.map((o) => [o, numberOf(figures.get(u.name)?.[o] ?? '0')])),
  }));
  const m = mandatedConference(
    options,
    new Map(cc.branches.map((b) => [b.name, b.delegates])),
    mandatesOf(options, unitPositions, unitVotes, rule),
  );
  return { rule, ...m, agree: m.elected === null ? null : agrees([m.elected]) };
}

/** A figure as a number (the comparison of positions with votes only orders them). */
const numberOf = (votes: string) => {
  const r = parseRational(votes);
  return Number(r.num) / Number(r.den);
};

/**
 * The question's branch positions beside its members' votes (comparePositions), by the
 * ballot's own voting units: a branch published on its own is its unit; a pooled branch
 * shows its meeting's position and only its pool's votes. The figure is the method's
 * (votes, marks, first preferences or total score).
 */
function branchPositions(
  q: Question,
  byUnit: ReadonlyArray<UnitFigures>,
  units: ReadonlyArray<UnitFacts>,
): PositionsReport | undefined {
  if (!q.positions?.length) return undefined;
  const figures = new Map(
    byUnit.map((u) => [u.unit, Object.fromEntries(u.options.map((o) => [o.option, numberOf(o.votes)]))]),
  );
  const branches: BranchVotes[] = units.flatMap((u) =>
    u.pooled
      ? u.branches.map((b) => ({ branch: b, members: u.parts?.find((p) => p.branch === b)?.members ?? 0, votes: {} }))
      : u.branches.map((b) => ({ branch: b, members: u.members, votes: figures.get(u.name) ?? {} })),
  );
  return comparePositions({
    options: q.options.map((o) => o.label),
    positions: q.positions,
    branches,
    k: 1,
    units: units.map((u) => ({
      name: u.name,
      branches: u.branches,
      pooled: u.pooled,
      votes: figures.get(u.name) ?? {},
    })),
  });
}

/** A unit's fixed delegates: its branch's number, or for a pool the sum of its branches'. */
function fixedDelegates(numbers: Readonly<Record<string, number>>, u: UnitFacts): number {
  const missing = u.branches.filter((b) => numbers[b] === undefined);
  if (missing.length)
    throw new DelegateError(
      `the fixed delegate numbers give none for the branch${missing.length > 1 ? 'es' : ''} ${missing.join(', ')}`,
    );
  return u.branches.reduce((n, b) => n + numbers[b]!, 0);
}

/** A chance that is neither exactly 0 nor exactly 1 (a sampled one always counts as uncertain). */
const uncertain = (c: { method: 'exact' | 'sampled'; agree: { probability: string } }) =>
  c.method === 'sampled' || (c.agree.probability !== '0' && c.agree.probability !== '1');

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The models counted apart from a delegate conference: a council by lot, meetings' attendees. */
type Extra = {
  /** The question's count options: affiliated delegations and regional tiers decide by its method. */
  count: TallyOptions;
  /** Compute the smallest flips. */
  flips?: boolean;
  input: (model: DelegateSettingsInput, seed: string) => ConferenceInput;
  membersFlip: () => FlipFinding | null;
  council: (model: Extract<DelegateSettingsInput, { method: 'sortition' }>) => CouncilReport;
  attendance: (
    cc: ConferenceComparison,
    attendance: Readonly<Record<string, number>>,
    seed: string,
  ) => NonNullable<DeclaredResult['attendance']>;
};

/** Each declared comparison counted and decided by its procedure, then the sweep of common models, then robustness. */
function declaredComparisons(
  q: Question,
  members: ReadonlyArray<string>,
  units: UnitFacts[],
  declared: ReadonlyArray<DeclaredComparison>,
  compare: (settings: DelegateSettingsInput, seed: string, withoutPower?: boolean) => ConferenceComparison,
  seed: string,
  extra: Extra,
): Required<Pick<QuestionResult, 'comparisons' | 'robustness'>> {
  const method = methodOf(q.method);
  const unitBranches: UnitBranches = new Map(
    units.map((u) => [
      u.name,
      u.pooled && u.parts
        ? u.parts.map((p) => ({ branch: p.branch, members: p.members }))
        : u.branches.map((b) => ({ branch: b, members: u.members })),
    ]),
  );
  const agrees = (elected: ReadonlyArray<string>) =>
    elected.length === members.length && elected.every((e) => members.includes(e));
  const tierUnits = units.map((u) => ({ name: u.name, parts: unitBranches.get(u.name)! }));
  const tiersOf = (c: DeclaredComparison, cc: ConferenceComparison, at: string) =>
    c.model.method !== 'sortition' && c.model.regions
      ? tiersReport(
          cc,
          {
            regions: c.model.regions.of,
            seats: c.model.regions.seats,
            method: c.model.regions.method,
            vote: c.model.regions.vote,
          },
          tierUnits,
          extra.count,
          `${at}:tiers`,
        )
      : undefined;
  const lotIn = (cc: ConferenceComparison) => cc.ties.some((t) => t.brokenBy === 'lot');
  // The smallest flips of a comparison's conference (by its procedure, with its affiliated
  // delegations and regional tiers, as the comparison decides) and of the members' vote.
  // `cc` is the branches' conference before any affiliated delegation joins it.
  const flipOf = (
    c: DeclaredComparison,
    cc: ConferenceComparison,
    elected: ReadonlyArray<string>,
    at: string,
    opts: Parameters<typeof decideByProcedure>[2],
  ): ComparisonFlip => {
    const affiliates = c.model.method !== 'sortition' ? c.model.affiliates : undefined;
    const tiered = c.model.method !== 'sortition' && c.model.regions !== undefined;
    try {
      return comparisonFlip({
        input: extra.input(c.model, at),
        comparison: cc,
        elected,
        decide: (branches) => {
          const again = affiliates ? withAffiliates(branches, affiliates, extra.count, `${at}:affiliates`) : branches;
          const o = decideByProcedure(again, c.procedure, opts);
          const certain = (c.procedure.kind === 'method' || !/\blot\b/i.test(o.note)) && !(affiliates && lotIn(again));
          const tiers = tiersOf(c, again, at);
          return tiers
            ? { elected: tiers.national.elected, certain: certain && tiers.lots.length === 0 }
            : { elected: o.elected, certain };
        },
        // flip.ts's exact search knows the branches' delegates only.
        byMethod: c.procedure.kind === 'method' && !affiliates && !tiered,
        members: extra.membersFlip(),
      });
    } catch (err) {
      return {
        conference: null,
        members: null,
        summary: 'The smallest flips could not be computed.',
        notes: [messageOf(err)],
      };
    }
  };
  const results: DeclaredResult[] = declared.map((c, i) => {
    const base = {
      label: c.label || `Comparison ${i + 1}`,
      declared: c,
      description: describeComparison(c, method.labels.name),
    };
    if (c.model.method === 'sortition') {
      try {
        const council = extra.council(c.model);
        // Every draw deciding alike (a council of the whole box, say) rests on no lot.
        const lots = uncertain(council.chance)
          ? { lots: { method: council.chance.method, ...council.chance.agree } }
          : {};
        return {
          ...base,
          comparison: null,
          procedure: null,
          elected: council.elected,
          agree: council.agree,
          ...lots,
          council,
        };
      } catch (err) {
        return { ...base, comparison: null, procedure: null, elected: null, agree: null, error: messageOf(err) };
      }
    }
    let cc: ConferenceComparison;
    let branchesOnly: ConferenceComparison;
    let attendance: DeclaredResult['attendance'];
    // The branches' chance over lots (the affiliated delegations' conference keeps only the lots drawn).
    let branchLots: ConferenceComparison['lotDependence'];
    try {
      if (units.length === 0) throw new DelegateError('no votes were cast, so there are no branches to send delegates');
      cc = branchesOnly = compare(c.model, `${seed}:comparison ${i + 1}`);
      branchLots = cc.lotDependence;
      if (c.model.affiliates)
        cc = withAffiliates(cc, c.model.affiliates, extra.count, `${seed}:comparison ${i + 1}:affiliates`);
      if (c.model.rule === 'attendees')
        attendance = extra.attendance(cc, c.model.attendance ?? {}, `${seed}:comparison ${i + 1}:attendees`);
    } catch (err) {
      return { ...base, comparison: null, procedure: null, elected: null, agree: null, error: messageOf(err) };
    }
    try {
      const procedure = decideByProcedure(cc, c.procedure, {
        seed: `${seed}:comparison ${i + 1}:procedure`,
        motion: method.motion === true,
        units: unitBranches,
      });
      const tiers = tiersOf(c, cc, `${seed}:comparison ${i + 1}`);
      const balance = c.model.balance
        ? balanceReport(
            cc,
            c.model.balance,
            units.map((u) => ({ name: u.name, branches: u.branches, members: u.members })),
            c.model.rule,
          )
        : undefined;
      // Regional tiers: the national conference's decision is the comparison's.
      const elected = tiers ? tiers.national.elected : procedure.elected;
      const flip =
        extra.flips && flipsSearched(c)
          ? flipOf(c, branchesOnly, elected, `${seed}:comparison ${i + 1}`, {
              seed: `${seed}:comparison ${i + 1}:procedure`,
              motion: method.motion === true,
              units: unitBranches,
            })
          : undefined;
      const d = branchLots;
      const m = attendance && uncertain(attendance.conference) ? attendance.conference : undefined;
      // Affiliated delegations and regional tiers: the chance over the branches' lots does not carry over, only that lots were drawn.
      const recounted = c.model.affiliates !== undefined || tiers !== undefined;
      const tierLots = (tiers?.lots.length ?? 0) > 0 || lotIn(cc);
      // Meeting attendees: the chance over the meetings (and their lots) replaces that over the lots alone.
      const lots = m
        ? c.procedure.kind === 'method'
          ? { method: m.method, probability: m.agree.probability, share: m.agree.share }
          : { method: m.method, probability: null, share: null }
        : recounted
          ? d || tierLots
            ? { method: d?.method ?? ('exact' as const), probability: null, share: null }
            : undefined
          : d
            ? c.procedure.kind === 'method'
              ? { method: d.method, probability: d.agree.probability, share: d.agree.share }
              : { method: d.method, probability: null, share: null }
            : undefined;
      return {
        ...base,
        comparison: cc,
        procedure,
        elected,
        agree: agrees(elected),
        ...(tiers ? { tiers } : {}),
        ...(balance ? { balance } : {}),
        ...(lots ? { lots } : {}),
        ...(c.mandates ? { mandated: mandatedOf(q, units, cc, c.mandates, agrees) } : {}),
        ...(attendance ? { attendance } : {}),
        ...(flip ? { flip } : {}),
      };
    } catch (err) {
      return { ...base, comparison: cc, procedure: null, elected: null, agree: null, error: messageOf(err) };
    }
  });
  const sweep: SweepResult[] = STANDARD_SWEEP.map((m) => {
    const description = describeModel(m.model);
    try {
      if (units.length === 0) throw new DelegateError('no votes were cast');
      const cc = compare(m.model, `${seed}:sweep ${m.name}`, true);
      const d = cc.lotDependence;
      return {
        name: m.name,
        description,
        elected: cc.conference.elected,
        agree: cc.agree,
        ...(d ? { lots: { method: d.method, probability: d.agree.probability, share: d.agree.share } } : {}),
      };
    } catch (err) {
      return { name: m.name, description, elected: null, agree: null, error: messageOf(err) };
    }
  });
  return { comparisons: results, robustness: robustnessOf(members, results, sweep) };
}

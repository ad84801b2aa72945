/**
 * Three rule-book models laid over a counted conference (issue 12, item 4):
 * - affiliated delegations that are not branches (unions, liberation groups), each with
 *   the delegates and the mandate the organiser enters, counted beside the branches';
 * - a gender (or other) balance within each delegation: who the delegates are, never how
 *   they vote, since omov cannot know how any group of members voted;
 * - regional tiers: branches' delegates meet in regional conferences, each decides, and
 *   sends delegates apportioned by its membership to the national conference.
 * Pure: the server, the CLI and `omov verify` share it.
 */
import { tally, type TallyOptions } from '../tally/index';
import { add, cmp, div, mul, parseRational, rat, ratToString, type Rational, sum, ZERO } from '../tally/rational';
import type { RankedBallot, TallyResult } from '../tally/types';
import { apportion, type ApportionmentMethod } from './apportion';
import { type BranchReport, type ConferenceComparison, withoutQuorum } from './conference';
import { DelegateError } from './numbers';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const sameSet = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean =>
  a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');
const fig = (s: string | undefined): Rational => (s === undefined ? ZERO : parseRational(s));
const share = (x: Rational, of: Rational) => (of.num === 0n ? 0 : Number(x.num * of.den) / Number(x.den * of.num));

/** Delegate votes (exact, per option) counted by the question's method as single-mark papers. */
function decide(
  title: string,
  options: ReadonlyArray<string>,
  votes: ReadonlyArray<Rational>,
  elect: number,
  count: TallyOptions,
  seed: string,
): TallyResult {
  const ballots: RankedBallot[] = votes.flatMap((v, k) => (v.num > 0n ? [{ weight: v, ranking: [[k]] }] : []));
  return tally({ title, candidates: [...options], withdrawn: [], seats: elect, ballots }, withoutQuorum(count, seed));
}

const lotNotes = (where: string, r: TallyResult) =>
  r.ties.filter((t) => t.brokenBy === 'lot').map((t) => `${where}: ${t.note}`);

// ---------------------------------------------------------------------------------------
// Affiliated delegations

/** A delegation that is not a branch, with the delegates and mandate the organiser entered. */
export interface AffiliateDelegation {
  readonly name: string;
  /** Its delegates as entered; or, absent, `members`. */
  readonly delegates?: number;
  /**
   * Its affiliated membership as entered: it was then a unit of the count without votes
   * (`affiliateUnits`), given delegates by the model as a branch of that size, and its
   * delegates are split in proportion to the mandate (Hamilton).
   */
  readonly members?: number;
  /** Delegate votes per option, by option label (with `members`: the shares); delegates not mandated abstain. */
  readonly mandate: Readonly<Record<string, number>>;
}

/** The affiliated delegations sized by membership, as units of the count with no votes (their delegates by the model). */
export function affiliateUnits(
  affiliates: ReadonlyArray<AffiliateDelegation>,
): Array<{ name: string; members: number; electorate: number; ballots: RankedBallot[] }> {
  return affiliates.flatMap((a) =>
    a.members === undefined ? [] : [{ name: a.name, members: a.members, electorate: a.members, ballots: [] }],
  );
}

/** Checks affiliates against the question's options and the conference's units. */
export function checkAffiliates(
  affiliates: ReadonlyArray<AffiliateDelegation>,
  options: ReadonlyArray<string>,
  units: ReadonlyArray<string> = [],
): void {
  const seen = new Set<string>();
  for (const a of affiliates) {
    if (seen.has(a.name)) throw new DelegateError(`the affiliated delegation ${a.name} is named twice`);
    seen.add(a.name);
    if (units.includes(a.name)) throw new DelegateError(`the affiliated delegation ${a.name} has a branch's name`);
    let n = 0;
    for (const [o, v] of Object.entries(a.mandate)) {
      if (!options.includes(o))
        throw new DelegateError(`the mandate of ${a.name} names ${JSON.stringify(o)}, which is not an option`);
      n += v;
    }
    if ((a.delegates === undefined) === (a.members === undefined))
      throw new DelegateError(`give ${a.name} either its delegates or its affiliated membership`);
    if (a.delegates !== undefined && n > a.delegates)
      throw new DelegateError(
        `the mandate of ${a.name} gives ${n} delegate votes, more than its ${plural(a.delegates, 'delegate')}`,
      );
  }
}

/**
 * The conference with the affiliated delegations voting beside the branches: each is a
 * unit of its own (`affiliate: true`) whose delegate votes are its mandate, and the
 * conference is decided again by the question's method over all the delegate votes.
 * Voting power, the chance over lots and the pooling check are of the branches alone, so
 * they are left out (a note says so; the lots drawn stay listed).
 */
export function withAffiliates(
  cc: ConferenceComparison,
  affiliates: ReadonlyArray<AffiliateDelegation>,
  count: TallyOptions,
  seed: string,
): ConferenceComparison {
  const sized = new Set(affiliates.filter((a) => a.members !== undefined).map((a) => a.name));
  checkAffiliates(
    affiliates,
    cc.options,
    cc.branches.map((b) => b.name).filter((n) => !sized.has(n)),
  );
  const options = cc.options;
  const votes = options.map((o) => fig(cc.conference.delegates[o]));
  // Each delegation's delegate votes: as entered, or its delegates by the model split by its mandate.
  const cast = (a: AffiliateDelegation, delegates: number): number[] => {
    if (a.delegates !== undefined) return options.map((o) => a.mandate[o] ?? 0);
    if (delegates === 0 || options.every((o) => (a.mandate[o] ?? 0) === 0)) return options.map(() => 0);
    return [
      ...apportion(
        options.map((o) => ({ name: o, population: a.mandate[o] ?? 0 })),
        { method: 'hamilton', seats: delegates, seed, context: `mandate of ${a.name}: ` },
      ).seats,
    ];
  };
  const report = (a: AffiliateDelegation, base: BranchReport | null): BranchReport => {
    const delegates = base ? base.delegates : a.delegates!;
    const x = cast(a, delegates);
    x.forEach((v, k) => {
      votes[k] = add(votes[k]!, rat(v));
    });
    const mandated = options.filter((_, k) => x[k]! > 0);
    return {
      ...(base ?? {
        members: null,
        population: '0',
        votes: '0',
        totals: {},
        delegatesPerMember: null,
        representation: null,
        verdict: null,
      }),
      name: a.name,
      affiliate: true,
      delegates,
      conference: Object.fromEntries(options.map((o, k) => [o, String(x[k]!)])),
      winner: mandated.length === 1 ? mandated[0]! : null,
    };
  };
  const byName = new Map(affiliates.map((a) => [a.name, a]));
  const units = cc.branches.map((b) => (sized.has(b.name) ? report(byName.get(b.name)!, b) : b));
  for (const a of sized) if (!cc.branches.some((b) => b.name === a)) throw new DelegateError(`${a} was not counted`);
  const added = affiliates.filter((a) => a.delegates !== undefined).map((a) => report(a, null));
  const result = decide(cc.question, options, votes, cc.elect, count, `${seed}/conference`);
  const total = sum(votes);
  const elected = [...result.elected];
  const agree = sameSet(elected, cc.omov.elected);
  const names = affiliates.map((a) => a.name).join(', ');
  return {
    ...cc,
    settings: { ...cc.settings, delegates: cc.settings.delegates + added.reduce((n, a) => n + a.delegates, 0) },
    conference: {
      elected,
      winner: elected.length === 1 ? elected[0]! : null,
      delegates: Object.fromEntries(options.map((o, k) => [o, ratToString(votes[k]!)])),
      shares: Object.fromEntries(options.map((o, k) => [o, share(votes[k]!, total)])),
      margin: null,
      flip: null,
      tally: result,
    },
    agree,
    branches: [...units, ...added],
    power: null,
    paradoxes: agree
      ? []
      : [
          {
            name: 'referendum',
            description: `Referendum paradox: the members chose ${cc.omov.elected.join(', ') || 'nothing'}, but the conference, with the affiliated delegations, chooses ${elected.join(', ') || 'nothing'}.`,
          },
        ],
    ties: [
      ...cc.ties,
      ...result.ties
        .filter((t) => t.brokenBy === 'lot')
        .map((t) => ({
          stage: 'conference with affiliates',
          between: t.between,
          chosen: [t.chosen],
          brokenBy: 'lot' as const,
          note: t.note,
        })),
    ],
    lotDependence: undefined,
    pooling: undefined,
    notes: [
      // A delegation sized by membership was a unit without votes: its delegates vote by its mandate, not silently.
      ...cc.notes.flatMap((n) => {
        const silent = 'Cast no votes, so their delegates do not vote: ';
        if (!n.startsWith(silent)) return [n];
        const left = n
          .slice(silent.length, -1)
          .split(', ')
          .filter((x) => !sized.has(x));
        return left.length ? [`${silent}${left.join(', ')}.`] : [];
      }),
      `The affiliated delegations (${names}) vote as their mandates, entered by the organiser; voting power, the smallest change that turns the conference, the chance over lots and the pooling check are of the branches alone and are not given here.`,
    ],
  };
}

// ---------------------------------------------------------------------------------------
// Balance within a delegation

export interface BalanceRule {
  /** Who the rule is about, in the rule book's words: "women". */
  readonly label: string;
  /** The least share of each delegation, as a fraction ("1/2"). */
  readonly share: string;
  /** The organiser's count of them among each branch's members, by branch name. */
  readonly counts: Readonly<Record<string, number>>;
}

export interface BalanceUnit {
  readonly name: string;
  readonly branches: ReadonlyArray<string>;
  readonly members: number;
  readonly delegates: number;
  /** The fewest of its delegates who must be of the group: ⌈share × delegates⌉. */
  readonly required: number;
  /** The group's count among its members, as entered (a pool: the sum); null when a branch has none entered. */
  readonly group: number | null;
  /** The branch has at least as many of the group as it must send; null when the count is unknown. */
  readonly met: boolean | null;
}

export interface BalanceReport {
  readonly label: string;
  readonly share: string;
  readonly units: ReadonlyArray<BalanceUnit>;
  /** Over the conference: delegates in all, the fewest of the group among them, the group among all members. */
  readonly delegates: number;
  readonly required: number;
  readonly group: number;
  readonly members: number;
  /** Branches whose count is below what they must send. */
  readonly short: ReadonlyArray<string>;
  /** What the balance changes in the conference, in plain words. */
  readonly effect: string;
}

/** ⌈n × share⌉ exactly. */
function ceilShare(n: number, s: Rational): number {
  const x = mul(rat(n), s);
  return Number((x.num + x.den - 1n) / x.den);
}

/**
 * The delegations' composition under a balance rule. It never changes the delegate votes:
 * under the bloc rule every delegate votes for the branch's result whoever they are; under
 * a split of delegates by the branch's votes, a balanced delegation might split otherwise
 * only if the group voted otherwise than the rest, which the secret ballot does not tell.
 */
export function balanceReport(
  cc: ConferenceComparison,
  rule: BalanceRule,
  units: ReadonlyArray<{ readonly name: string; readonly branches: ReadonlyArray<string>; readonly members: number }>,
  conferenceRule: string,
): BalanceReport {
  const s = parseRational(rule.share);
  if (cmp(s, rat(1)) > 0 || s.num <= 0n) throw new DelegateError('the balance share must be above 0 and at most 1');
  const facts = new Map(units.map((u) => [u.name, u]));
  const rows: BalanceUnit[] = cc.branches
    .filter((b) => !b.affiliate)
    .map((b) => {
      const u = facts.get(b.name);
      const branches = u?.branches ?? [b.name];
      const known = branches.every((x) => rule.counts[x] !== undefined);
      const group = known ? branches.reduce((n, x) => n + rule.counts[x]!, 0) : null;
      const required = ceilShare(b.delegates, s);
      return {
        name: b.name,
        branches: [...branches],
        members: u?.members ?? 0,
        delegates: b.delegates,
        required,
        group,
        met: group === null ? null : group >= required,
      };
    });
  const delegates = rows.reduce((n, r) => n + r.delegates, 0);
  const required = rows.reduce((n, r) => n + r.required, 0);
  const group = rows.reduce((n, r) => n + (r.group ?? 0), 0);
  const members = rows.reduce((n, r) => n + r.members, 0);
  const short = rows.filter((r) => r.met === false).map((r) => r.name);
  const split = conferenceRule === 'proportional' || conferenceRule === 'stv';
  const effect = split
    ? `The balance changes who the delegates are. Here a branch's delegates are split by its members' votes, so a balanced delegation could split otherwise only if the ${rule.label} voted otherwise than the other members; the ballot is secret and omov holds no member's gender, so that is not known, and omov models only the delegations' composition: the conference's result above is not changed by it.`
    : `The balance changes who the delegates are, not how they vote: every delegate of a branch votes as the model says whoever they are, so the conference's result above is the same with it.`;
  return { label: rule.label, share: rule.share, units: rows, delegates, required, group, members, short, effect };
}

// ---------------------------------------------------------------------------------------
// Regional tiers

export interface TierRule {
  /** Each branch's region, by branch name. */
  readonly regions: Readonly<Record<string, string>>;
  /** Delegates to the national conference, shared among the regions by their members. */
  readonly seats: number;
  readonly method: ApportionmentMethod;
  /** How a region's national delegates vote: all for its conference's decision, or split by its delegate votes. */
  readonly vote: 'bloc' | 'proportional';
}

export interface RegionReport {
  readonly name: string;
  readonly branches: ReadonlyArray<string>;
  readonly members: number;
  /** The regional conference: its branches' delegate votes per option, and its decision. */
  readonly delegateVotes: Readonly<Record<string, string>>;
  readonly elected: ReadonlyArray<string>;
  /** Its delegates to the national conference, and how they vote. */
  readonly delegates: number;
  readonly national: Readonly<Record<string, number>>;
}

export interface TiersReport {
  readonly vote: 'bloc' | 'proportional';
  readonly regions: ReadonlyArray<RegionReport>;
  /** The national conference's delegate votes per option, and its decision. */
  readonly national: { readonly delegates: Readonly<Record<string, number>>; readonly elected: ReadonlyArray<string> };
  /** What the one-tier conference (the branches' delegates together) decided. */
  readonly singleTier: ReadonlyArray<string>;
  /** The tiers changed the conference's answer. */
  readonly changed: boolean;
  readonly agree: boolean;
  /** Lots drawn at either tier. */
  readonly lots: ReadonlyArray<string>;
  readonly note: string;
}

/**
 * Two tiers: each unit's delegate votes go to its region's conference (a pool whose branches
 * are in several regions is split among them by its branches' members); each regional
 * conference decides by the question's method over its delegate votes; the national seats
 * are apportioned among the regions by their members; each region's national delegates vote
 * as a bloc for its decision, or split in proportion to its delegate votes; the national
 * conference decides by the question's method.
 */
export function tiersReport(
  cc: ConferenceComparison,
  rule: TierRule,
  units: ReadonlyArray<{
    readonly name: string;
    readonly parts: ReadonlyArray<{ readonly branch: string; readonly members: number }>;
  }>,
  count: TallyOptions,
  seed: string,
): TiersReport {
  if (cc.elect !== 1) throw new DelegateError('regional tiers decide single places, not an election of several');
  const options = cc.options;
  const facts = new Map(units.map((u) => [u.name, u]));
  const missing = units.flatMap((u) =>
    u.parts.filter((p) => rule.regions[p.branch] === undefined).map((p) => p.branch),
  );
  if (missing.length)
    throw new DelegateError(
      `no region was given for the branch${missing.length > 1 ? 'es' : ''} ${[...new Set(missing)].join(', ')}`,
    );
  const names = [...new Set(units.flatMap((u) => u.parts.map((p) => rule.regions[p.branch]!)))].sort();
  const index = new Map(names.map((n, i) => [n, i]));
  const votes = names.map(() => options.map(() => ZERO));
  const members = names.map(() => 0);
  const branches = names.map(() => [] as string[]);
  for (const b of cc.branches) {
    const u = facts.get(b.name);
    if (!u) continue;
    const all = u.parts.reduce((n, p) => n + p.members, 0);
    for (const p of u.parts) {
      const r = index.get(rule.regions[p.branch]!)!;
      members[r]! += p.members;
      branches[r]!.push(p.branch);
      const f = u.parts.length === 1 ? rat(1) : div(rat(p.members), rat(all || 1));
      options.forEach((o, k) => {
        votes[r]![k] = add(votes[r]![k]!, mul(fig(b.conference[o]), f));
      });
    }
  }
  const lots: string[] = [];
  const seats = apportion(
    names.map((name, r) => ({ name, population: members[r]! })),
    { method: rule.method, seats: rule.seats, seed, context: 'regions: ' },
  );
  lots.push(...seats.ties.filter((t) => t.brokenBy === 'lot').map((t) => `national delegates: ${t.note}`));
  const national = options.map(() => 0);
  const regions: RegionReport[] = names.map((name, r) => {
    const own = decide(`${cc.question} (${name})`, options, votes[r]!, 1, count, `${seed}/region ${name}`);
    lots.push(...lotNotes(`region ${name}`, own));
    const d = seats.seats[r]!;
    const cast = options.map(() => 0);
    if (rule.vote === 'bloc') {
      const w = own.elected[0];
      if (w !== undefined) cast[options.indexOf(w)] = d;
    } else if (d > 0 && votes[r]!.some((v) => v.num > 0n)) {
      const split = apportion(
        options.map((o, k) => ({ name: o, population: votes[r]![k]! })),
        { method: rule.method, seats: d, seed, context: `split ${name}: ` },
      );
      lots.push(...split.ties.filter((t) => t.brokenBy === 'lot').map((t) => `split of ${name}: ${t.note}`));
      split.seats.forEach((n, k) => (cast[k] = n));
    }
    cast.forEach((n, k) => (national[k]! += n));
    return {
      name,
      branches: branches[r]!,
      members: members[r]!,
      delegateVotes: Object.fromEntries(options.map((o, k) => [o, ratToString(votes[r]![k]!)])),
      elected: [...own.elected],
      delegates: d,
      national: Object.fromEntries(options.map((o, k) => [o, cast[k]!])),
    };
  });
  const result = decide(
    `${cc.question} (national)`,
    options,
    national.map((n) => rat(n)),
    1,
    count,
    `${seed}/national`,
  );
  lots.push(...lotNotes('national conference', result));
  const elected = [...result.elected];
  const changed = !sameSet(elected, cc.conference.elected);
  const agree = sameSet(elected, cc.omov.elected);
  const said = (xs: ReadonlyArray<string>) => (xs.length ? xs.join(', ') : 'nothing');
  const note = `${plural(rule.seats, 'national delegate')} shared among ${plural(names.length, 'region')} by members; the national conference chooses ${said(elected)}, the branches' delegates meeting in one conference ${said(cc.conference.elected)}: the tiers ${changed ? 'changed' : 'did not change'} the answer.`;
  return {
    vote: rule.vote,
    regions,
    national: { delegates: Object.fromEntries(options.map((o, k) => [o, national[k]!])), elected },
    singleTier: [...cc.conference.elected],
    changed,
    agree,
    lots,
    note,
  };
}

/**
 * How a conference decides, once its delegates' votes are known: the procedures of real
 * rule books, beside the ballot's own method (compareConference counts that one).
 *
 * - Exhaustive ballot: the delegates vote; an option with a majority of the delegate votes
 *   cast wins; otherwise the last is eliminated and they vote again, each delegation for
 *   the highest of its preferences still standing.
 * - Majority requirement: the leading option wins only with more than the required share
 *   of the votes cast (default more than half); otherwise nothing is decided, and the
 *   result says what the rules then do (nothing; a run-off of the leading two).
 * - Sectional card vote: each section (affiliated unions, local parties, …) counts for a
 *   fixed share of the result, whatever its size; within a section each option gets the
 *   section's weight times its share of that section's votes.
 *
 * Pure and exact (rationals); a tie for last place is broken by lot from a stated seed.
 */
import { drawOrder } from '../tally/lot';
import { type Rational, ZERO, add, cmp, div, mul, parseRational, rat, ratToString, sum } from '../tally/rational';
import { type Count, DelegateError, toRational } from './numbers';

/** A delegation's votes with its order of preference (indices into the options, best first). */
export interface Delegation {
  readonly name: string;
  readonly votes: Count;
  readonly preferences: ReadonlyArray<number>;
}

export interface ProcedureRound {
  readonly number: number;
  /** Delegate votes per option still standing, exact. */
  readonly votes: Readonly<Record<string, string>>;
  /** Votes that went to no option still standing (a delegation whose preferences ran out). */
  readonly abstained: string;
  readonly eliminated: string | null;
  readonly note: string;
}

export interface ExhaustiveResult {
  readonly winner: string | null;
  readonly rounds: ReadonlyArray<ProcedureRound>;
  readonly lots: ReadonlyArray<string>;
}

const checkOptions = (options: ReadonlyArray<string>) => {
  if (options.length < 2) throw new DelegateError('a question needs at least two options');
  if (new Set(options).size !== options.length) throw new DelegateError('two options have the same name');
};

/**
 * Exhaustive ballot. `majorityOf`: 'cast' (default) needs more than half of the votes cast
 * for a standing option in the round; 'all' more than half of all delegate votes, so that
 * delegations whose preferences ran out count against (and the last two may decide nothing).
 */
export function exhaustiveBallot(
  options: ReadonlyArray<string>,
  delegations: ReadonlyArray<Delegation>,
  opts: { majorityOf?: 'cast' | 'all'; seed?: string } = {},
): ExhaustiveResult {
  checkOptions(options);
  const weights = delegations.map((d) => toRational(d.votes, `the votes of ${d.name}`));
  for (const d of delegations)
    for (const p of d.preferences)
      if (!Number.isInteger(p) || p < 0 || p >= options.length)
        throw new DelegateError(`delegation ${d.name}: preference ${p} is not an option`);
  const all = sum(weights);
  const standing = new Set(options.map((_, i) => i));
  const rounds: ProcedureRound[] = [];
  const lots: string[] = [];
  for (let number = 1; ; number++) {
    const votes = options.map(() => ZERO);
    let abstained = ZERO;
    delegations.forEach((d, i) => {
      const choice = d.preferences.find((p) => standing.has(p));
      if (choice === undefined) abstained = add(abstained, weights[i]!);
      else votes[choice] = add(votes[choice]!, weights[i]!);
    });
    const live = [...standing].sort((a, b) => a - b);
    const cast = sum(live.map((k) => votes[k]!));
    const base = opts.majorityOf === 'all' ? all : cast;
    const shown = Object.fromEntries(live.map((k) => [options[k]!, ratToString(votes[k]!)]));
    const top = live.reduce((a, k) => (cmp(votes[k]!, votes[a]!) > 0 ? k : a), live[0]!);
    if (base.num > 0n && cmp(mul(votes[top]!, rat(2)), base) > 0) {
      rounds.push({
        number,
        votes: shown,
        abstained: ratToString(abstained),
        eliminated: null,
        note: `${options[top]} has ${ratToString(votes[top]!)} of ${ratToString(base)}: a majority.`,
      });
      return { winner: options[top]!, rounds, lots };
    }
    if (live.length <= 2) {
      rounds.push({
        number,
        votes: shown,
        abstained: ratToString(abstained),
        eliminated: null,
        note: `No option has a majority of ${ratToString(base)}, and no more can be eliminated: nothing is decided.`,
      });
      return { winner: null, rounds, lots };
    }
    const least = live.reduce((m, k) => (cmp(votes[k]!, m) < 0 ? votes[k]! : m), votes[live[0]!]!);
    const tied = live.filter((k) => cmp(votes[k]!, least) === 0);
    let out = tied[0]!;
    let how = '';
    if (tied.length > 1) {
      out = drawOrder(tied, opts.seed ?? 'omov', `exhaustive ballot round ${number}`)[0]!;
      how = ` (tied for last with ${tied
        .filter((k) => k !== out)
        .map((k) => options[k])
        .join(', ')}; drawn by lot)`;
      lots.push(`Round ${number}: ${options[out]} eliminated by lot.`);
    }
    standing.delete(out);
    rounds.push({
      number,
      votes: shown,
      abstained: ratToString(abstained),
      eliminated: options[out]!,
      note: `No majority of ${ratToString(base)}; ${options[out]} is last and is eliminated${how}.`,
    });
  }
}

export type NoMajority = 'no decision' | 'run-off';

export interface MajorityResult {
  readonly winner: string | null;
  /** The leading option's share of the votes cast, exact. */
  readonly share: string;
  readonly required: string;
  /** When the leader fell short: what the rules then do. */
  readonly then: NoMajority | null;
  /** Run-off: the two it is between (ties for second broken by lot). */
  readonly runOff: ReadonlyArray<string> | null;
  readonly note: string;
}

/**
 * A majority requirement over delegate votes per option: the leader wins with more than
 * `required` (default 1/2) of the votes cast; otherwise `otherwise` says what follows.
 */
export function majorityRequirement(
  options: ReadonlyArray<string>,
  votes: ReadonlyArray<Count>,
  opts: { required?: string; otherwise?: NoMajority; seed?: string } = {},
): MajorityResult {
  checkOptions(options);
  if (votes.length !== options.length)
    throw new DelegateError(`${votes.length} vote figures for ${options.length} options`);
  const v = votes.map((x, i) => toRational(x, `the votes for ${options[i]}`));
  const required = parseRational(opts.required ?? '1/2');
  const cast = sum(v);
  if (cast.num === 0n) throw new DelegateError('no votes were cast');
  const order = drawOrder(
    options.map((_, i) => i),
    opts.seed ?? 'omov',
    'majority requirement',
  ).sort((a, b) => cmp(v[b]!, v[a]!));
  const top = order[0]!;
  const share = div(v[top]!, cast);
  const base = { share: ratToString(share), required: ratToString(required) };
  const tiedTop = cmp(v[top]!, v[order[1]!]!) === 0;
  if (!tiedTop && cmp(share, required) > 0)
    return {
      winner: options[top]!,
      ...base,
      then: null,
      runOff: null,
      note: `${options[top]} has ${ratToString(share)} of the votes cast, more than the ${ratToString(required)} required.`,
    };
  const then = opts.otherwise ?? 'no decision';
  const runOff = then === 'run-off' ? [options[order[0]!]!, options[order[1]!]!] : null;
  return {
    winner: null,
    ...base,
    then,
    runOff,
    note:
      `No option has more than ${ratToString(required)} of the votes cast (the most: ${ratToString(share)}); ` +
      (runOff ? `a run-off between ${runOff.join(' and ')} decides.` : 'the conference decides nothing.'),
  };
}

export interface Section {
  readonly name: string;
  /** The section's share of the result, e.g. "1/2"; the weights add up to 1. */
  readonly weight: string;
  /** Votes per option within the section. */
  readonly votes: ReadonlyArray<Count>;
}

export interface CardVoteResult {
  /** Weighted share per option (the sum of weight × share within each section), exact. */
  readonly shares: Readonly<Record<string, string>>;
  /** The option with the largest weighted share; null on a tie at the top. */
  readonly winner: string | null;
  readonly note: string;
}

/** A sectional card vote: each section counts for its weight, whatever its size. */
export function sectionalCardVote(options: ReadonlyArray<string>, sections: ReadonlyArray<Section>): CardVoteResult {
  checkOptions(options);
  if (sections.length === 0) throw new DelegateError('no sections');
  const weights = sections.map((s) => parseRational(s.weight));
  if (cmp(sum(weights), rat(1)) !== 0)
    throw new DelegateError(
      `the sections' weights add up to ${ratToString(sum(weights))}, not 1 (${sections.map((s) => `${s.name} ${s.weight}`).join(', ')})`,
    );
  let shares: Rational[] = options.map(() => ZERO);
  sections.forEach((s, j) => {
    if (s.votes.length !== options.length)
      throw new DelegateError(`section ${s.name}: ${s.votes.length} vote figures for ${options.length} options`);
    const v = s.votes.map((x, i) => toRational(x, `the votes for ${options[i]} in ${s.name}`));
    const total = sum(v);
    if (total.num === 0n) throw new DelegateError(`section ${s.name} cast no votes`);
    shares = shares.map((sh, i) => add(sh, mul(weights[j]!, div(v[i]!, total))));
  });
  const best = shares.reduce((m, x) => (cmp(x, m) > 0 ? x : m), ZERO);
  const top = options.filter((_, i) => cmp(shares[i]!, best) === 0);
  return {
    shares: Object.fromEntries(options.map((o, i) => [o, ratToString(shares[i]!)])),
    winner: top.length === 1 ? top[0]! : null,
    note:
      top.length === 1
        ? `${top[0]} has the largest weighted share, ${ratToString(best)}.`
        : `${top.join(' and ')} tie with ${ratToString(best)} each: the card vote decides nothing.`,
  };
}

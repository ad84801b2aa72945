/**
 * Single transferable vote, counted exactly by one of three published rule sets:
 *
 * - 'scottish': the Scottish Local Government Elections Order 2007 (scottish.ts);
 * - 'meek': Meek's method as in the Proportional Representation Foundation's reference
 *   rule, with Droop's fixed-point arithmetic (meek.ts);
 * - 'ers97': the Electoral Reform Society's 1997 rules (ers97.ts).
 *
 * All arithmetic is fixed point on bigints at the rule's precision; no floating point.
 *
 * Ballots: a preference for a withdrawn candidate is passed over. A ballot that ranks no
 * standing candidate (empty, or only withdrawn candidates) is not a valid vote and is left
 * out of the total. Equal preferences (a group of more than one candidate) are rejected for
 * all three rule sets: the Scottish Order and ERS97 treat such a paper as void for
 * uncertainty from that point, which a ranking cannot express faithfully, and the PRF
 * reference rule for Meek does not define them (Droop's extension for them is its own).
 * Rejecting says so plainly instead of counting something no rule set specifies.
 */
import type { BalanceRule, Election, RankedBallot, StvRules, TallyResult } from '../types';
import { Balance, ruleWords } from './balance';
import { ratToString } from '../rational';
import { prepareBallots } from './ballots';
import { countErs97 } from './ers97';
import { countMeek } from './meek';
import type { CountOutcome, CountSetup } from './record';
import { countScottish } from './scottish';
import { tieContext } from './ties';

const COUNTERS: Record<StvRules, (setup: CountSetup) => CountOutcome> = {
  scottish: countScottish,
  meek: countMeek,
  ers97: countErs97,
};

export function countStv(
  election: Election<RankedBallot>,
  rules: StvRules,
  seed: string,
  balanceRules: ReadonlyArray<BalanceRule> = [],
): TallyResult {
  const names = election.candidates;
  if (!Number.isInteger(election.seats) || election.seats < 1)
    throw new RangeError(`the number of seats must be a whole number of at least 1 (got ${election.seats})`);
  if (new Set(names).size !== names.length)
    throw new RangeError('two candidates have the same name; results are reported by name');
  for (const w of election.withdrawn) {
    if (!Number.isInteger(w) || w < 0 || w >= names.length)
      throw new RangeError(`withdrawn candidate ${w} does not exist (there are ${names.length} candidates)`);
  }
  const withdrawn = new Set(election.withdrawn);
  const standing = names.map((_, i) => i).filter((i) => !withdrawn.has(i));
  const ties = tieContext(names, seed, rules, election.tieOrder);
  const balance = balanceRules.length ? new Balance(names, standing, election.seats, balanceRules) : undefined;
  const setup: CountSetup = {
    names,
    standing,
    seats: election.seats,
    ballots: prepareBallots(election, rules),
    ties,
    balance,
  };
  const count = COUNTERS[rules];
  if (!count) throw new RangeError(`unknown STV rules: ${String(rules)}`);
  const outcome = count(setup);
  const notes: string[] = [];
  if (withdrawn.size)
    notes.push(
      `Withdrawn, and passed over on every ballot: ${[...withdrawn]
        .sort((a, b) => a - b)
        .map((c) => names[c])
        .join(', ')}.`,
    );
  const invalid = ratToString(setup.ballots.ignored);
  if (invalid !== '0')
    notes.push(`Ballots of total weight ${invalid} rank no standing candidate and are not valid votes.`);
  if (standing.length < election.seats)
    notes.push(`Only ${standing.length} candidate(s) stand for ${election.seats} seats.`);
  if (election.tieOrder)
    notes.push('Lots are taken from the tie order given with the election, not drawn from the seed.');
  let balanceSummary: Record<string, string | boolean> = {};
  if (balance) {
    notes.push(`Balance rules: ${balanceRules.map((r) => ruleWords(r)).join('; ')}.`, ...balance.notes);
    // The same count without the rules (its lots drawn apart), to say what the rules changed.
    const free = count({
      ...setup,
      balance: undefined,
      ties: tieContext(names, seed, rules, election.tieOrder),
    });
    const withRules = new Set(outcome.elected);
    const without = new Set(free.elected);
    const gained = outcome.elected.filter((c) => !without.has(c)).map((c) => names[c]!);
    const lost = free.elected.filter((c) => !withRules.has(c)).map((c) => names[c]!);
    const changed = gained.length > 0 || lost.length > 0;
    notes.push(
      changed
        ? `The balance rules changed who was elected: without them ${lost.join(', ')} would have been elected; with them ${gained.join(', ')} ${gained.length > 1 ? 'are' : 'is'} elected instead.`
        : 'The balance rules did not change who was elected: the count without them elects the same candidates.',
    );
    balanceSummary = {
      balanceChanged: changed,
      electedWithoutBalance: free.elected.map((c) => names[c]!).join(', '),
    };
  }
  return {
    method: 'stv',
    rules,
    seats: election.seats,
    candidates: [...names],
    elected: outcome.elected.map((c) => names[c]!),
    rounds: outcome.rounds,
    ties: ties.ties,
    seed,
    notes: [...notes, ...outcome.notes],
    summary: { ...outcome.summary, invalidBallots: invalid, ...balanceSummary },
  };
}

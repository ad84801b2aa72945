/**
 * Instant-runoff (alternative) vote, one winner.
 *
 * Round 1 counts first preferences. A candidate with more than half of the continuing
 * votes (those not exhausted) is elected; otherwise the candidate with the fewest votes
 * is excluded, one per round, and each of their papers passes at its full value to its
 * next preference still standing, or is exhausted if it has none. When one candidate is
 * left, they are elected.
 *
 * Equal preferences: a paper whose current preference is a group of several continuing
 * candidates is shared equally between them (exact fractions), and passes on when all of
 * them are gone. Ties for exclusion: the tied candidate with fewest votes at the most
 * recent earlier round at which the tied candidates had unequal votes is excluded
 * (narrowing round by round); if they were equal in every round, a lot decides.
 */
import type { Election, RankedBallot, Round, TallyResult, Tie, Transfer } from '../types';
import { ZERO, add, rat, ratToString } from '../rational';
import { type BallotGroup, aggregateRanked, lcmUpTo, scaleWeights } from '../aggregate';
import { type Arith, BIGINTS, DOUBLES, fitsDoubles, lotOrder, nameOf, standingOf, withdrawnNote } from './common';

export function countIrv(election: Election<RankedBallot>, seed: string): TallyResult {
  if (election.seats !== 1)
    throw new RangeError(`irv elects one candidate, not ${election.seats}; use stv for several seats`);
  const standing = standingOf(election);
  if (standing.length === 0) throw new RangeError('irv: no candidates standing');
  const groups = aggregateRanked(election);
  let widest = 1;
  for (const g of groups) for (const grp of g.ranking) if (grp.length > widest) widest = grp.length;
  // Shares of a paper among up to `widest` equal preferences stay whole numbers over `den`.
  const { den, weights } = scaleWeights(
    groups.map((g) => g.weight),
    lcmUpTo(widest),
  );
  let total = 0n;
  for (const w of weights) total += w;
  // Twice the total must be safe too: the majority test doubles a candidate's votes.
  return fitsDoubles(2n * total)
    ? irv(election, seed, standing, groups, den, weights.map(Number), DOUBLES)
    : irv(election, seed, standing, groups, den, weights, BIGINTS);
}

function irv<T>(
  election: Election<RankedBallot>,
  seed: string,
  standing: number[],
  groups: ReadonlyArray<BallotGroup>,
  den: bigint,
  weights: ReadonlyArray<T>,
  a: Arith<T>,
): TallyResult {
  const c = election.candidates.length;
  const fig = (x: T): string => ratToString(rat(a.big(x), den));
  const continuing = new Uint8Array(c);
  for (const i of standing) continuing[i] = 1;
  const totals: T[] = new Array<T>(c).fill(a.zero);
  const pile: number[][] = Array.from({ length: c }, () => []);
  const pos = new Int32Array(groups.length);
  const share: T[] = new Array<T>(groups.length).fill(a.zero);
  let exhausted = a.zero;
  let blank = ZERO;

  const countedIn = (grp: ReadonlyArray<number>): number => {
    let k = 0;
    for (const x of grp) if (continuing[x]) k++;
    return k;
  };
  /** Give paper gi to its first preference group with someone continuing, from pos[gi] on. */
  const place = (gi: number): void => {
    const ranking = groups[gi]!.ranking;
    for (let p = pos[gi]!; p < ranking.length; p++) {
      const grp = ranking[p]!;
      const k = countedIn(grp);
      if (k === 0) continue;
      pos[gi] = p;
      const s = k === 1 ? weights[gi]! : a.divide(weights[gi]!, k);
      share[gi] = s;
      for (const x of grp)
        if (continuing[x]) {
          totals[x] = a.add(totals[x]!, s);
          pile[x]!.push(gi);
        }
      return;
    }
    pos[gi] = ranking.length;
    share[gi] = a.zero;
    exhausted = a.add(exhausted, weights[gi]!);
  };
  groups.forEach((g, gi) => {
    if (g.ranking.length === 0) blank = add(blank, g.weight);
    else place(gi);
  });

  const history: T[][] = [];
  const rounds: Round[] = [];
  const ties: Tie[] = [];
  const alive = (): number[] => standing.filter((i) => continuing[i]);
  const snapshot = (
    number: number,
    excluded: string[],
    transfers: Transfer[] | undefined,
    note: string,
  ): { round: Round; winner: number | null } => {
    history.push(totals.slice());
    const who = alive();
    let live = a.zero;
    for (const i of who) live = a.add(live, totals[i]!);
    const votes: Record<string, string> = {};
    for (const i of who) votes[nameOf(election, i)] = fig(totals[i]!);
    // More than half the continuing votes: 2·v > live.
    const majority = who.find((i) => a.less(live, a.add(totals[i]!, totals[i]!)));
    const winner = majority ?? (who.length === 1 ? who[0]! : null);
    let text = note;
    if (winner !== null) {
      text +=
        majority !== undefined
          ? ` ${nameOf(election, winner)} has more than half of the ${fig(live)} continuing votes and is elected.`
          : ` ${nameOf(election, winner)} is the only candidate left and is elected.`;
    }
    return {
      round: {
        number,
        votes,
        exhausted: fig(exhausted),
        quota: ratToString(rat(a.big(live), 2n * den)),
        ...(transfers ? { transfers } : {}),
        elected: winner === null ? [] : [nameOf(election, winner)],
        excluded,
        note: text.trim(),
      },
      winner,
    };
  };

  let { round, winner } = snapshot(1, [], undefined, 'First preferences.');
  rounds.push(round);
  while (winner === null) {
    const number = rounds.length + 1;
    const loser = lowest(election, alive(), totals, history, number - 1, seed, ties, a);
    const before = totals.slice();
    const exhaustedBefore = exhausted;
    const loserVotes = totals[loser]!;
    continuing[loser] = 0;
    const moving = pile[loser]!;
    pile[loser] = [];
    for (const gi of moving) {
      const grp = groups[gi]!.ranking[pos[gi]!]!;
      const old = share[gi]!;
      const k = countedIn(grp);
      if (k > 0) {
        // Still shared within the same equal-preference group, now among fewer.
        const s = a.divide(weights[gi]!, k);
        for (const x of grp) if (continuing[x]) totals[x] = a.add(totals[x]!, a.sub(s, old));
        share[gi] = s;
      } else {
        pos[gi]!++;
        place(gi);
      }
    }
    totals[loser] = a.zero;
    const to: Record<string, string> = {};
    for (const i of alive()) if (totals[i] !== before[i]) to[nameOf(election, i)] = fig(a.sub(totals[i]!, before[i]!));
    const transfer: Transfer = {
      from: nameOf(election, loser),
      kind: 'exclusion',
      to,
      exhausted: fig(a.sub(exhausted, exhaustedBefore)),
    };
    const lastTie = ties[ties.length - 1];
    const why =
      lastTie?.round === number - 1 && lastTie.chosen === nameOf(election, loser)
        ? ` (tie broken by ${lastTie.brokenBy === 'lot' ? 'lot' : 'earlier rounds'})`
        : '';
    ({ round, winner } = snapshot(
      number,
      [nameOf(election, loser)],
      [transfer],
      `${nameOf(election, loser)} excluded with the fewest votes (${fig(loserVotes)})${why}; papers passed to next preferences.`,
    ));
    rounds.push(round);
  }
  return {
    method: 'irv',
    seats: 1,
    candidates: standing.map((i) => nameOf(election, i)),
    elected: [nameOf(election, winner)],
    rounds,
    ties,
    seed,
    notes: [
      'Instant-runoff: more than half of the continuing votes elects; otherwise the lowest candidate is excluded and their papers pass on. The quota row shows half of the continuing votes: a winner needs more.',
      'Equal preferences are shared equally. A tie for exclusion is broken by the most recent earlier round at which the tied candidates had unequal votes, then by lot.',
      ...withdrawnNote(election),
    ],
    summary: { blank: ratToString(blank), exhausted: fig(exhausted), rounds: String(rounds.length) },
  };
}

/** The candidate to exclude at the end of round `round`: fewest votes, then look back, then lot. */
function lowest<T>(
  election: Election<RankedBallot>,
  who: number[],
  totals: T[],
  history: T[][],
  round: number,
  seed: string,
  ties: Tie[],
  a: Arith<T>,
): number {
  const min = (among: number[], row: ReadonlyArray<T>): number[] => {
    let m: T | null = null;
    for (const i of among) if (m === null || a.less(row[i]!, m)) m = row[i]!;
    return among.filter((i) => row[i] === m);
  };
  const tied = min(who, totals);
  if (tied.length === 1) return tied[0]!;
  let left = tied;
  for (let r = history.length - 2; r >= 0 && left.length > 1; r--) left = min(left, history[r]!);
  const between = tied.map((i) => nameOf(election, i));
  if (left.length === 1) {
    ties.push({
      round,
      between,
      brokenBy: 'rules',
      chosen: nameOf(election, left[0]!),
      note: `Tie for exclusion; ${nameOf(election, left[0]!)} had fewest votes at the most recent earlier round where the tied candidates differed.`,
    });
    return left[0]!;
  }
  // The lot picks the one to exclude.
  const { order, how } = lotOrder(election, left, seed, `irv:exclusion:round ${round}`);
  const chosen = order[0]!;
  ties.push({
    round,
    between,
    brokenBy: 'lot',
    chosen: nameOf(election, chosen),
    note: `Tie for exclusion${left.length < tied.length ? ' not settled by earlier rounds' : ', equal in every round'}; ${how} chose ${nameOf(election, chosen)} to be excluded.`,
  });
  return chosen;
}

/**
 * Condorcet methods: Schulze, ranked pairs (Tideman) and Copeland, all from the pairwise
 * matrix: m[i][j] is the weight of papers ranking i above j. A paper ranks every
 * candidate it names above every candidate it leaves out; equal preferences and two
 * unranked candidates express no preference between them. Each result reports the matrix
 * and the Condorcet winner (the candidate beating every other one head to head), if any.
 * With several seats the methods give their top-n order (not a proportional result).
 */
import type { Election, PairwiseReport, RankedBallot, TallyResult, Tie } from '../types';
import { type Rational, rat, ratToString } from '../rational';
import { type BallotGroup, aggregateRanked, scaleWeights } from '../aggregate';
import {
  checkSeats,
  fillSeats,
  lotOrder,
  nameOf,
  standingOf,
  tiersByValue,
  votesRecord,
  withdrawnNote,
} from './common';

/** Pairwise preferences among all candidates, as whole numbers over `den`. */
export interface Pairwise {
  readonly n: number;
  readonly den: bigint;
  /** at(i, j): papers preferring i to j, scaled by den. */
  at(i: number, j: number): bigint;
}

/**
 * The pairwise matrix in O(distinct papers × ranked²): a paper adds its weight to "i over
 * everyone" for each candidate it ranks, then takes it back from "i over j" for the j it
 * ranks at i's level or above. So unranked candidates cost nothing per paper.
 */
export function pairwiseMatrix(election: Election<RankedBallot>): Pairwise {
  const n = election.candidates.length;
  const groups = aggregateRanked(election);
  const { den, weights } = scaleWeights(groups.map((g) => g.weight));
  let total = 0n;
  for (const w of weights) total += w;
  // Every entry is at most the total weight: while that is a safe integer, count in
  // doubles (exact for integers below 2^53) and spare the garbage of a bigint per addition.
  if (total <= BigInt(Number.MAX_SAFE_INTEGER)) {
    const overAll = new Float64Array(n);
    const back = new Float64Array(n * n);
    accumulate(
      groups,
      weights.map(Number),
      0,
      (i, w) => {
        overAll[i]! += w;
      },
      (k, w) => {
        back[k]! += w;
      },
      n,
    );
    return { n, den, at: (i, j) => (i === j ? 0n : BigInt(overAll[i]! - back[i * n + j]!)) };
  }
  const overAll: bigint[] = new Array<bigint>(n).fill(0n);
  const back: bigint[] = new Array<bigint>(n * n).fill(0n);
  accumulate(
    groups,
    weights,
    0n,
    (i, w) => {
      overAll[i]! += w;
    },
    (k, w) => {
      back[k]! += w;
    },
    n,
  );
  return { n, den, at: (i, j) => (i === j ? 0n : overAll[i]! - back[i * n + j]!) };
}

function accumulate<T>(
  groups: ReadonlyArray<BallotGroup>,
  weights: ReadonlyArray<T>,
  zero: T,
  over: (i: number, w: T) => void,
  takeBack: (k: number, w: T) => void,
  n: number,
): void {
  const seenSoFar = new Int32Array(n);
  groups.forEach((g, gi) => {
    const w = weights[gi]!;
    if (w === zero) return;
    let seen = 0;
    for (const grp of g.ranking) {
      for (const x of grp) seenSoFar[seen++] = x;
      for (const i of grp) {
        over(i, w);
        const row = i * n;
        for (let s = 0; s < seen; s++) takeBack(row + seenSoFar[s]!, w);
      }
    }
  });
}

function report(election: Election<RankedBallot>, standing: number[], pw: Pairwise): PairwiseReport {
  const winner = condorcetWinner(standing, pw);
  return {
    matrix: standing.map((i) => standing.map((j) => ratToString(rat(pw.at(i, j), pw.den)))),
    condorcetWinner: winner === null ? null : nameOf(election, winner),
  };
}

/** The candidate who beats every other standing candidate head to head, or null. */
export function condorcetWinner(standing: ReadonlyArray<number>, pw: Pairwise): number | null {
  for (const i of standing) if (standing.every((j) => j === i || pw.at(i, j) > pw.at(j, i))) return i;
  return null;
}

function result(
  method: 'schulze' | 'ranked-pairs' | 'copeland',
  election: Election<RankedBallot>,
  seed: string,
  standing: number[],
  pw: Pairwise,
  elected: number[],
  ties: Tie[],
  notes: string[],
  extra: Partial<TallyResult> = {},
): TallyResult {
  const pairwise = report(election, standing, pw);
  return {
    method,
    seats: election.seats,
    candidates: standing.map((i) => nameOf(election, i)),
    elected: elected.map((i) => nameOf(election, i)),
    rounds: [],
    ties,
    seed,
    pairwise,
    notes: [
      'A paper ranks every candidate it names above those it leaves out; equal and unranked candidates express no preference between them.',
      pairwise.condorcetWinner === null
        ? 'There is no Condorcet winner.'
        : `${pairwise.condorcetWinner} is the Condorcet winner (beats every other candidate head to head).`,
      ...notes,
      ...withdrawnNote(election),
    ],
    summary: { condorcetWinner: pairwise.condorcetWinner },
    ...extra,
  };
}

/**
 * Schulze (winning votes): the strength of a link i→j is m[i][j] when i beats j, else 0;
 * p[i][j] is the strength of the strongest path (widest path). i ranks above j when
 * p[i][j] > p[j][i]; this order is transitive (Schulze 2011), so the top places are found
 * by repeatedly taking the candidates no one remaining beats. Ties left in it are broken
 * by lot (Schulze's own tie-break, the TBRC, is itself a random draw).
 */
export function countSchulze(election: Election<RankedBallot>, seed: string): TallyResult {
  const standing = standingOf(election);
  checkSeats('schulze', election.seats, standing.length);
  const pw = pairwiseMatrix(election);
  const n = pw.n;
  const p: bigint[] = new Array<bigint>(n * n).fill(0n);
  for (const i of standing)
    for (const j of standing) if (i !== j && pw.at(i, j) > pw.at(j, i)) p[i * n + j] = pw.at(i, j);
  for (const k of standing)
    for (const i of standing) {
      if (i === k) continue;
      const ik = p[i * n + k]!;
      if (ik === 0n) continue;
      for (const j of standing) {
        if (j === i || j === k) continue;
        const via = ik < p[k * n + j]! ? ik : p[k * n + j]!;
        if (via > p[i * n + j]!) p[i * n + j] = via;
      }
    }
  const path = (i: number, j: number): bigint => p[i * n + j]!;
  const tiers: number[][] = [];
  let left = standing.slice();
  while (left.length > 0) {
    const top = left.filter((i) => left.every((j) => j === i || path(i, j) >= path(j, i)));
    tiers.push(top);
    left = left.filter((i) => !top.includes(i));
  }
  const { elected, ties } = fillSeats(election, tiers, election.seats, seed, 'schulze', 'Schulze order');
  const fig = (x: bigint): string => ratToString(rat(x, pw.den));
  const paths = standing.map(
    (i) =>
      `${nameOf(election, i)}: ${standing
        .filter((j) => j !== i)
        .map((j) => `${nameOf(election, j)} ${fig(path(i, j))}`)
        .join(', ')}`,
  );
  return result('schulze', election, seed, standing, pw, elected, ties, [
    `Schulze (winning votes). Order: ${tiers.map((t) => t.map((i) => nameOf(election, i)).join(' = ')).join(' > ')}.`,
    `Strongest paths (row to each other candidate): ${paths.join('; ')}.`,
  ]);
}

/**
 * Ranked pairs (Tideman), winning votes: the majorities i over j are taken strongest
 * first (most papers for the winner, then fewest for the loser) and locked in unless
 * they would make a cycle with those already locked. Majorities of equal strength are
 * ordered by a tie-breaking ranking of the candidates drawn by lot, as Zavist and
 * Tideman (1989) prescribe: the pair whose winner ranks higher first, and for the same
 * winner the pair whose loser ranks lower first. The order is read off the locked graph.
 */
export function countRankedPairs(election: Election<RankedBallot>, seed: string): TallyResult {
  const standing = standingOf(election);
  checkSeats('ranked-pairs', election.seats, standing.length);
  const pw = pairwiseMatrix(election);
  const n = pw.n;
  const fig = (x: bigint): string => ratToString(rat(x, pw.den));
  type Pair = { w: number; l: number; for: bigint; against: bigint };
  const pairs: Pair[] = [];
  for (const i of standing)
    for (const j of standing)
      if (i !== j && pw.at(i, j) > pw.at(j, i)) pairs.push({ w: i, l: j, for: pw.at(i, j), against: pw.at(j, i) });
  const strength = (a: Pair, b: Pair): number =>
    a.for !== b.for ? (a.for > b.for ? -1 : 1) : a.against !== b.against ? (a.against < b.against ? -1 : 1) : 0;
  pairs.sort((a, b) => strength(a, b) || a.w - b.w || a.l - b.l);
  const ties: Tie[] = [];
  const label = (q: Pair): string => `${nameOf(election, q.w)} over ${nameOf(election, q.l)}`;
  const locked: boolean[] = new Array<boolean>(n * n).fill(false);
  const reaches = (from: number, to: number): boolean => {
    const seen = new Set<number>([from]);
    const stack = [from];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (x === to) return true;
      for (const y of standing)
        if (locked[x * n + y] && !seen.has(y)) {
          seen.add(y);
          stack.push(y);
        }
    }
    return false;
  };
  const log: string[] = [];
  const lock = (q: Pair): void => {
    const cycle = reaches(q.l, q.w);
    if (!cycle) locked[q.w * n + q.l] = true;
    log.push(`${label(q)} ${fig(q.for)}–${fig(q.against)} ${cycle ? 'skipped (cycle)' : 'locked'}`);
  };
  // The tie-breaking ranking of candidates (TBRC), drawn only when first needed.
  let tbrc: number[] | null = null;
  for (let k = 0; k < pairs.length;) {
    let e = k + 1;
    while (e < pairs.length && strength(pairs[k]!, pairs[e]!) === 0) e++;
    const block = pairs.slice(k, e);
    k = e;
    if (block.length > 1) {
      // The order inside a block of equal majorities matters only if locking all of them
      // would close a cycle; otherwise every order locks them all and no lot is drawn.
      for (const q of block) locked[q.w * n + q.l] = true;
      const cyclic = block.some((q) => {
        locked[q.w * n + q.l] = false;
        const c = reaches(q.l, q.w);
        locked[q.w * n + q.l] = true;
        return c;
      });
      for (const q of block) locked[q.w * n + q.l] = false;
      if (cyclic) {
        tbrc ??= lotOrder(election, standing, seed, 'ranked-pairs:tbrc').order;
        const rank = new Map(tbrc.map((c, r) => [c, r]));
        block.sort((a, b) => rank.get(a.w)! - rank.get(b.w)! || rank.get(b.l)! - rank.get(a.l)!);
        const involved = standing.filter((c) => block.some((q) => q.w === c || q.l === c));
        ties.push({
          round: null,
          between: involved.map((c) => nameOf(election, c)),
          brokenBy: 'lot',
          chosen: label(block[0]!),
          note: `Majorities of equal strength (${fig(block[0]!.for)} to ${fig(block[0]!.against)}) that cannot all be locked, taken in the order of a tie-breaking ranking of the candidates drawn by lot${election.tieOrder ? ' (the tie order given with the election)' : ''} (${tbrc.map((c) => nameOf(election, c)).join(', ')}): ${block.map(label).join('; ')}.`,
        });
      }
    }
    for (const q of block) lock(q);
  }
  const tiers: number[][] = [];
  let left = standing.slice();
  while (left.length > 0) {
    const sources = left.filter((i) => !left.some((j) => locked[j * n + i]));
    tiers.push(sources);
    left = left.filter((i) => !sources.includes(i));
  }
  const filled = fillSeats(election, tiers, election.seats, seed, 'ranked-pairs', 'Ranked-pairs order');
  return result(
    'ranked-pairs',
    election,
    seed,
    standing,
    pw,
    filled.elected,
    [...ties, ...filled.ties],
    [
      `Ranked pairs (winning votes). Majorities in order: ${log.length === 0 ? 'none' : log.join('; ')}.`,
      `Order: ${tiers.map((t) => t.map((i) => nameOf(election, i)).join(' = ')).join(' > ')}.`,
    ],
  );
}

/**
 * Copeland: one point for each candidate beaten head to head, half a point for each
 * pairwise tie; the highest scores are elected. Copeland has no published tie-break of
 * its own, so equal scores at the last seat go to a lot.
 */
export function countCopeland(election: Election<RankedBallot>, seed: string): TallyResult {
  const standing = standingOf(election);
  checkSeats('copeland', election.seats, standing.length);
  const pw = pairwiseMatrix(election);
  const halves = new Map<number, number>();
  for (const i of standing) {
    let h = 0;
    for (const j of standing) if (j !== i) h += pw.at(i, j) > pw.at(j, i) ? 2 : pw.at(i, j) === pw.at(j, i) ? 1 : 0;
    halves.set(i, h);
  }
  const score = (i: number): Rational => rat(halves.get(i)!, 2);
  const { elected, ties } = fillSeats(
    election,
    tiersByValue(standing, score),
    election.seats,
    seed,
    'copeland',
    'Highest Copeland score',
  );
  const electedNames = elected.map((i) => nameOf(election, i));
  return result(
    'copeland',
    election,
    seed,
    standing,
    pw,
    elected,
    ties,
    ['Copeland: 1 point per candidate beaten head to head, 1/2 per pairwise tie.'],
    {
      rounds: [
        {
          number: 1,
          votes: votesRecord(election, standing, score),
          elected: electedNames,
          excluded: [],
          note: 'Copeland scores (pairwise wins + half of pairwise ties); highest elected.',
        },
      ],
    },
  );
}

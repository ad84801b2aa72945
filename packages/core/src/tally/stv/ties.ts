/**
 * Breaking ties in an STV count: first by the rule set's look at earlier points of the count
 * (Scottish: the most recent earlier stage where the candidates differed; ERS97: the first
 * stage, or the earliest point after a batch, where they differed), then by lot.
 */
import type { Tie } from '../types';
import { drawOrder } from '../lot';

export type Want = 'fewest' | 'most';

export interface TieContext {
  readonly names: ReadonlyArray<string>;
  readonly seed: string;
  readonly rules: string;
  /** A tie order fixed before the count (Election.tieOrder): position of each candidate. */
  readonly tiePosition: Int32Array | null;
  readonly ties: Tie[];
}

export function tieContext(
  names: ReadonlyArray<string>,
  seed: string,
  rules: string,
  tieOrder?: ReadonlyArray<number>,
): TieContext {
  let tiePosition: Int32Array | null = null;
  if (tieOrder) {
    tiePosition = new Int32Array(names.length).fill(-1);
    tieOrder.forEach((c, i) => {
      if (!Number.isInteger(c) || c < 0 || c >= names.length || tiePosition![c] !== -1) {
        throw new RangeError('the tie order must list every candidate exactly once');
      }
      tiePosition![c] = i;
    });
    if (tieOrder.length !== names.length) throw new RangeError('the tie order must list every candidate exactly once');
  }
  return { names, seed, rules, tiePosition, ties: [] };
}

/** One point of the count to look at: the votes of every candidate, and how to name it. */
export interface Point {
  readonly votes: ReadonlyArray<bigint>;
  readonly label: string;
}

export interface TieRequest {
  readonly tied: ReadonlyArray<number>;
  readonly want: Want;
  /** Earlier points, in the order the rules look at them (already ordered by the caller). */
  readonly points: ReadonlyArray<Point>;
  readonly round: number;
  /** What the tie decides, e.g. "exclusion" or "order of surplus transfers". */
  readonly purpose: string;
  readonly show: (v: bigint) => string;
  /** When the points leave a tie: draw a lot (true) or leave it undecided (false, ERS97 5.6.2). */
  readonly lot: boolean;
}

const list = (names: string[]): string =>
  names.length <= 2 ? names.join(' and ') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;

/**
 * Pick one of `tied`: the candidate with the fewest (or most) votes at the first point, in
 * the order given, where they differ, narrowing to those still level at each point; if some
 * stay level at every point, by lot among those. Records the tie and returns the chosen
 * candidate, or null (unrecorded) if `lot` is false and the points do not separate them.
 */
export function breakTie(ctx: TieContext, req: TieRequest): number | null {
  const { names } = ctx;
  let level = [...req.tied].sort((a, b) => a - b);
  const between = level.map((c) => names[c]!);
  const steps: string[] = [];
  for (const point of req.points) {
    if (level.length === 1) break;
    let best = point.votes[level[0]!]!;
    for (const c of level) {
      const v = point.votes[c]!;
      if (req.want === 'fewest' ? v < best : v > best) best = v;
    }
    const next = level.filter((c) => point.votes[c] === best);
    if (next.length < level.length) {
      const figures = level.map((c) => `${names[c]} ${req.show(point.votes[c]!)}`).join(', ');
      steps.push(`at ${point.label} (${figures}) ${list(next.map((c) => names[c]!))} had the ${req.want}`);
      level = next;
    }
  }
  if (level.length === 1) {
    const chosen = level[0]!;
    ctx.ties.push({
      round: req.round,
      between,
      brokenBy: 'rules',
      chosen: names[chosen]!,
      note: `${list(between)} were level for ${req.purpose}; ${steps.join('; then ')}.`,
    });
    return chosen;
  }
  const before = steps.length ? `${steps.join('; then ')}; ` : '';
  // Left level by every point and no lot (ERS97 5.6.2): nothing is decided, so no tie is
  // recorded; the caller says so in the round's note.
  if (!req.lot) return null;
  return drawLot(ctx, level, between, req.round, req.purpose, before);
}

/** Draw a lot among `level` (the tie order if one was given, else the seed). */
export function drawLot(
  ctx: TieContext,
  level: ReadonlyArray<number>,
  between: ReadonlyArray<string>,
  round: number,
  purpose: string,
  before = '',
): number {
  const { names } = ctx;
  const sorted = [...level].sort((a, b) => a - b);
  let chosen: number;
  let how: string;
  if (ctx.tiePosition) {
    const pos = ctx.tiePosition;
    chosen = sorted.reduce((a, b) => (pos[b]! < pos[a]! ? b : a));
    how = 'by lot, taken from the tie order given with the election';
  } else {
    // The draw depends on the seed, the rules, the round and the tied candidates (by
    // number, from 1, so that renaming candidates changes no lot), never on earlier draws.
    const context = `stv ${ctx.rules}; round ${round}; ${purpose}; candidates ${sorted.map((c) => c + 1).join(',')}`;
    chosen = drawOrder(sorted, ctx.seed, context)[0]!;
    how = `by lot, drawn from the seed for "${context}"`;
  }
  const still = level.length < between.length ? `${list(sorted.map((c) => names[c]!))} were still level, ` : '';
  ctx.ties.push({
    round,
    between: [...between],
    brokenBy: 'lot',
    chosen: names[chosen]!,
    note: `${list([...between])} were level for ${purpose}; ${before}${still}${names[chosen]} chosen ${how}.`,
  });
  return chosen;
}

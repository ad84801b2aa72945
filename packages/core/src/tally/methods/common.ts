/** Pieces every non-STV method shares: who stands, exact figures as strings, filling seats by lot-broken order. */
import type { Election, Tie } from '../types';
import { type Rational, cmp, ratToString } from '../rational';
import { drawOrder } from '../lot';

/** Indices of the candidates still standing (not withdrawn), in ballot-paper order. */
export function standingOf(election: Election<unknown>): number[] {
  const out = new Set(election.withdrawn);
  const standing: number[] = [];
  for (let i = 0; i < election.candidates.length; i++) if (!out.has(i)) standing.push(i);
  return standing;
}

export function nameOf(election: Election<unknown>, i: number): string {
  const n = election.candidates[i];
  if (n === undefined) throw new RangeError(`no candidate ${i}`);
  return n;
}

/** The figures of `who` as an object keyed by name, in ballot-paper order (stable JSON). */
export function votesRecord(
  election: Election<unknown>,
  who: ReadonlyArray<number>,
  value: (i: number) => Rational,
): Record<string, string> {
  const rec: Record<string, string> = {};
  for (const i of who) rec[nameOf(election, i)] = ratToString(value(i));
  return rec;
}

export function withdrawnNote(election: Election<unknown>): string[] {
  if (election.withdrawn.length === 0) return [];
  const names = [...election.withdrawn].sort((a, b) => a - b).map((i) => nameOf(election, i));
  return [`Withdrawn (not counted; preferences for them pass to the next): ${names.join(', ')}.`];
}

/** Group candidates into tiers of equal value, best (highest) first; ballot-paper order inside a tier. */
export function tiersByValue(who: ReadonlyArray<number>, value: (i: number) => Rational): number[][] {
  const sorted = [...who].sort((a, b) => cmp(value(b), value(a)) || a - b);
  const tiers: number[][] = [];
  for (const i of sorted) {
    const last = tiers[tiers.length - 1];
    if (last !== undefined && cmp(value(last[0]!), value(i)) === 0) last.push(i);
    else tiers.push([i]);
  }
  return tiers;
}

/**
 * Order `items` by lot: the first is the one the lot picks. When the election carries a
 * tie order fixed before the count (Election.tieOrder, e.g. from a BLT [tie] line), that
 * order is the lot; otherwise the order is drawn from (seed, context).
 */
export function lotOrder(
  election: Election<unknown>,
  items: ReadonlyArray<number>,
  seed: string,
  context: string,
): { order: number[]; how: string } {
  const fixed = election.tieOrder;
  if (fixed !== undefined) {
    const pos = new Map(fixed.map((c, k) => [c, k]));
    const at = (c: number): number => {
      const k = pos.get(c);
      if (k === undefined) throw new RangeError(`the tie order does not list candidate ${nameOf(election, c)}`);
      return k;
    };
    return { order: [...items].sort((a, b) => at(a) - at(b)), how: 'the lot (the tie order given with the election)' };
  }
  return { order: drawOrder([...items], seed, context), how: 'the lot' };
}

export interface Filled {
  readonly elected: number[];
  readonly ties: Tie[];
}

/**
 * Fill `seats` places from tiers (best first). A tier that fits is elected whole, listed
 * in ballot-paper order (that order decides nothing). A tier that straddles the last seat
 * is a tie: a lot drawn from (seed, context) orders it and the first ones take the seats.
 * The lot's order depends only on the seed, the context and the tier's positions (or on
 * the election's tie order), never on names or on the order of ballots.
 */
export function fillSeats(
  election: Election<unknown>,
  tiers: ReadonlyArray<ReadonlyArray<number>>,
  seats: number,
  seed: string,
  context: string,
  what: string,
): Filled {
  const elected: number[] = [];
  const ties: Tie[] = [];
  for (const tier of tiers) {
    const room = seats - elected.length;
    if (room <= 0) break;
    if (tier.length <= room) {
      elected.push(...tier);
      continue;
    }
    const { order, how } = lotOrder(election, tier, seed, `${context}:seat ${elected.length + 1}`);
    for (let k = 0; k < room; k++) {
      const chosen = order[k]!;
      const between = tier.filter((i) => !order.slice(0, k).includes(i));
      ties.push({
        round: null,
        between: between.map((i) => nameOf(election, i)),
        brokenBy: 'lot',
        chosen: nameOf(election, chosen),
        note: `${what}: ${between.length} candidates tied for seat ${elected.length + 1}; ${how} chose ${nameOf(election, chosen)}.`,
      });
      elected.push(chosen);
    }
  }
  return { elected, ties };
}

export function checkSeats(method: string, seats: number, standing: number): void {
  if (!Number.isInteger(seats) || seats < 1)
    throw new RangeError(`${method}: seats must be a positive whole number, not ${seats}`);
  if (seats > standing) throw new RangeError(`${method}: ${seats} seats but only ${standing} candidates standing`);
}

/**
 * Whole-number arithmetic for the hot loops of a count: doubles while every figure is a
 * safe integer (exact, and no garbage per addition), bigints otherwise. Same results
 * either way; `fitsDoubles` says which one a count may use.
 */
export interface Arith<T> {
  readonly zero: T;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, k: number): T;
  /** Exact quotient (the caller guarantees k divides a). */
  divide(a: T, k: number): T;
  less(a: T, b: T): boolean;
  of(a: bigint): T;
  big(a: T): bigint;
}
export const DOUBLES: Arith<number> = {
  zero: 0,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, k) => a * k,
  divide: (a, k) => a / k,
  less: (a, b) => a < b,
  of: (a) => Number(a),
  big: (a) => BigInt(a),
};
export const BIGINTS: Arith<bigint> = {
  zero: 0n,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, k) => a * BigInt(k),
  divide: (a, k) => a / BigInt(k),
  less: (a, b) => a < b,
  of: (a) => a,
  big: (a) => a,
};
/** True when every figure up to `bound` is exact as a double. */
export const fitsDoubles = (bound: bigint): boolean => bound <= BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Apportionment: sharing a whole number of delegates among branches in proportion to a
 * population (membership, electorate or turnout: whatever the caller passes), exactly.
 *
 * Largest-remainder methods
 * - hamilton: Hare quota P/N; each branch gets the whole part of its quota, the seats left
 *   go to the largest remainders. With a minimum or maximum, the quotas themselves are
 *   bounded first: q_i = clamp(λ·p_i, min_i, max_i) with λ chosen so that Σ q_i = N (one
 *   exact λ always exists when Σmin ≤ N ≤ Σmax), then rounded as above. The result stays
 *   within quota of the bounded quotas and within the bounds.
 * - droop: Droop quota floor(P/(N+1)) + 1; whole parts, then largest remainders. With
 *   bounds, branches below their minimum (then above their maximum) are fixed at that
 *   bound and the rest are shared again among the others, until nothing is out of bounds;
 *   if that paints itself into a corner, the same with those above their maximum fixed
 *   first; if that fails too (it can, in small or lopsided cases), the bounded Hare quotas
 *   of hamilton are used and a note says so.
 *   If the population is so small that more seats are left than there are branches, each
 *   branch with a population takes one more seat per full round before the remainders.
 *
 * Divisor (highest averages) methods: seats go one at a time to the highest p / D(s),
 * where s is what the branch already holds: D'Hondt D(s) = s+1, Sainte-Laguë 2s+1,
 * modified Sainte-Laguë 1.4 then 2s+1, Adams s, Huntington–Hill sqrt(s(s+1)) (compared
 * as squares of rationals, so no floating point). With bounds every branch starts at its
 * minimum and stops at its maximum, which is the divisor method with bounds. Adams and
 * Huntington–Hill give every branch with a population at least one seat.
 *
 * Ties (equal remainders, equal averages) that straddle the last seat are broken by a lot
 * drawn from the seed (or by a fixed order if given) and recorded. The lot's order
 * depends on the seed, the context and the tied branches, never on the house size, so a
 * divisor method stays house-monotone even through ties.
 */
import { type Rational, ZERO, add, cmp, div, floor, mul, rat, ratToString, sub, sum } from '../tally/rational';
import { drawOrder } from '../tally/lot';
import { type Count, DelegateError, checkWhole, toRational } from './numbers';

export const APPORTIONMENT_METHODS = [
  'hamilton',
  'droop',
  'dhondt',
  'sainte-lague',
  'modified-sainte-lague',
  'huntington-hill',
  'adams',
] as const;
export type ApportionmentMethod = (typeof APPORTIONMENT_METHODS)[number];

export const METHOD_NAMES: Readonly<Record<ApportionmentMethod, string>> = {
  hamilton: 'Hamilton (largest remainder, Hare quota)',
  droop: 'largest remainder, Droop quota',
  dhondt: "D'Hondt (Jefferson)",
  'sainte-lague': 'Sainte-Laguë (Webster)',
  'modified-sainte-lague': 'modified Sainte-Laguë (first divisor 1.4)',
  'huntington-hill': 'Huntington–Hill (equal proportions)',
  adams: 'Adams (smallest divisors)',
};

export function isApportionmentMethod(x: string): x is ApportionmentMethod {
  return (APPORTIONMENT_METHODS as ReadonlyArray<string>).includes(x);
}

export const DEFAULT_SEED = 'omov';

export interface Claimant {
  readonly name: string;
  readonly population: Count;
  /** Bounds for this branch alone; the tighter of these and the options' bounds applies. */
  readonly min?: number;
  readonly max?: number;
}

export interface ApportionOptions {
  readonly method: ApportionmentMethod;
  /** Delegates to share (the house size). */
  readonly seats: number;
  /** At least this many delegates per branch. */
  readonly min?: number;
  /** At most this many delegates per branch. */
  readonly max?: number;
  /** Seed for lots; default "omov". */
  readonly seed?: string;
  /** Label mixed into every lot, so that separate apportionments draw independently. */
  readonly context?: string;
  /** Break ties by this order of claimant indices (earlier wins) instead of a lot. */
  readonly tieOrder?: ReadonlyArray<number>;
}

export interface ApportionmentTie {
  /** The tied branches. */
  readonly between: ReadonlyArray<string>;
  /** How many seats they were tied for (fewer than there are of them). */
  readonly seats: number;
  readonly chosen: ReadonlyArray<string>;
  readonly brokenBy: 'lot' | 'order';
  readonly note: string;
}

export interface Apportionment {
  readonly method: ApportionmentMethod | 'bands';
  /** Total delegates given out. */
  readonly house: number;
  readonly names: ReadonlyArray<string>;
  /** Delegates per branch, in input order. */
  readonly seats: ReadonlyArray<number>;
  readonly ties: ReadonlyArray<ApportionmentTie>;
  readonly seed: string;
  readonly notes: ReadonlyArray<string>;
}

/** Seats by name, in input order (handy for JSON). */
export function seatsByName(a: Apportionment): Record<string, number> {
  const out: Record<string, number> = {};
  a.names.forEach((n, i) => {
    out[n] = a.seats[i]!;
  });
  return out;
}

type Bounds = { readonly lo: number[]; readonly hi: number[] };

function boundsOf(claimants: ReadonlyArray<Claimant>, min: number | undefined, max: number | undefined): Bounds {
  const lo: number[] = [];
  const hi: number[] = [];
  if (min !== undefined) checkWhole(min, 'the minimum per branch');
  if (max !== undefined) checkWhole(max, 'the maximum per branch');
  for (const c of claimants) {
    if (c.min !== undefined) checkWhole(c.min, `the minimum for ${c.name}`);
    if (c.max !== undefined) checkWhole(c.max, `the maximum for ${c.name}`);
    const l = Math.max(min ?? 0, c.min ?? 0);
    const h = Math.min(max ?? Infinity, c.max ?? Infinity);
    if (l > h)
      throw new DelegateError(`infeasible: ${c.name} would need at least ${l} delegates but may have at most ${h}`);
    lo.push(l);
    hi.push(h);
  }
  return { lo, hi };
}

function checkFeasible(b: Bounds, seats: number): void {
  const needed = b.lo.reduce((a, x) => a + x, 0);
  if (needed > seats) {
    throw new DelegateError(`infeasible: the minimums add up to ${needed} delegates, more than the ${seats} to share`);
  }
  const allowed = b.hi.reduce((a, x) => a + x, 0);
  if (allowed < seats) {
    throw new DelegateError(
      `infeasible: the maximums allow only ${allowed} delegates, fewer than the ${seats} to share`,
    );
  }
}

function checkNames(claimants: ReadonlyArray<Claimant>): void {
  const seen = new Set<string>();
  for (const c of claimants) {
    if (seen.has(c.name)) throw new DelegateError(`branch ${JSON.stringify(c.name)} appears twice`);
    seen.add(c.name);
  }
}

/** Chooses `k` of a tied group (indices in ascending order) and records the tie. */
type Resolve = (group: number[], k: number, what: string) => number[];

function resolver(
  names: ReadonlyArray<string>,
  options: ApportionOptions,
  seed: string,
  ties: ApportionmentTie[],
): Resolve {
  const order = options.tieOrder;
  const rank = new Map<number, number>();
  order?.forEach((i, pos) => {
    if (!rank.has(i)) rank.set(i, pos);
  });
  return (group, k, what) => {
    const tied = [...group].sort((a, b) => a - b);
    const label = tied.map((i) => names[i]!);
    let chosen: number[];
    if (order) {
      chosen = [...tied].sort((a, b) => (rank.get(a) ?? Infinity) - (rank.get(b) ?? Infinity) || a - b).slice(0, k);
    } else {
      const context = `${options.context ?? ''}apportion ${options.method}: ${label.join('\u0001')}`;
      chosen = drawOrder(tied, seed, context).slice(0, k);
    }
    const chosenNames = chosen.map((i) => names[i]!);
    ties.push({
      between: label,
      seats: k,
      chosen: chosenNames,
      brokenBy: order ? 'order' : 'lot',
      note: `${what}: ${label.join(', ')} tied for ${k} seat${k === 1 ? '' : 's'}; ${order ? 'the fixed order' : 'the lot'} gave ${k === 1 ? 'it' : 'them'} to ${chosenNames.join(', ')}.`,
    });
    return chosen;
  };
}

/** Share `options.seats` delegates among the claimants by `options.method`. */
export function apportion(claimants: ReadonlyArray<Claimant>, options: ApportionOptions): Apportionment {
  if (!isApportionmentMethod(options.method))
    throw new DelegateError(`unknown apportionment method ${JSON.stringify(options.method)}`);
  const seats = checkWhole(options.seats, 'the number of delegates');
  checkNames(claimants);
  const names = claimants.map((c) => c.name);
  const pops = claimants.map((c) => toRational(c.population, `the population of ${c.name}`));
  const bounds = boundsOf(claimants, options.min, options.max);
  checkFeasible(bounds, seats);
  if (claimants.length > 0 && pops.every((p) => p.num === 0n) && seats > 0) {
    throw new DelegateError('every branch has a population of 0: there is nothing to share delegates by');
  }
  const seed = options.seed ?? DEFAULT_SEED;
  const ties: ApportionmentTie[] = [];
  const notes: string[] = [];
  const resolve = resolver(names, options, seed, ties);
  let result: number[];
  switch (options.method) {
    case 'hamilton':
      result = hamilton(pops, bounds, seats, resolve);
      break;
    case 'droop':
      result = droop(pops, bounds, seats, resolve, ties, notes);
      break;
    default:
      result = divisor(options.method, pops, bounds, seats, resolve);
  }
  return { method: options.method, house: seats, names, seats: result, ties, seed, notes };
}

// ---------------------------------------------------------------- largest remainders

const clamp = (x: Rational, lo: number, hi: number): Rational =>
  cmp(x, rat(lo)) < 0 ? rat(lo) : hi !== Infinity && cmp(x, rat(hi)) > 0 ? rat(hi) : x;

/** Whole parts, then one more seat each to the `left` largest remainders among the eligible. */
function roundByRemainders(
  quotas: ReadonlyArray<Rational>,
  eligible: ReadonlyArray<boolean>,
  left: number,
  resolve: Resolve,
  what: string,
): number[] {
  const seats = quotas.map((q) => Number(floor(q)));
  const rem = quotas.map((q, i) => sub(q, rat(seats[i]!)));
  const candidates = quotas.map((_, i) => i).filter((i) => eligible[i]);
  candidates.sort((a, b) => cmp(rem[b]!, rem[a]!) || a - b);
  let given = 0;
  let at = 0;
  while (given < left && at < candidates.length) {
    let end = at;
    while (end < candidates.length && cmp(rem[candidates[end]!]!, rem[candidates[at]!]!) === 0) end++;
    const group = candidates.slice(at, end);
    const room = left - given;
    const winners = group.length <= room ? group : resolve(group, room, what);
    for (const i of winners) seats[i]!++;
    given += winners.length;
    at = end;
  }
  if (given < left) throw new Error(`internal: ${left - given} remainder seats left over`);
  return seats;
}

function hamilton(pops: ReadonlyArray<Rational>, b: Bounds, house: number, resolve: Resolve): number[] {
  const n = pops.length;
  const positive = pops.map((_, i) => i).filter((i) => pops[i]!.num > 0n);
  const zeroLo = pops.reduce((a, p, i) => a + (p.num === 0n ? b.lo[i]! : 0), 0);
  const posHi = positive.reduce((a, i) => a + b.hi[i]!, 0);
  if (posHi + zeroLo < house) {
    // Only branches without a population can take the rest: share it among them equally.
    const seats = pops.map((p, i) => (p.num > 0n ? b.hi[i]! : 0));
    const zeros = pops.map((_, i) => i).filter((i) => pops[i]!.num === 0n);
    const rest = hamilton(
      zeros.map(() => rat(1)),
      { lo: zeros.map((i) => b.lo[i]!), hi: zeros.map((i) => b.hi[i]!) },
      house - posHi,
      (group, k, what) =>
        resolve(
          group.map((g) => zeros[g]!),
          k,
          what,
        ).map((i) => zeros.indexOf(i)),
    );
    zeros.forEach((z, j) => {
      seats[z] = rest[j]!;
    });
    return seats;
  }
  // f(λ) = Σ clamp(λ·p_i, lo_i, hi_i) is continuous and non-decreasing: find λ with f(λ) = house.
  const f = (lambda: Rational): Rational =>
    sum(pops.map((p, i) => (p.num === 0n ? rat(b.lo[i]!) : clamp(mul(lambda, p), b.lo[i]!, b.hi[i]!))));
  const breaks: Rational[] = [ZERO];
  for (const i of positive) {
    breaks.push(div(rat(b.lo[i]!), pops[i]!));
    if (b.hi[i] !== Infinity) breaks.push(div(rat(b.hi[i]!), pops[i]!));
  }
  breaks.sort(cmp);
  const target = rat(house);
  // Largest breakpoint x with f(x) ≤ house (f(0) = Σ lo ≤ house).
  let lo = 0;
  let hi = breaks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cmp(f(breaks[mid]!), target) <= 0) lo = mid;
    else hi = mid - 1;
  }
  const x = breaks[lo]!;
  let lambda: Rational;
  if (cmp(f(x), target) === 0) lambda = x;
  else {
    // On the open segment just above x, branches with lo/p ≤ x < hi/p move with λ.
    let fixedSum = ZERO;
    let freePop = ZERO;
    for (let i = 0; i < n; i++) {
      const p = pops[i]!;
      if (p.num === 0n) {
        fixedSum = add(fixedSum, rat(b.lo[i]!));
        continue;
      }
      const low = div(rat(b.lo[i]!), p);
      const high = b.hi[i] === Infinity ? null : div(rat(b.hi[i]!), p);
      if (cmp(low, x) > 0) fixedSum = add(fixedSum, rat(b.lo[i]!));
      else if (high !== null && cmp(high, x) <= 0) fixedSum = add(fixedSum, rat(b.hi[i]!));
      else freePop = add(freePop, p);
    }
    lambda = div(sub(target, fixedSum), freePop);
  }
  const quotas = pops.map((p, i) => (p.num === 0n ? rat(b.lo[i]!) : clamp(mul(lambda, p), b.lo[i]!, b.hi[i]!)));
  const whole = quotas.reduce((a, q) => a + Number(floor(q)), 0);
  // Only quotas strictly between the bounds have a remainder to speak of.
  return roundByRemainders(
    quotas,
    quotas.map((q) => q.den !== 1n),
    house - whole,
    resolve,
    'Equal remainders',
  );
}

function droop(
  pops: ReadonlyArray<Rational>,
  b: Bounds,
  house: number,
  resolve: Resolve,
  ties: ApportionmentTie[],
  notes: string[],
): number[] {
  const fixed: Array<number | null> = pops.map(() => null);
  // Branches without a population take their minimum, unless the others cannot hold the rest.
  const zeroLo = pops.reduce((a, p, i) => a + (p.num === 0n ? b.lo[i]! : 0), 0);
  const posHi = pops.reduce((a, p, i) => a + (p.num > 0n ? b.hi[i]! : 0), 0);
  if (posHi + zeroLo < house) {
    const seats = pops.map((p, i) => (p.num > 0n ? b.hi[i]! : 0));
    const zeros = pops.map((_, i) => i).filter((i) => pops[i]!.num === 0n);
    const rest = droop(
      zeros.map(() => rat(1)),
      { lo: zeros.map((i) => b.lo[i]!), hi: zeros.map((i) => b.hi[i]!) },
      house - posHi,
      (group, k, what) =>
        resolve(
          group.map((g) => zeros[g]!),
          k,
          what,
        ).map((i) => zeros.indexOf(i)),
      ties,
      notes,
    );
    zeros.forEach((z, j) => {
      seats[z] = rest[j]!;
    });
    return seats;
  }
  pops.forEach((p, i) => {
    if (p.num === 0n && pops.some((q) => q.num > 0n)) fixed[i] = b.lo[i]!;
  });
  const tiesBefore = ties.length;
  for (const first of ['under', 'over'] as const) {
    const seats = droopFixing(pops, b, house, resolve, ties, notes, [...fixed], first);
    if (seats !== null) return seats;
    ties.splice(tiesBefore);
  }
  notes.push(
    'Largest remainders with the Droop quota could not meet these bounds by fixing branches at them one pass at a time; the bounded Hare quotas (as hamilton) were used instead.',
  );
  return hamilton(pops, b, house, resolve);
}

/**
 * Droop largest remainders; then branches out of bounds are fixed at the bound they broke
 * (those below their minimum first, or those above their maximum first) and the rest
 * shared again. Null if that leaves seats no branch can take.
 */
function droopFixing(
  pops: ReadonlyArray<Rational>,
  b: Bounds,
  house: number,
  resolve: Resolve,
  ties: ApportionmentTie[],
  notes: string[],
  fixed: Array<number | null>,
  first: 'under' | 'over',
): number[] | null {
  const n = pops.length;
  for (let pass = 0; pass <= n; pass++) {
    const active = pops.map((_, i) => i).filter((i) => fixed[i] === null);
    const left = house - fixed.reduce<number>((a, s) => a + (s ?? 0), 0);
    if (active.length === 0) return left === 0 ? fixed.map((s) => s!) : null;
    if (left < 0) return null;
    let act = active.map((i) => pops[i]!);
    if (act.every((p) => p.num === 0n)) act = act.map(() => rat(1)); // nothing to go by: equal shares
    const total = sum(act);
    const quota = rat(floor(div(total, rat(left + 1))) + 1n);
    const quotas = act.map((p) => div(p, quota));
    const base = quotas.map((q) => Number(floor(q)));
    let rest = left - base.reduce((a, x) => a + x, 0);
    const withPop = act.map((_, j) => j).filter((j) => act[j]!.num > 0n);
    const rounds = Math.floor(rest / withPop.length);
    if (rounds > 0) {
      for (const j of withPop) base[j]! += rounds;
      rest -= rounds * withPop.length;
    }
    const tiesBefore = ties.length;
    const seats = roundByRemainders(
      quotas.map((q, j) => add(q, rat(base[j]! - Number(floor(q))))),
      act.map((p) => p.num > 0n),
      rest,
      (g, k, what) =>
        resolve(
          g.map((j) => active[j]!),
          k,
          what,
        ).map((i) => active.indexOf(i)),
      'Equal remainders',
    );
    const under = active.filter((i, j) => seats[j]! < b.lo[i]!);
    const over = active.filter((i, j) => seats[j]! > b.hi[i]!);
    if (under.length === 0 && over.length === 0) {
      active.forEach((i, j) => {
        fixed[i] = seats[j]!;
      });
      if (rounds > 0)
        notes.push(
          `The Droop quota (${ratToString(quota)}) left more seats than branches; each branch with a population took ${rounds} more before the remainders.`,
        );
      return fixed.map((s) => s!);
    }
    // Ties drawn in a pass that is redone do not count.
    ties.splice(tiesBefore);
    const fixUnder = under.length > 0 && (first === 'under' || over.length === 0);
    if (fixUnder) for (const i of under) fixed[i] = b.lo[i]!;
    else for (const i of over) fixed[i] = b.hi[i]!;
  }
  return null;
}

// ---------------------------------------------------------------- divisor methods

/** p / D(s) as an unreduced fraction; d = 0 stands for +∞ (a first seat under Adams or Huntington–Hill). */
type Key = { readonly n: bigint; readonly d: bigint };

function keyOf(method: ApportionmentMethod, p: Rational, s: number): Key {
  const S = BigInt(s);
  switch (method) {
    case 'dhondt':
      return { n: p.num, d: p.den * (S + 1n) };
    case 'sainte-lague':
      return { n: p.num, d: p.den * (2n * S + 1n) };
    case 'modified-sainte-lague':
      return s === 0 ? { n: p.num * 5n, d: p.den * 7n } : { n: p.num, d: p.den * (2n * S + 1n) };
    case 'adams':
      if (p.num === 0n) return { n: 0n, d: 1n };
      return s === 0 ? { n: 1n, d: 0n } : { n: p.num, d: p.den * S };
    case 'huntington-hill':
      // Compare p² / (s(s+1)): the squares order the same as the geometric-mean averages.
      if (p.num === 0n) return { n: 0n, d: 1n };
      return s === 0 ? { n: 1n, d: 0n } : { n: p.num * p.num, d: p.den * p.den * S * (S + 1n) };
    default:
      throw new Error(`not a divisor method: ${method}`);
  }
}

function cmpKey(a: Key, b: Key): number {
  if (a.d === 0n || b.d === 0n) return a.d === 0n && b.d === 0n ? 0 : a.d === 0n ? 1 : -1;
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l > r ? 1 : l < r ? -1 : 0;
}

type Entry = { readonly i: number; readonly key: Key };

/** A binary max-heap on the key; equal keys come out by branch index. */
class Heap {
  private readonly items: Entry[] = [];
  private before(a: Entry, b: Entry): boolean {
    const c = cmpKey(a.key, b.key);
    return c > 0 || (c === 0 && a.i < b.i);
  }
  get size(): number {
    return this.items.length;
  }
  peek(): Entry | undefined {
    return this.items[0];
  }
  push(e: Entry): void {
    const a = this.items;
    a.push(e);
    let k = a.length - 1;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!this.before(a[k]!, a[parent]!)) break;
      [a[k], a[parent]] = [a[parent]!, a[k]!];
      k = parent;
    }
  }
  pop(): Entry | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let k = 0;
      for (;;) {
        const l = 2 * k + 1;
        const r = l + 1;
        let best = k;
        if (l < a.length && this.before(a[l]!, a[best]!)) best = l;
        if (r < a.length && this.before(a[r]!, a[best]!)) best = r;
        if (best === k) break;
        [a[k], a[best]] = [a[best]!, a[k]!];
        k = best;
      }
    }
    return top;
  }
}

function divisor(
  method: ApportionmentMethod,
  pops: ReadonlyArray<Rational>,
  b: Bounds,
  house: number,
  resolve: Resolve,
): number[] {
  const seats = b.lo.slice();
  if (method === 'adams' || method === 'huntington-hill') {
    // D(0) = 0: any branch with a population and room takes a first seat before anyone a second.
    for (let i = 0; i < pops.length; i++) if (pops[i]!.num > 0n && b.hi[i]! > 0 && seats[i] === 0) seats[i] = 1;
    const needed = seats.reduce((a, x) => a + x, 0);
    if (needed > house) {
      const count = pops.filter((p) => p.num > 0n).length;
      throw new DelegateError(
        `infeasible: ${METHOD_NAMES[method]} gives every branch with members at least one delegate; the ${count} branches with members${needed > count ? ', with the minimums,' : ''} need ${needed}, more than the ${house} to share`,
      );
    }
  }
  let left = house - seats.reduce((a, x) => a + x, 0);
  const heap = new Heap();
  for (let i = 0; i < pops.length; i++)
    if (seats[i]! < b.hi[i]!) heap.push({ i, key: keyOf(method, pops[i]!, seats[i]!) });
  const award = (i: number): void => {
    seats[i]!++;
    left--;
    if (seats[i]! < b.hi[i]!) heap.push({ i, key: keyOf(method, pops[i]!, seats[i]!) });
  };
  while (left > 0) {
    const top = heap.pop();
    if (top === undefined) throw new Error('internal: no branch can take a seat');
    const group = [top.i];
    while (heap.size > 0 && cmpKey(heap.peek()!.key, top.key) === 0) group.push(heap.pop()!.i);
    if (group.length <= left) for (const i of group) award(i);
    else {
      for (const i of resolve(group, left, 'Equal averages')) award(i);
      // The losers of the tie take no further seat: the house is full.
    }
  }
  return seats;
}

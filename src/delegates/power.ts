/**
 * Voting power in a weighted voting game [q; w1..wn]: a coalition wins when its weight
 * is at least q.
 *
 * Exact, for whole-number weights, by counting coalitions by weight (and by size, for
 * Shapley–Shubik) with bigint counts: the generating function Π(1 + y·x^w_i), truncated
 * at weight q−1 because only losing coalitions matter. Player i swings a coalition S of
 * the others when w(S) < q ≤ w(S) + w_i, so the counts of the others' coalitions come
 * from dividing player i's factor back out (one pass per distinct weight, since players
 * of equal weight have equal power):
 *   Banzhaf: swings_i = #{S ⊆ N∖i : q − w_i ≤ w(S) ≤ q − 1}, absolute = swings_i / 2^(n−1),
 *            normalised = swings_i / Σ_j swings_j;
 *   Shapley–Shubik: φ_i = Σ_k k!(n−1−k)!/n! · #{S ⊆ N∖i : |S| = k, q − w_i ≤ w(S) ≤ q − 1}.
 * Players of weight 0 are dummies and are left out of the counting (a dummy changes no
 * one else's Shapley–Shubik value; it doubles every swing count).
 *
 * Beyond a size limit (table cells, see `exactLimit`), Monte Carlo from a seeded lot:
 * random orders for Shapley–Shubik, random coalitions for Banzhaf, each value with its
 * standard error sqrt(p(1−p)/samples).
 */
import { type Rational, ZERO, rat } from '../tally/rational';
import { lot } from '../tally/lot';
import { DEFAULT_SEED } from './apportion';
import { DelegateError, checkWhole, decimal, factorials } from './numbers';

export interface PowerOptions {
  /** 'auto' (default): exact when within `exactLimit`, else Monte Carlo. */
  readonly mode?: 'auto' | 'exact' | 'monte-carlo';
  /** Largest exact computation, in table cells (default 100 million). */
  readonly exactLimit?: number;
  /** Monte Carlo samples (default 20 000). */
  readonly samples?: number;
  readonly seed?: string;
}

export interface PowerValue {
  /** Decimal (10 places, truncated). */
  readonly value: number;
  /** Exact value "n/d" when computed exactly, else null. */
  readonly exact: string | null;
  /** Standard error of a Monte Carlo estimate; null when exact. */
  readonly standardError: number | null;
}

export type PowerMethod = 'exact' | 'monte-carlo';

export interface PowerIndices {
  readonly quota: number;
  readonly weights: ReadonlyArray<number>;
  readonly totalWeight: number;
  readonly banzhaf: {
    readonly method: PowerMethod;
    readonly normalised: ReadonlyArray<PowerValue>;
    readonly absolute: ReadonlyArray<PowerValue>;
    /** Exact swing counts (coalitions of the others each player turns from losing to winning). */
    readonly swings: ReadonlyArray<string> | null;
    readonly samples: number | null;
  };
  readonly shapleyShubik: {
    readonly method: PowerMethod;
    readonly values: ReadonlyArray<PowerValue>;
    readonly samples: number | null;
  };
  readonly seed: string | null;
  readonly notes: ReadonlyArray<string>;
}

const DEFAULT_LIMIT = 100_000_000;
const DEFAULT_SAMPLES = 20_000;
const PLACES = 10;

function checkGame(weights: ReadonlyArray<number>, quota: number): number {
  weights.forEach((w, i) => checkWhole(w, `weight ${i + 1}`));
  const total = weights.reduce((a, w) => a + w, 0);
  if (!Number.isSafeInteger(total)) throw new DelegateError('the weights add up to too much');
  if (!Number.isSafeInteger(quota) || quota < 1) throw new DelegateError(`the quota must be a whole number ≥ 1, not ${quota}`);
  if (quota > total) throw new DelegateError(`the quota ${quota} is more than the total weight ${total}: no coalition can win`);
  return total;
}

/** Distinct positive weights, each with the positions of the players who hold it. */
function byWeight(weights: ReadonlyArray<number>): Map<number, number[]> {
  const m = new Map<number, number[]>();
  weights.forEach((w, i) => { if (w > 0) { const l = m.get(w); if (l) l.push(i); else m.set(w, [i]); } });
  return m;
}

/** Largest number of positive-weight players that fit in a losing coalition (weight ≤ q−1). */
function largestLosingSize(weights: ReadonlyArray<number>, quota: number): number {
  const sorted = weights.filter((w) => w > 0).sort((a, b) => a - b);
  let total = 0;
  let k = 0;
  for (const w of sorted) { if (total + w > quota - 1) break; total += w; k++; }
  return k;
}

/** Estimated table cells of the exact computations (what `exactLimit` bounds). */
export function exactCost(weights: ReadonlyArray<number>, quota: number): { banzhaf: number; shapleyShubik: number } {
  const n = weights.filter((w) => w > 0).length;
  const distinct = byWeight(weights).size;
  const kmax = largestLosingSize(weights, quota);
  return { banzhaf: (n + distinct) * quota, shapleyShubik: (n + 2 * distinct) * (kmax + 1) * quota };
}

/** Banzhaf swing counts, exactly: for each player, the coalitions of the others it turns from losing to winning. */
export function banzhafSwings(weights: ReadonlyArray<number>, quota: number): bigint[] {
  checkGame(weights, quota);
  const cap = quota; // weights 0..q−1
  const c: bigint[] = new Array<bigint>(cap).fill(0n);
  c[0] = 1n;
  for (const w of weights) {
    if (w === 0) continue;
    for (let x = cap - 1 - w; x >= 0; x--) { const v = c[x]!; if (v !== 0n) c[x + w]! += v; }
  }
  const swings: bigint[] = weights.map(() => 0n);
  for (const [v, players] of byWeight(weights)) {
    // Coalitions of the others: divide (1 + x^v) back out.
    const d: bigint[] = new Array<bigint>(cap);
    let s = 0n;
    for (let x = 0; x < cap; x++) {
      d[x] = x >= v ? c[x]! - d[x - v]! : c[x]!;
      if (x >= quota - v) s += d[x]!;
    }
    for (const i of players) swings[i] = s;
  }
  // Each weight-0 player doubles every count (in or out, nothing changes).
  const zeros = BigInt(weights.filter((w) => w === 0).length);
  return swings.map((s) => s << zeros);
}

/** Shapley–Shubik values, exactly. */
export function shapleyShubikExact(weights: ReadonlyArray<number>, quota: number): Rational[] {
  checkGame(weights, quota);
  const n = weights.filter((w) => w > 0).length;
  const cap = quota;
  const kmax = largestLosingSize(weights, quota);
  // c[k][x]: coalitions of k players with weight x < q.
  const c: bigint[][] = [];
  for (let k = 0; k <= kmax; k++) c.push(new Array<bigint>(cap).fill(0n));
  c[0]![0] = 1n;
  // Row k is zero outside [lo[k], hi[k]]: skipping that keeps near-equal weights cheap.
  const lo = new Array<number>(kmax + 1).fill(Infinity);
  const hi = new Array<number>(kmax + 1).fill(-1);
  lo[0] = 0;
  hi[0] = 0;
  let added = 0;
  for (const w of weights) {
    if (w === 0) continue;
    added++;
    for (let k = Math.min(added, kmax) - 1; k >= 0; k--) {
      if (hi[k]! < 0) continue;
      const src = c[k]!;
      const dst = c[k + 1]!;
      const top = Math.min(hi[k]!, cap - 1 - w);
      for (let x = top; x >= lo[k]!; x--) { const v = src[x]!; if (v !== 0n) dst[x + w]! += v; }
      if (top >= lo[k]!) {
        lo[k + 1] = Math.min(lo[k + 1]!, lo[k]! + w);
        hi[k + 1] = Math.max(hi[k + 1]!, top + w);
      }
    }
  }
  const fact = factorials(n);
  const values: Rational[] = weights.map(() => ZERO);
  for (const [v, players] of byWeight(weights)) {
    let numerator = 0n;
    let prev: bigint[] | null = null;
    for (let k = 0; k <= Math.min(kmax, n - 1); k++) {
      const src = c[k]!;
      const row: bigint[] = new Array<bigint>(cap).fill(0n);
      let s = 0n;
      // Coalitions of k others lie within row k's range of the full table.
      for (let x = Math.max(0, lo[k]!); x <= hi[k]!; x++) {
        const r = prev !== null && x >= v ? src[x]! - prev[x - v]! : src[x]!;
        row[x] = r;
        if (x >= quota - v) s += r;
      }
      if (s !== 0n) numerator += s * fact[k]! * fact[n - 1 - k]!;
      prev = row;
    }
    const value = rat(numerator, fact[n]!);
    for (const i of players) values[i] = value;
  }
  return values;
}

const exactValue = (r: Rational): PowerValue => ({
  value: decimal(r, PLACES),
  exact: r.den === 1n ? r.num.toString() : `${r.num}/${r.den}`,
  standardError: null,
});

const estimate = (hits: number, samples: number): PowerValue => {
  const p = hits / samples;
  return { value: round(p), exact: null, standardError: round(Math.sqrt((p * (1 - p)) / samples)) };
};

/** Round a float to the 10 places we print, so the JSON does not depend on float noise. */
const round = (x: number): number => Math.round(x * 1e10) / 1e10;

function monteCarloShapley(weights: ReadonlyArray<number>, quota: number, samples: number, seed: string): number[] {
  const players = weights.map((_, i) => i).filter((i) => weights[i]! > 0);
  const order = Int32Array.from(players);
  const hits = weights.map(() => 0);
  const g = lot(seed, 'shapley-shubik');
  for (let s = 0; s < samples; s++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(g.next() * (i + 1));
      const t = order[i]!; order[i] = order[j]!; order[j] = t;
    }
    let total = 0;
    for (const i of order) {
      total += weights[i]!;
      if (total >= quota) { hits[i]!++; break; }
    }
  }
  return hits;
}

function monteCarloBanzhaf(weights: ReadonlyArray<number>, quota: number, samples: number, seed: string): number[] {
  const n = weights.length;
  const hits = weights.map(() => 0);
  const inside = new Uint8Array(n);
  const g = lot(seed, 'banzhaf');
  for (let s = 0; s < samples; s++) {
    let total = 0;
    let bits = 0;
    for (let i = 0; i < n; i++) {
      if (i % 32 === 0) bits = Math.floor(g.next() * 4294967296);
      const b = (bits >>> (i % 32)) & 1;
      inside[i] = b;
      if (b) total += weights[i]!;
    }
    // S∖{i} (or S) is a uniform coalition of the others, so one draw tests every player.
    for (let i = 0; i < n; i++) {
      const w = weights[i]!;
      if (w === 0) continue;
      if (inside[i] ? total >= quota && total - w < quota : total < quota && total + w >= quota) hits[i]!++;
    }
  }
  return hits;
}

/** Banzhaf and Shapley–Shubik power of every player, in input order. */
export function votingPower(weights: ReadonlyArray<number>, quota: number, options: PowerOptions = {}): PowerIndices {
  const total = checkGame(weights, quota);
  const mode = options.mode ?? 'auto';
  const limit = options.exactLimit ?? DEFAULT_LIMIT;
  const samples = options.samples ?? DEFAULT_SAMPLES;
  if (!Number.isSafeInteger(samples) || samples < 1) throw new DelegateError(`samples must be a positive whole number, not ${samples}`);
  const seed = options.seed ?? DEFAULT_SEED;
  const cost = exactCost(weights, quota);
  const exactBanzhaf = mode === 'exact' || (mode === 'auto' && cost.banzhaf <= limit);
  const exactShapley = mode === 'exact' || (mode === 'auto' && cost.shapleyShubik <= limit);
  const notes: string[] = [];
  if (2 * quota <= total) notes.push(`The quota ${quota} is not more than half the total weight ${total}: two disjoint coalitions can both win.`);

  let banzhaf: PowerIndices['banzhaf'];
  if (exactBanzhaf) {
    const swings = banzhafSwings(weights, quota);
    const all = swings.reduce((a, s) => a + s, 0n);
    const half = 1n << BigInt(weights.length - 1);
    banzhaf = {
      method: 'exact',
      normalised: swings.map((s) => exactValue(rat(s, all))),
      absolute: swings.map((s) => exactValue(rat(s, half))),
      swings: swings.map((s) => s.toString()),
      samples: null,
    };
  } else {
    const hits = monteCarloBanzhaf(weights, quota, samples, seed);
    const abs = hits.map((h) => estimate(h, samples));
    const totalHits = hits.reduce((a, h) => a + h, 0);
    const scale = totalHits / samples;
    banzhaf = {
      method: 'monte-carlo',
      absolute: abs,
      normalised: hits.map((h, i) => ({
        value: totalHits === 0 ? 0 : round(h / totalHits),
        exact: null,
        standardError: scale === 0 ? null : round(abs[i]!.standardError! / scale),
      })),
      swings: null,
      samples,
    };
    notes.push(`Banzhaf by Monte Carlo: ${samples} random coalitions (seed ${JSON.stringify(seed)}); the normalised standard errors ignore the error of the total.`);
  }

  let shapleyShubik: PowerIndices['shapleyShubik'];
  if (exactShapley) {
    shapleyShubik = { method: 'exact', values: shapleyShubikExact(weights, quota).map(exactValue), samples: null };
  } else {
    const hits = monteCarloShapley(weights, quota, samples, seed);
    shapleyShubik = { method: 'monte-carlo', values: hits.map((h) => estimate(h, samples)), samples };
    notes.push(`Shapley–Shubik by Monte Carlo: ${samples} random orders (seed ${JSON.stringify(seed)}).`);
  }
  return {
    quota,
    weights: [...weights],
    totalWeight: total,
    banzhaf,
    shapleyShubik,
    seed: exactBanzhaf && exactShapley ? null : seed,
    notes,
  };
}


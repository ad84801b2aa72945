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
 * Beyond a work limit (see `exactLimit`), each index falls back to Monte Carlo from a seeded lot:
 * random orders for Shapley–Shubik, random coalitions for Banzhaf, each value with its
 * standard error, pooled over players of equal weight (who have equal power).
 */
import { type Rational, ZERO, rat } from '../tally/rational';
import { lot } from '../tally/lot';
import { DEFAULT_SEED } from './apportion';
import { DelegateError, checkWhole, decimal, factorials } from './numbers';

export interface PowerOptions {
  /** 'auto' (default): exact when within `exactLimit`, else Monte Carlo. */
  readonly mode?: 'auto' | 'exact' | 'monte-carlo';
  /** Most work for an exact index, in 64-bit words of bigint additions (default 100 million: about 1–3 s). */
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
  if (!Number.isSafeInteger(quota) || quota < 1)
    throw new DelegateError(`the quota must be a whole number ≥ 1, not ${quota}`);
  if (quota > total)
    throw new DelegateError(`the quota ${quota} is more than the total weight ${total}: no coalition can win`);
  return total;
}

/** Distinct positive weights, each with the positions of the players who hold it. */
function byWeight(weights: ReadonlyArray<number>): Map<number, number[]> {
  const m = new Map<number, number[]>();
  weights.forEach((w, i) => {
    if (w > 0) {
      const l = m.get(w);
      if (l) l.push(i);
      else m.set(w, [i]);
    }
  });
  return m;
}

/** Largest number of positive-weight players that fit in a losing coalition (weight ≤ q−1). */
function largestLosingSize(weights: ReadonlyArray<number>, quota: number): number {
  const sorted = weights.filter((w) => w > 0).sort((a, b) => a - b);
  let total = 0;
  let k = 0;
  for (const w of sorted) {
    if (total + w > quota - 1) break;
    total += w;
    k++;
  }
  return k;
}

/** Cost of adding `cells` numbers of up to `bits` bits, in 64-bit words. */
const words = (cells: number, bits: number): number => (cells > 0 ? cells * (1 + Math.floor(bits / 64)) : 0);

/**
 * Work of the exact computations, counted as 64-bit words of bigint additions (a count
 * over k players has at most k bits), worked out before counting from the table's shape
 * alone. Deterministic, unlike a clock: the same game always takes the same path.
 * Counting stops early once past `limit`.
 */
export function exactWork(
  weights: ReadonlyArray<number>,
  quota: number,
  limit = Infinity,
): { banzhaf: number; shapleyShubik: number } {
  const cap = quota;
  const positive = weights.filter((w) => w > 0);
  const n = positive.length;
  const distinct = new Set(positive).size;
  let banzhaf = distinct * words(cap, n);
  positive.forEach((w, i) => {
    banzhaf += words(cap - w, i + 1);
  });
  // Shapley–Shubik: the same passes as shapleyWithin, on the ranges only.
  const kmax = largestLosingSize(weights, quota);
  const lo = new Array<number>(kmax + 1).fill(Infinity);
  const hi = new Array<number>(kmax + 1).fill(-1);
  lo[0] = 0;
  hi[0] = 0;
  let shapley = 0;
  let added = 0;
  for (const w of positive) {
    added++;
    for (let k = Math.min(added, kmax) - 1; k >= 0 && shapley <= limit; k--) {
      if (hi[k]! < 0) continue;
      const top = Math.min(hi[k]!, cap - 1 - w);
      shapley += words(top - lo[k]! + 1, added);
      if (top >= lo[k]!) {
        lo[k + 1] = Math.min(lo[k + 1]!, lo[k]! + w);
        hi[k + 1] = Math.max(hi[k + 1]!, top + w);
      }
    }
  }
  for (let k = 0; k <= Math.min(kmax, n - 1); k++) shapley += distinct * words(hi[k]! - lo[k]! + 1, n);
  return { banzhaf, shapleyShubik: shapley };
}

/** Banzhaf swing counts, exactly: for each player, the coalitions of the others it turns from losing to winning. */
export function banzhafSwings(weights: ReadonlyArray<number>, quota: number): bigint[] {
  checkGame(weights, quota);
  const cap = quota; // weights 0..q−1
  const c: bigint[] = new Array<bigint>(cap).fill(0n);
  c[0] = 1n;
  for (const w of weights) {
    if (w === 0) continue;
    for (let x = cap - 1 - w; x >= 0; x--) {
      const v = c[x]!;
      if (v !== 0n) c[x + w]! += v;
    }
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
  return swings.map((x) => x << zeros);
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
      for (let x = top; x >= lo[k]!; x--) {
        const v = src[x]!;
        if (v !== 0n) dst[x + w]! += v;
      }
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

/** Round a float to the 10 places we print, so the JSON does not depend on float noise. */
const round = (x: number): number => Math.round(x * 1e10) / 1e10;

/**
 * Monte Carlo estimates pooled over players of equal weight (who have equal power): for
 * each weight class, the mean over samples of (hits in the class ÷ its size), and the
 * standard error of that mean from the samples' own spread.
 */
class Pool {
  readonly classOf: Int32Array;
  readonly size: number[] = [];
  private readonly sum: number[] = [];
  private readonly sumSq: number[] = [];
  constructor(weights: ReadonlyArray<number>) {
    const index = new Map<number, number>();
    this.classOf = Int32Array.from(weights, (w) => {
      if (w === 0) return -1;
      let c = index.get(w);
      if (c === undefined) {
        c = this.size.length;
        index.set(w, c);
        this.size.push(0);
        this.sum.push(0);
        this.sumSq.push(0);
      }
      this.size[c]!++;
      return c;
    });
  }
  /** Record one sample's hits in class c (call only for classes with hits). */
  add(c: number, hits: number): void {
    const y = hits / this.size[c]!;
    this.sum[c]! += y;
    this.sumSq[c]! += y * y;
  }
  estimates(samples: number): Array<{ mean: number; se: number }> {
    return Array.from(this.classOf, (c) => {
      if (c < 0) return { mean: 0, se: 0 };
      const mean = this.sum[c]! / samples;
      const variance = samples > 1 ? Math.max(0, (this.sumSq[c]! - samples * mean * mean) / (samples - 1)) : 0;
      return { mean, se: Math.sqrt(variance / samples) };
    });
  }
}

function monteCarloShapley(
  weights: ReadonlyArray<number>,
  quota: number,
  samples: number,
  seed: string,
): Array<{ mean: number; se: number }> {
  const pool = new Pool(weights);
  const order = Int32Array.from(weights.map((_, i) => i).filter((i) => weights[i]! > 0));
  const n = order.length;
  const w = Int32Array.from(weights);
  const g = lot(seed, 'shapley-shubik');
  for (let s = 0; s < samples; s++) {
    // A random order, drawn only as far as the pivot (Fisher–Yates from the front).
    let total = 0;
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(g.next() * (n - i));
      const next = order[j]!;
      order[j] = order[i]!;
      order[i] = next;
      total += w[next]!;
      if (total >= quota) {
        pool.add(pool.classOf[next]!, 1);
        break;
      }
    }
  }
  return pool.estimates(samples);
}

function monteCarloBanzhaf(
  weights: ReadonlyArray<number>,
  quota: number,
  samples: number,
  seed: string,
): Array<{ mean: number; se: number }> {
  const n = weights.length;
  const pool = new Pool(weights);
  const classOf = pool.classOf;
  const w = Int32Array.from(weights);
  const hits = new Int32Array(pool.size.length);
  const inside = new Uint8Array(n);
  const g = lot(seed, 'banzhaf');
  for (let s = 0; s < samples; s++) {
    let total = 0;
    let bits = 0;
    for (let i = 0; i < n; i++) {
      if ((i & 31) === 0) bits = (g.next() * 4294967296) >>> 0;
      const b = (bits >>> (i & 31)) & 1;
      inside[i] = b;
      total += b * w[i]!;
    }
    // S∖{i} (or S) is a uniform coalition of the others, so one draw tests every player:
    // a member swings if leaving makes S lose, an outsider if joining makes it win.
    hits.fill(0);
    if (total >= quota) {
      const slack = total - quota; // a member of weight > slack swings
      for (let i = 0; i < n; i++) if (inside[i] === 1 && w[i]! > slack) hits[classOf[i]!]!++;
    } else {
      const short = quota - total; // an outsider of weight ≥ short swings
      for (let i = 0; i < n; i++) if (inside[i] === 0 && w[i]! >= short) hits[classOf[i]!]!++;
    }
    for (let c = 0; c < hits.length; c++) if (hits[c]! > 0) pool.add(c, hits[c]!);
  }
  return pool.estimates(samples);
}

/** Banzhaf and Shapley–Shubik power of every player, in input order. */
export function votingPower(weights: ReadonlyArray<number>, quota: number, options: PowerOptions = {}): PowerIndices {
  const total = checkGame(weights, quota);
  const mode = options.mode ?? 'auto';
  const limit = mode === 'exact' ? Infinity : (options.exactLimit ?? DEFAULT_LIMIT);
  const samples = options.samples ?? DEFAULT_SAMPLES;
  if (!Number.isSafeInteger(samples) || samples < 1)
    throw new DelegateError(`samples must be a positive whole number, not ${samples}`);
  const seed = options.seed ?? DEFAULT_SEED;
  const notes: string[] = [];
  const work = mode === 'monte-carlo' ? null : exactWork(weights, quota, limit);
  const swings = work !== null && work.banzhaf <= limit ? banzhafSwings(weights, quota) : null;
  const shapley = work !== null && work.shapleyShubik <= limit ? shapleyShubikExact(weights, quota) : null;
  const exactBanzhaf = swings !== null;
  const exactShapley = shapley !== null;
  if (2 * quota <= total)
    notes.push(
      `The quota ${quota} is not more than half the total weight ${total}: two disjoint coalitions can both win.`,
    );

  let banzhaf: PowerIndices['banzhaf'];
  if (swings !== null) {
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
    const est = monteCarloBanzhaf(weights, quota, samples, seed);
    const all = est.reduce((a, e) => a + e.mean, 0);
    banzhaf = {
      method: 'monte-carlo',
      absolute: est.map((e) => ({ value: round(e.mean), exact: null, standardError: round(e.se) })),
      normalised: est.map((e) => ({
        value: all === 0 ? 0 : round(e.mean / all),
        exact: null,
        standardError: all === 0 ? null : round(e.se / all),
      })),
      swings: null,
      samples,
    };
    notes.push(
      `Banzhaf by Monte Carlo: ${samples} random coalitions (seed ${JSON.stringify(seed)}), pooled over players of equal weight; the normalised standard errors leave out the error of the total.`,
    );
  }

  let shapleyShubik: PowerIndices['shapleyShubik'];
  if (shapley !== null) {
    shapleyShubik = { method: 'exact', values: shapley.map(exactValue), samples: null };
  } else {
    const est = monteCarloShapley(weights, quota, samples, seed);
    shapleyShubik = {
      method: 'monte-carlo',
      values: est.map((e) => ({ value: round(e.mean), exact: null, standardError: round(e.se) })),
      samples,
    };
    notes.push(
      `Shapley–Shubik by Monte Carlo: ${samples} random orders (seed ${JSON.stringify(seed)}), pooled over players of equal weight.`,
    );
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

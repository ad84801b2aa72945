/**
 * Exact chance for the models in which a few stand for many: a branch meeting's attendees
 * (attendees.ts) and a council drawn by lot (sortition.ts). A draw of `size` people without
 * replacement from groups of `counts` (voters per option) follows the (multivariate)
 * hypergeometric distribution: the draw x has probability ∏ C(counts[i], x[i]) / C(N, size).
 * Distributions are kept as whole weights over one whole denominator, so that sums and
 * convolutions stay exact. Pure.
 */
import { lot } from '../tally/lot';
import { rat, ratToString, type Rational } from '../tally/rational';
import { type MarkRule } from './flip';
import { decimal } from './numbers';

/** C(n, k), exactly. */
export function binomial(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  const j = Math.min(k, n - k);
  let c = 1n;
  for (let i = 0; i < j; i++) c = (c * BigInt(n - i)) / BigInt(i + 1);
  return c;
}

/** C(n, 0), C(n, 1), …, C(n, upTo). */
function binomialRow(n: number, upTo: number): bigint[] {
  const row = [1n];
  for (let x = 0; x < Math.min(n, upTo); x++) row.push((row[x]! * BigInt(n - x)) / BigInt(x + 1));
  return row;
}

/** Outcomes (keys) with whole weights over a common denominator; for samples, counts of draws. */
export interface Distribution<K> {
  readonly den: bigint;
  readonly weights: ReadonlyMap<K, bigint>;
  readonly method: 'exact' | 'sampled';
}

/**
 * Every draw of `size` from groups of `counts`, with its weight ∏ C(counts[i], x[i]) over
 * C(N, size); null when there are more than `limit` draws to list.
 */
export function hypergeometricDraws(
  counts: ReadonlyArray<number>,
  size: number,
  limit: number,
): { den: bigint; draws: Array<{ x: number[]; weight: bigint }> } | null {
  const N = counts.reduce((a, c) => a + c, 0);
  if (size > N) throw new RangeError(`a draw of ${size} from ${N}`);
  const rows = counts.map((c) => binomialRow(c, size));
  // The most the groups after i can still take, to prune draws that cannot reach `size`.
  const after = counts.map((_, i) => counts.slice(i + 1).reduce((a, c) => a + c, 0));
  const draws: Array<{ x: number[]; weight: bigint }> = [];
  const x: number[] = counts.map(() => 0);
  const walk = (i: number, left: number, weight: bigint): boolean => {
    if (i === counts.length - 1) {
      if (left > counts[i]!) return true;
      x[i] = left;
      draws.push({ x: [...x], weight: weight * rows[i]![left]! });
      return draws.length <= limit;
    }
    for (let v = Math.max(0, left - after[i]!); v <= Math.min(counts[i]!, left); v++) {
      x[i] = v;
      if (!walk(i + 1, left - v, weight * rows[i]![v]!)) return false;
    }
    return true;
  };
  if (!walk(0, size, 1n)) return null;
  return { den: binomial(N, size), draws };
}

/** A draw of `size` from groups of `counts` without replacement, from a lot. */
export function sampleDraw(counts: ReadonlyArray<number>, size: number, seed: string, context: string): number[] {
  const g = lot(seed, context);
  const left = [...counts];
  let total = left.reduce((a, c) => a + c, 0);
  const x = counts.map(() => 0);
  for (let s = 0; s < size; s++) {
    let r = Math.floor(g.next() * total);
    let i = 0;
    while (r >= left[i]!) r -= left[i++]!;
    left[i]!--;
    x[i]!++;
    total--;
  }
  return x;
}

/** Which options win on these whole totals by a plurality or yes/no rule; several when tied, none when no vote. */
export function winnersOf(rule: MarkRule, totals: ReadonlyArray<number | bigint>): number[] {
  const t = totals.map((v) => BigInt(v));
  const cast = t.reduce((a, v) => a + v, 0n);
  if (cast === 0n) return [];
  if (rule.kind === 'yesno') {
    const yes = t[rule.yes]!;
    const no = t[1 - rule.yes]!;
    const carried = yes * rule.threshold.den >= rule.threshold.num * cast && yes > no;
    return [carried ? rule.yes : 1 - rule.yes];
  }
  const top = t.reduce((a, v) => (v > a ? v : a), 0n);
  return t.flatMap((v, i) => (v === top ? [i] : []));
}

/** 1, 2, …, n's least common multiple: shares a tie's weight evenly among up to n winners. */
export function tieDenominator(n: number): bigint {
  const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
  let l = 1n;
  for (let i = 2n; i <= BigInt(n); i++) l = (l * i) / gcd(l, i);
  return l;
}

/** A whole weight over a denominator as the stored probability: the fraction, or, when it is longer than 60 characters, 6 decimals (truncated). */
export function probabilityOf(weight: bigint, den: bigint, method: 'exact' | 'sampled'): Probability {
  const p: Rational = rat(weight, den);
  // Sampled shares keep their denominator (120/200): they are counts of draws, not exact values.
  const text = method === 'sampled' ? `${weight}/${den}` : ratToString(p);
  return { probability: text.length <= 60 ? text : decimal(p, 6).toFixed(6), share: decimal(p, 6) };
}

export interface Probability {
  /** Exact ("9/16"); for a long exact fraction, its first 6 decimals ("0.312500"); sampled: draws ("120/200"). */
  readonly probability: string;
  readonly share: number;
}

/** An outcome drawn from a distribution by a lot's number in [0, 1). */
export function pick<K>(d: Distribution<K>, u: number): K {
  let r = (BigInt(Math.floor(u * 2 ** 40)) * d.den) >> 40n;
  let last: K | undefined;
  for (const [k, w] of d.weights) {
    last = k;
    if (r < w) return k;
    r -= w;
  }
  return last!;
}

/** Small exact-number helpers shared by the delegate modules. */
import { type Rational, rat, toFixed } from '../tally/rational';

/** A count as callers hold it: a whole number, a bigint, or an exact rational (weighted votes). */
export type Count = number | bigint | Rational;

/** An error in what was asked of the delegate engine (an impossible bound, a bad table). */
export class DelegateError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'DelegateError';
  }
}

export function toRational(x: Count, what: string): Rational {
  let r: Rational;
  if (typeof x === 'bigint') r = rat(x);
  else if (typeof x === 'number') {
    if (!Number.isSafeInteger(x))
      throw new DelegateError(`${what} must be a whole number (or an exact fraction), not ${x}`);
    r = rat(x);
  } else r = rat(x.num, x.den);
  if (r.num < 0n) throw new DelegateError(`${what} cannot be negative`);
  return r;
}

export function checkWhole(x: number, what: string): number {
  if (!Number.isSafeInteger(x) || x < 0) throw new DelegateError(`${what} must be a whole number ≥ 0, not ${x}`);
  return x;
}

/** A rational as a JSON number with `places` decimals (truncated), the same on every machine. */
export function decimal(a: Rational, places = 6): number {
  return Number(toFixed(a, places));
}

/** floor(sqrt(n)) for n ≥ 0, exactly. */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError('square root of a negative number');
  if (n < 2n) return n;
  // Newton's iteration from above: decreases until it reaches floor(sqrt(n)).
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** sqrt(a) to `places` decimals, truncated, computed exactly. */
export function sqrtDecimal(a: Rational, places = 6): number {
  const scale = 10n ** BigInt(2 * places);
  const root = isqrt((a.num * scale) / a.den);
  return Number(toFixed(rat(root, 10n ** BigInt(places)), places));
}

export function factorials(n: number): bigint[] {
  const f: bigint[] = [1n];
  for (let i = 1; i <= n; i++) f.push(f[i - 1]! * BigInt(i));
  return f;
}

/**
 * Exact non-negative-or-signed rationals over bigint, always in lowest terms with a
 * positive denominator, so that equal values have equal representations (and equal JSON).
 */
export type Rational = { readonly num: bigint; readonly den: bigint };

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function rat(num: bigint | number, den: bigint | number = 1n): Rational {
  let n = BigInt(num);
  let d = BigInt(den);
  if (d === 0n) throw new RangeError('rational with zero denominator');
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = gcd(n, d);
  return g > 1n ? { num: n / g, den: d / g } : { num: n, den: d };
}

export const ZERO: Rational = rat(0);
export const ONE: Rational = rat(1);

export const add = (a: Rational, b: Rational): Rational => rat(a.num * b.den + b.num * a.den, a.den * b.den);
export const sub = (a: Rational, b: Rational): Rational => rat(a.num * b.den - b.num * a.den, a.den * b.den);
export const mul = (a: Rational, b: Rational): Rational => rat(a.num * b.num, a.den * b.den);
export function div(a: Rational, b: Rational): Rational {
  if (b.num === 0n) throw new RangeError('division by zero');
  return rat(a.num * b.den, a.den * b.num);
}
export const cmp = (a: Rational, b: Rational): -1 | 0 | 1 => {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
};
export const eq = (a: Rational, b: Rational): boolean => a.num === b.num && a.den === b.den;
export const isZero = (a: Rational): boolean => a.num === 0n;
export const sum = (xs: Iterable<Rational>): Rational => {
  let n = 0n;
  let d = 1n;
  for (const x of xs) {
    n = n * x.den + x.num * d;
    d *= x.den;
    const g = gcd(n, d);
    if (g > 1n) {
      n /= g;
      d /= g;
    }
  }
  return rat(n, d);
};
export const floor = (a: Rational): bigint => (a.num >= 0n ? a.num / a.den : -((-a.num + a.den - 1n) / a.den));

/** Parse "3", "-2", "1/3" or a decimal "0.25" exactly. */
export function parseRational(text: string): Rational {
  const s = text.trim();
  let m = /^(-?\d+)\/(\d+)$/.exec(s);
  if (m) return rat(BigInt(m[1]!), BigInt(m[2]!));
  m = /^(-?)(\d*)(?:\.(\d+))?$/.exec(s);
  if (m && (m[2] || m[3])) {
    const frac = m[3] ?? '';
    const n = BigInt((m[2] || '0') + frac) * (m[1] ? -1n : 1n);
    return rat(n, 10n ** BigInt(frac.length));
  }
  throw new SyntaxError(`not a number: ${JSON.stringify(text)}`);
}

/** The exact value as "n" or "n/d": the form used in JSON results. */
export function ratToString(a: Rational): string {
  return a.den === 1n ? a.num.toString() : `${a.num}/${a.den}`;
}

/** Decimal with `places` digits, truncated toward zero (for display and fixed-point rules). */
export function toFixed(a: Rational, places: number): string {
  const scale = 10n ** BigInt(places);
  const neg = a.num < 0n;
  const scaled = ((neg ? -a.num : a.num) * scale) / a.den;
  const whole = scaled / scale;
  const frac = (scaled % scale).toString().padStart(places, '0');
  return `${neg && scaled !== 0n ? '-' : ''}${whole}${places > 0 ? `.${frac}` : ''}`;
}

export const toNumber = (a: Rational): number => Number(a.num) / Number(a.den);

/**
 * For sentences people read: a whole number, else an exact decimal where one exists
 * ("27.5"), else "n/d". Never rounds.
 */
export function ratToReadable(a: Rational): string {
  if (a.den === 1n) return a.num.toString();
  let d = a.den;
  let places = 0;
  for (const f of [2n, 5n]) while (d % f === 0n) d /= f;
  if (d !== 1n) return ratToString(a);
  for (let p = 10n; p % a.den !== 0n; p *= 10n) places++;
  return toFixed(a, places + 1);
}

/**
 * Fixed-point decimals as scaled bigints: a value v with `places` decimals is held as the
 * integer v * 10^places. The STV rules fix their precision (Scottish 5, ERS97 2, Meek 9
 * places), so every figure of a count is an exact integer at that scale: no floating point.
 */
import type { Rational } from '../rational';

export type Fixed = bigint;

export interface Scale {
  readonly places: number;
  /** 10^places: the raw value of 1. */
  readonly one: bigint;
}

export function scaleOf(places: number): Scale {
  return { places, one: 10n ** BigInt(places) };
}

/** A rational (a ballot weight) at the scale, truncated toward zero. */
export function fromRational(r: Rational, s: Scale): Fixed {
  return r.den === 1n ? r.num * s.one : (r.num * s.one) / r.den;
}

/** "123.45678": the figure as the rules print it, every decimal shown. */
export function show(v: Fixed, s: Scale): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const whole = a / s.one;
  if (s.places === 0) return `${neg ? '-' : ''}${whole}`;
  const frac = (a % s.one).toString().padStart(s.places, '0');
  return `${neg ? '-' : ''}${whole}.${frac}`;
}

/** a*b at the scale, truncated (the product of two fixed values carries 2x the places). */
export const mulDown = (a: Fixed, b: Fixed, s: Scale): Fixed => (a * b) / s.one;

/** a*b at the scale, rounded up (for non-negative operands). */
export function mulUp(a: Fixed, b: Fixed, s: Scale): Fixed {
  const p = a * b;
  const q = p / s.one;
  return q * s.one === p ? q : q + 1n;
}

/** a/b at the scale, rounded up (for non-negative operands, b > 0). */
export function divUp(a: Fixed, b: Fixed, s: Scale): Fixed {
  const p = a * s.one;
  const q = p / b;
  return q * b === p ? q : q + 1n;
}

/** a/b at the scale, truncated (for non-negative operands, b > 0). */
export const divDown = (a: Fixed, b: Fixed, s: Scale): Fixed => (a * s.one) / b;

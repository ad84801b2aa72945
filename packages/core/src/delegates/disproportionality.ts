/**
 * How far seat (delegate) shares stray from vote (or member) shares.
 *   Gallagher least-squares index  LSq = sqrt(½ Σ (v_i − s_i)²)
 *   Loosemore–Hanby index          D   = ½ Σ |v_i − s_i|
 * Shares are fractions of each total; the indices are reported in percentage points, as
 * is customary, with the exact value under the root (and of D) alongside.
 */
import { type Rational, ZERO, add, cmp, div, mul, rat, ratToString, sub, sum } from '../tally/rational';
import { decimal, sqrtDecimal } from './numbers';

export interface Disproportionality {
  /** Gallagher index in percentage points (6 decimals, truncated). */
  readonly gallagher: number;
  /** Loosemore–Hanby index in percentage points (6 decimals, truncated). */
  readonly loosemoreHanby: number;
  /** ½ Σ (v_i − s_i)², exactly, with shares as fractions of 1. */
  readonly gallagherSquared: string;
  /** ½ Σ |v_i − s_i|, exactly, with shares as fractions of 1. */
  readonly loosemoreHanbyExact: string;
}

const share = (x: Rational, total: Rational): Rational => (total.num === 0n ? ZERO : div(x, total));

export function disproportionality(votes: ReadonlyArray<Rational>, seats: ReadonlyArray<Rational>): Disproportionality {
  if (votes.length !== seats.length) throw new RangeError('votes and seats must cover the same parties');
  const vt = sum(votes);
  const st = sum(seats);
  let squares = ZERO;
  let absolute = ZERO;
  votes.forEach((v, i) => {
    const d = sub(share(v, vt), share(seats[i]!, st));
    squares = add(squares, mul(d, d));
    absolute = add(absolute, cmp(d, ZERO) < 0 ? sub(ZERO, d) : d);
  });
  const half = rat(1, 2);
  const g2 = mul(half, squares);
  const lh = mul(half, absolute);
  return {
    gallagher: sqrtDecimal(mul(g2, rat(10000)), 6),
    loosemoreHanby: decimal(mul(lh, rat(100)), 6),
    gallagherSquared: ratToString(g2),
    loosemoreHanbyExact: ratToString(lh),
  };
}

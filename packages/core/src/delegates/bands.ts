/**
 * Banded delegate tables, as party and union rule books write them: "1 delegate up to
 * 100 members, 2 up to 250, then 1 more for each further 250". No house size is fixed;
 * each branch's entitlement follows from its own population.
 */
import { type Rational, cmp, div, floor, rat, sub } from '../tally/rational';
import { type Apportionment, type Claimant, DEFAULT_SEED } from './apportion';
import { DelegateError, checkWhole, toRational } from './numbers';

export interface DelegateBand {
  /** Up to and including this population… */
  readonly upTo: number;
  /** …a branch sends this many delegates. */
  readonly delegates: number;
}

export interface BandTable {
  /** In increasing order of `upTo`. */
  readonly bands: ReadonlyArray<DelegateBand>;
  /**
   * Above the last band: `delegates` more for each further `every` members, counting only
   * complete blocks unless `orPart` ("or part thereof"). Without it, a branch above the
   * last band sends the last band's number.
   */
  readonly beyond?: { readonly every: number; readonly delegates: number; readonly orPart?: boolean };
}

export function checkBandTable(table: BandTable): void {
  if (table.bands.length === 0) throw new DelegateError('a band table needs at least one band');
  let prevUpTo = 0;
  let prevDelegates = 0;
  table.bands.forEach((b, k) => {
    checkWhole(b.upTo, `band ${k + 1}: the population limit`);
    checkWhole(b.delegates, `band ${k + 1}: the delegates`);
    if (b.upTo <= prevUpTo && k > 0)
      throw new DelegateError(`band ${k + 1}: limits must increase (${b.upTo} after ${prevUpTo})`);
    if (b.delegates < prevDelegates)
      throw new DelegateError(
        `band ${k + 1}: a larger band cannot send fewer delegates (${b.delegates} after ${prevDelegates})`,
      );
    prevUpTo = b.upTo;
    prevDelegates = b.delegates;
  });
  if (table.beyond) {
    if (!Number.isSafeInteger(table.beyond.every) || table.beyond.every < 1)
      throw new DelegateError(`"each further" block must be a positive whole number, not ${table.beyond.every}`);
    checkWhole(table.beyond.delegates, 'delegates per further block');
  }
}

/** Delegates for one branch. A branch with no members (population 0) sends none. */
export function bandDelegates(table: BandTable, population: Rational): number {
  if (population.num === 0n) return 0;
  for (const b of table.bands) if (cmp(population, rat(b.upTo)) <= 0) return b.delegates;
  const last = table.bands[table.bands.length - 1]!;
  if (!table.beyond) return last.delegates;
  const blocks = div(sub(population, rat(last.upTo)), rat(table.beyond.every));
  const whole = floor(blocks);
  const count = table.beyond.orPart && blocks.den !== 1n ? whole + 1n : whole;
  return last.delegates + Number(count) * table.beyond.delegates;
}

/** Every branch's entitlement from the table, then clamped to the bounds. */
export function apportionByBands(
  claimants: ReadonlyArray<Claimant>,
  table: BandTable,
  options: { readonly min?: number; readonly max?: number } = {},
): Apportionment {
  checkBandTable(table);
  if (options.min !== undefined) checkWhole(options.min, 'the minimum per branch');
  if (options.max !== undefined) checkWhole(options.max, 'the maximum per branch');
  const seen = new Set<string>();
  const notes: string[] = [];
  const seats = claimants.map((c) => {
    if (seen.has(c.name)) throw new DelegateError(`branch ${JSON.stringify(c.name)} appears twice`);
    seen.add(c.name);
    const lo = Math.max(options.min ?? 0, c.min ?? 0);
    const hi = Math.min(options.max ?? Infinity, c.max ?? Infinity);
    if (lo > hi)
      throw new DelegateError(`infeasible: ${c.name} would need at least ${lo} delegates but may have at most ${hi}`);
    const raw = bandDelegates(table, toRational(c.population, `the population of ${c.name}`));
    const s = Math.min(hi, Math.max(lo, raw));
    if (s !== raw) notes.push(`${c.name}: the table gives ${raw}, the bounds make it ${s}.`);
    return s;
  });
  return {
    method: 'bands',
    house: seats.reduce((a, x) => a + x, 0),
    names: claimants.map((c) => c.name),
    seats,
    ties: [],
    seed: DEFAULT_SEED,
    notes,
  };
}

/**
 * Read a band table from text: "100:1,250:2,+250:1" means 1 delegate up to 100 members,
 * 2 up to 250, then 1 more per further complete 250 ("+250~:1": or part thereof).
 */
export function parseBandTable(text: string): BandTable {
  const bands: DelegateBand[] = [];
  let beyond: BandTable['beyond'];
  for (const raw of text.split(',')) {
    const part = raw.trim();
    const m = /^(\+?)(\d+)(~?)\s*:\s*(\d+)$/.exec(part);
    if (!m)
      throw new DelegateError(
        `bad band ${JSON.stringify(part)}: write LIMIT:DELEGATES, or +EVERY:DELEGATES (+EVERY~:DELEGATES for "or part thereof") last`,
      );
    if (beyond) throw new DelegateError('the "+EVERY:DELEGATES" part must come last');
    if (m[1] === '+') beyond = { every: Number(m[2]), delegates: Number(m[4]), orPart: m[3] === '~' };
    else if (m[3] === '~') throw new DelegateError(`bad band ${JSON.stringify(part)}: "~" only goes with "+EVERY"`);
    else bands.push({ upTo: Number(m[2]), delegates: Number(m[4]) });
  }
  const table: BandTable = beyond ? { bands, beyond } : { bands };
  checkBandTable(table);
  return table;
}

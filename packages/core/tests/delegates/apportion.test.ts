import fc from 'fast-check';
import {
  APPORTIONMENT_METHODS,
  DelegateError,
  apportion,
  apportionByBands,
  bandDelegates,
  parseBandTable,
  type ApportionmentMethod,
  type Claimant,
} from '../../src/delegates/index';
import { rat } from '../../src/tally/rational';

const claim = (pops: Record<string, number>): Claimant[] =>
  Object.entries(pops).map(([name, population]) => ({ name, population }));
const seats = (
  pops: Record<string, number>,
  method: ApportionmentMethod,
  house: number,
  extra: { min?: number; max?: number } = {},
): number[] => [...apportion(claim(pops), { method, seats: house, ...extra }).seats];

const DIVISOR: ApportionmentMethod[] = ['dhondt', 'sainte-lague', 'modified-sainte-lague', 'huntington-hill', 'adams'];

describe('textbook apportionments', () => {
  // The common worked example: A 100 000, B 80 000, C 30 000, D 20 000; 8 seats.
  const parties = { A: 100000, B: 80000, C: 30000, D: 20000 };

  test("D'Hondt: averages 100k 80k 50k 40k 33.3k 30k 26.7k 25k give A4 B3 C1 D0", () => {
    expect(seats(parties, 'dhondt', 8)).toEqual([4, 3, 1, 0]);
  });

  test('Sainte-Laguë: 100k 80k 33.3k 30k 26.7k 20k(A) 20k(D) 16k give A3 B3 C1 D1', () => {
    expect(seats(parties, 'sainte-lague', 8)).toEqual([3, 3, 1, 1]);
  });

  test('Hamilton: quotas 3.478 2.783 1.043 0.696; remainders go to B and D', () => {
    expect(seats(parties, 'hamilton', 8)).toEqual([3, 3, 1, 1]);
  });

  test('Droop: quota 25 556; quotas 3.91 3.13 1.17 0.78; whole parts 7, the last seat to A', () => {
    expect(seats(parties, 'droop', 8)).toEqual([4, 3, 1, 0]);
  });

  test('Adams: one seat each first, then 100k, 80k, 50k, 40k', () => {
    expect(seats(parties, 'adams', 8)).toEqual([3, 3, 1, 1]);
  });

  test('Huntington–Hill: one each, then 100k/√2, 80k/√2, 100k/√6, 80k/√6', () => {
    expect(seats(parties, 'huntington-hill', 8)).toEqual([3, 3, 1, 1]);
  });

  test("modified Sainte-Laguë: A's 4th average 100000/7 equals D's first 20000/1.4: a tie for the 8th seat, drawn by lot", () => {
    const r = apportion(claim(parties), { method: 'modified-sainte-lague', seats: 8, seed: 's1' });
    expect(r.seats.slice(1, 3)).toEqual([3, 1]);
    expect(r.seats[0]! + r.seats[3]!).toBe(4);
    expect(r.ties).toHaveLength(1);
    expect(r.ties[0]!.between).toEqual(['A', 'D']);
    expect(r.ties[0]!.seats).toBe(1);
    const winner = r.ties[0]!.chosen[0];
    expect(r.seats[winner === 'A' ? 0 : 3]).toBe(winner === 'A' ? 4 : 1);
    // The same seed draws the same lot.
    expect(apportion(claim(parties), { method: 'modified-sainte-lague', seats: 8, seed: 's1' })).toEqual(r);
    // A fixed order decides instead of the lot.
    const ordered = apportion(claim(parties), { method: 'modified-sainte-lague', seats: 8, tieOrder: [3, 0] });
    expect(ordered.seats).toEqual([3, 3, 1, 1]);
    expect(ordered.ties[0]!.brokenBy).toBe('order');
  });

  test('Huntington–Hill: A 141, B 100, seat by seat', () => {
    // Two seats go one each (D(0) = 0). 3rd: A 141/√2 = 99.70 > B 100/√2 = 70.71 → A.
    expect(seats({ A: 141, B: 100 }, 'huntington-hill', 3)).toEqual([2, 1]);
    // 4th: A 141/√6 = 57.56 < B 70.71 → B.   5th: A 57.56 > B 100/√6 = 40.82 → A.
    expect(seats({ A: 141, B: 100 }, 'huntington-hill', 4)).toEqual([2, 2]);
    expect(seats({ A: 141, B: 100 }, 'huntington-hill', 5)).toEqual([3, 2]);
  });

  test('Huntington–Hill compares exactly: 10/√(1·2) = 60/√(8·9) is a true tie, drawn by lot', () => {
    // A 10, B 60: one each, then B gains while 60/√(s(s+1)) > 10/√2, i.e. s(s+1) < 72: up to 8 seats
    // at a house of 9. The 10th seat: A's 10²/2 = 50 against B's 60²/72 = 50 — equal.
    expect(seats({ A: 10, B: 60 }, 'huntington-hill', 9)).toEqual([1, 8]);
    const r = apportion(claim({ A: 10, B: 60 }), { method: 'huntington-hill', seats: 10 });
    expect(r.ties).toHaveLength(1);
    expect(r.ties[0]!.between).toEqual(['A', 'B']);
    expect(r.seats[0]! + r.seats[1]!).toBe(10);
    // With one more seat both take one and there is nothing to draw.
    const r11 = apportion(claim({ A: 10, B: 60 }), { method: 'huntington-hill', seats: 11 });
    expect(r11.seats).toEqual([2, 9]);
    expect(r11.ties).toEqual([]);
  });
});

describe("paradoxes of Hamilton's method", () => {
  test('Alabama paradox: populations 6, 6, 2; 10 seats give C 2, 11 seats give C 1', () => {
    // 10 seats: quotas 4.286 4.286 1.429 → 4,4,1 + the remainder seat to C (0.429 > 0.286).
    expect(seats({ A: 6, B: 6, C: 2 }, 'hamilton', 10)).toEqual([4, 4, 2]);
    // 11 seats: quotas 4.714 4.714 1.571 → 4,4,1 + two remainder seats to A and B (0.714 > 0.571).
    expect(seats({ A: 6, B: 6, C: 2 }, 'hamilton', 11)).toEqual([5, 5, 1]);
  });

  test('population paradox: A grows, B does not, yet A loses a seat to B', () => {
    // Before: A 40, B 11, C 18 (total 69), 10 seats: quotas 5.797 1.594 2.609 → 5,1,2 and the
    // two remainder seats to A (0.797) and C (0.609): A6 B1 C3.
    expect(seats({ A: 40, B: 11, C: 18 }, 'hamilton', 10)).toEqual([6, 1, 3]);
    // After: A 41 (+2.5%), B 11 (+0%), C 24 (total 76): quotas 5.395 1.447 3.158 → 5,1,3 and the
    // one remainder seat to B (0.447 > 0.395 > 0.158): A5 B2 C3.
    expect(seats({ A: 41, B: 11, C: 24 }, 'hamilton', 10)).toEqual([5, 2, 3]);
  });

  test('divisor methods do not suffer it (same figures)', () => {
    for (const m of DIVISOR) {
      const before = seats({ A: 40, B: 11, C: 18 }, m, 10);
      const after = seats({ A: 41, B: 11, C: 24 }, m, 10);
      expect(after[0]! < before[0]! && after[1]! > before[1]!).toBe(false);
    }
  });
});

describe('bounds', () => {
  const parties = { A: 100000, B: 80000, C: 30000, D: 20000 };

  test("D'Hondt with at most 3: A and B stop at 3, the seats pass on to C and D", () => {
    // Averages with A, B capped at 3: 100 80 50 40 33.3 30 26.7 | A's 25 skipped | D 20 → A3 B3 C1 D1.
    expect(seats(parties, 'dhondt', 8, { max: 3 })).toEqual([3, 3, 1, 1]);
  });

  test('Hamilton with at least 2: bounded quotas, all within bounds', () => {
    // 8 seats: C and D are held at 2; A and B would share 4 as 2.22 and 1.78, so B is held at 2
    // as well and A's quota is the 2 left: A2 B2 C2 D2.
    expect(seats(parties, 'hamilton', 8, { min: 2 })).toEqual([2, 2, 2, 2]);
    // 10 seats: C and D held at 2; A and B share 6 as 3.33 and 2.67 → 3, 2 and the remainder
    // seat to B (0.67 > 0.33): A3 B3 C2 D2.
    expect(seats(parties, 'hamilton', 10, { min: 2 })).toEqual([3, 3, 2, 2]);
  });

  test('infeasible bounds are said so plainly', () => {
    expect(() => seats(parties, 'hamilton', 8, { min: 3 })).toThrow(
      /infeasible: the minimums add up to 12 delegates, more than the 8/,
    );
    expect(() => seats(parties, 'dhondt', 8, { max: 1 })).toThrow(
      /infeasible: the maximums allow only 4 delegates, fewer than the 8/,
    );
    expect(() => apportion([{ name: 'X', population: 5, min: 3, max: 2 }], { method: 'dhondt', seats: 3 })).toThrow(
      /X would need at least 3/,
    );
    expect(() => seats(parties, 'adams', 3)).toThrow(/at least one delegate/);
    expect(() => seats(parties, 'huntington-hill', 3)).toThrow(DelegateError);
  });

  test('bad input', () => {
    expect(() => seats({ A: 0, B: 0 }, 'hamilton', 3)).toThrow(/population of 0/);
    expect(() =>
      apportion(
        [
          { name: 'A', population: 1 },
          { name: 'A', population: 2 },
        ],
        { method: 'dhondt', seats: 2 },
      ),
    ).toThrow(/twice/);
    expect(() => apportion([{ name: 'A', population: -1 }], { method: 'dhondt', seats: 2 })).toThrow(/negative/);
    expect(() => apportion(claim({ A: 1 }), { method: 'dhondt', seats: 1.5 })).toThrow(/whole number/);
  });

  test('exact rational populations (weighted turnout) are accepted', () => {
    const r = apportion(
      [
        { name: 'A', population: rat(1, 3) },
        { name: 'B', population: rat(2, 3) },
      ],
      { method: 'hamilton', seats: 3 },
    );
    expect(r.seats).toEqual([1, 2]);
  });
});

describe('band tables', () => {
  const table = {
    bands: [
      { upTo: 100, delegates: 1 },
      { upTo: 250, delegates: 2 },
    ],
    beyond: { every: 250, delegates: 1 },
  };

  test('1 up to 100, 2 up to 250, then 1 per further complete 250', () => {
    const d = (m: number): number => bandDelegates(table, rat(m));
    expect([0, 1, 100, 101, 250, 499, 500, 749, 750, 751].map(d)).toEqual([0, 1, 1, 2, 2, 2, 3, 3, 4, 4]);
  });

  test('"or part thereof"', () => {
    const t = parseBandTable('100:1, 250:2, +250~:1');
    const d = (m: number): number => bandDelegates(t, rat(m));
    expect([250, 251, 500, 501].map(d)).toEqual([2, 3, 3, 4]);
  });

  test('without a rule beyond the last band, the last band holds', () => {
    expect(bandDelegates(parseBandTable('50:1,200:3'), rat(10000))).toBe(3);
  });

  test('apportionByBands applies min and max and says so', () => {
    const r = apportionByBands(claim({ tiny: 10, mid: 300, big: 5000 }), table, { max: 10 });
    // mid: 2 + floor(50/250) = 2; big: 2 + floor(4750/250) = 21, held at 10.
    expect(r.seats).toEqual([1, 2, 10]);
    expect(r.house).toBe(13);
    expect(r.notes[0]).toMatch(/big: the table gives 21, the bounds make it 10/);
  });

  test('malformed tables', () => {
    expect(() => parseBandTable('100:1,50:2')).toThrow(/limits must increase/);
    expect(() => parseBandTable('100:3,250:2')).toThrow(/fewer delegates/);
    expect(() => parseBandTable('+250:1,100:1')).toThrow(/must come last/);
    expect(() => parseBandTable('a lot')).toThrow(/bad band/);
  });
});

// ------------------------------------------------------------------ properties

const pops = fc
  .array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 8 })
  .filter((p) => p.some((x) => x > 0));
const named = (p: number[]): Claimant[] => p.map((population, i) => ({ name: `b${i}`, population }));
const positives = (p: number[]): number => p.filter((x) => x > 0).length;

describe('properties', () => {
  test('every method gives out exactly N (or says why it cannot)', () => {
    fc.assert(
      fc.property(pops, fc.integer({ min: 0, max: 60 }), fc.constantFrom(...APPORTIONMENT_METHODS), (p, n, method) => {
        const needsOne = method === 'adams' || method === 'huntington-hill';
        if (needsOne && n < positives(p)) {
          expect(() => apportion(named(p), { method, seats: n })).toThrow(DelegateError);
          return;
        }
        const r = apportion(named(p), { method, seats: n });
        expect(r.seats.reduce((a, x) => a + x, 0)).toBe(n);
        r.seats.forEach((s) => expect(s).toBeGreaterThanOrEqual(0));
      }),
      { numRuns: 300 },
    );
  });

  test('Hamilton stays within quota: floor(q) ≤ seats ≤ ceil(q)', () => {
    fc.assert(
      fc.property(pops, fc.integer({ min: 0, max: 60 }), (p, n) => {
        const total = p.reduce((a, x) => a + x, 0);
        const r = apportion(named(p), { method: 'hamilton', seats: n });
        p.forEach((x, i) => {
          const lower = Math.floor((n * x) / total);
          const upper = Math.ceil((n * x) / total);
          expect(r.seats[i]).toBeGreaterThanOrEqual(lower);
          expect(r.seats[i]).toBeLessThanOrEqual(upper);
        });
      }),
      { numRuns: 300 },
    );
  });

  test('divisor methods are house-monotone (even through lots): N+1 seats never take a seat away', () => {
    fc.assert(
      fc.property(
        pops,
        fc.integer({ min: 0, max: 40 }),
        fc.constantFrom(...DIVISOR),
        fc.string(),
        (p, n, method, seed) => {
          const floorN = method === 'adams' || method === 'huntington-hill' ? Math.max(n, positives(p)) : n;
          const a = apportion(named(p), { method, seats: floorN, seed }).seats;
          const b = apportion(named(p), { method, seats: floorN + 1, seed }).seats;
          a.forEach((s, i) => expect(b[i]).toBeGreaterThanOrEqual(s));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('min and max are respected by every method whenever they are feasible', () => {
    fc.assert(
      fc.property(
        pops,
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 30 }),
        fc.constantFrom(...APPORTIONMENT_METHODS),
        (p, n, min, extra, method) => {
          const max = min + extra;
          const feasible = p.length * min <= n && n <= p.length * max;
          const needsOne =
            (method === 'adams' || method === 'huntington-hill') &&
            max >= 1 &&
            p.reduce((a, x) => a + (x > 0 ? Math.max(min, 1) : min), 0) > n;
          if (!feasible || needsOne) {
            expect(() => apportion(named(p), { method, seats: n, min, max })).toThrow(/infeasible/);
            return;
          }
          const r = apportion(named(p), { method, seats: n, min, max });
          expect(r.seats.reduce((a, x) => a + x, 0)).toBe(n);
          r.seats.forEach((s) => {
            expect(s).toBeGreaterThanOrEqual(min);
            expect(s).toBeLessThanOrEqual(max);
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  test('the same input and seed give the same result', () => {
    fc.assert(
      fc.property(pops, fc.integer({ min: 0, max: 30 }), fc.constantFrom(...APPORTIONMENT_METHODS), (p, n, method) => {
        const run = (): unknown => {
          try {
            return apportion(named(p), { method, seats: n });
          } catch (e) {
            return String(e);
          }
        };
        expect(JSON.stringify(run())).toBe(JSON.stringify(run()));
      }),
      { numRuns: 100 },
    );
  });
});

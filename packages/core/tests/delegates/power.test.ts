import fc from 'fast-check';
import { banzhafSwings, shapleyShubikExact, votingPower } from '../../src/delegates/index';
import { type Rational, ONE, cmp, rat, ratToString, sum } from '../../src/tally/rational';

const str = (xs: ReadonlyArray<Rational>): string[] => xs.map(ratToString);

/** Brute force from the definitions: every coalition, every order. */
function bruteBanzhaf(w: number[], q: number): bigint[] {
  const n = w.length;
  const swings = w.map(() => 0n);
  for (let mask = 0; mask < 1 << n; mask++) {
    let total = 0;
    for (let i = 0; i < n; i++) if (mask & (1 << i)) total += w[i]!;
    for (let i = 0; i < n; i++) if (!(mask & (1 << i)) && total < q && total + w[i]! >= q) swings[i]! += 1n;
  }
  return swings;
}

function bruteShapley(w: number[], q: number): Rational[] {
  const n = w.length;
  const pivots = w.map(() => 0);
  let orders = 0;
  const perm = w.map((_, i) => i);
  const visit = (k: number): void => {
    if (k === n) {
      orders++;
      let total = 0;
      for (const i of perm) {
        total += w[i]!;
        if (total >= q) {
          pivots[i]!++;
          break;
        }
      }
      return;
    }
    for (let j = k; j < n; j++) {
      [perm[k], perm[j]] = [perm[j]!, perm[k]!];
      visit(k + 1);
      [perm[k], perm[j]] = [perm[j]!, perm[k]!];
    }
  };
  visit(0);
  return pivots.map((p) => rat(p, orders));
}

describe('published values', () => {
  test('[51; 49, 48, 3]: any two of the three win, so all three have a third of the power', () => {
    const p = votingPower([49, 48, 3], 51);
    expect(p.banzhaf.normalised.map((v) => v.exact)).toEqual(['1/3', '1/3', '1/3']);
    expect(p.shapleyShubik.values.map((v) => v.exact)).toEqual(['1/3', '1/3', '1/3']);
    // Each swings 2 of the 4 coalitions of the others: absolute Banzhaf 1/2.
    expect(p.banzhaf.absolute.map((v) => v.exact)).toEqual(['1/2', '1/2', '1/2']);
    expect(p.banzhaf.method).toBe('exact');
  });

  test('EEC Council of Ministers 1958, [12; 4,4,4,2,2,1]: Luxembourg is a dummy', () => {
    // Published (e.g. Felsenthal & Machover 1998): Shapley–Shubik 7/30 for France, Germany and
    // Italy, 3/20 for Belgium and the Netherlands, 0 for Luxembourg; Banzhaf 5/21, 1/7, 0
    // (swings 10, 6, 0 of 32 coalitions of the others).
    const p = votingPower([4, 4, 4, 2, 2, 1], 12);
    expect(p.shapleyShubik.values.map((v) => v.exact)).toEqual(['7/30', '7/30', '7/30', '3/20', '3/20', '0']);
    expect(p.banzhaf.normalised.map((v) => v.exact)).toEqual(['5/21', '5/21', '5/21', '1/7', '1/7', '0']);
    expect(p.banzhaf.absolute.map((v) => v.exact)).toEqual(['5/16', '5/16', '5/16', '3/16', '3/16', '0']);
    expect(p.shapleyShubik.values[0]!.value).toBeCloseTo(0.2333333333, 9);
  });

  test('a dictator has all the power; a veto player shares it', () => {
    expect(votingPower([6, 2, 2], 6).shapleyShubik.values.map((v) => v.exact)).toEqual(['1', '0', '0']);
    // [5; 3, 1, 1, 1]: a win takes A and two of the three others, so A has a veto.
    const p = votingPower([3, 1, 1, 1], 5);
    // Orders where A pivots: A is 3rd or 4th (the 2nd other arrives before A) → 1/2;
    // each other pivots when it is the 2nd other to arrive after A: total 1/2, 1/6 each.
    expect(p.shapleyShubik.values.map((v) => v.exact)).toEqual(['1/2', '1/6', '1/6', '1/6']);
  });

  test('input errors', () => {
    expect(() => votingPower([1, 2], 4)).toThrow(/more than the total weight/);
    expect(() => votingPower([1, 2], 0)).toThrow(/quota/);
    expect(() => votingPower([1, -2], 1)).toThrow(/whole number/);
  });

  test('a quota of half or less is flagged', () => {
    expect(votingPower([1, 1, 1, 1], 2).notes.join(' ')).toMatch(/two disjoint coalitions/);
  });
});

const game = fc
  .array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 7 })
  .filter((w) => w.some((x) => x > 0))
  .chain((w) => fc.tuple(fc.constant(w), fc.integer({ min: 1, max: w.reduce((a, x) => a + x, 0) })));

describe('properties', () => {
  test('exact values equal brute force over every coalition and every order', () => {
    fc.assert(
      fc.property(game, ([w, q]) => {
        expect(banzhafSwings(w, q).map(String)).toEqual(bruteBanzhaf(w, q).map(String));
        expect(str(shapleyShubikExact(w, q))).toEqual(str(bruteShapley(w, q)));
      }),
      { numRuns: 200 },
    );
  });

  test('each index sums to exactly 1', () => {
    fc.assert(
      fc.property(game, ([w, q]) => {
        expect(cmp(sum(shapleyShubikExact(w, q)), ONE)).toBe(0);
        const s = banzhafSwings(w, q);
        const total = s.reduce((a, x) => a + x, 0n);
        expect(cmp(sum(s.map((x) => rat(x, total))), ONE)).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  test('a dummy (weight 0, or a weight never decisive) has no power; symmetric players have equal power', () => {
    fc.assert(
      fc.property(game, ([w, q]) => {
        const withDummy = [...w, 0];
        const p = votingPower(withDummy, q);
        expect(p.banzhaf.normalised[w.length]!.exact).toBe('0');
        expect(p.shapleyShubik.values[w.length]!.exact).toBe('0');
        // Adding a dummy changes nobody's Shapley–Shubik value.
        expect(p.shapleyShubik.values.slice(0, w.length).map((v) => v.exact)).toEqual(
          votingPower(w, q).shapleyShubik.values.map((v) => v.exact),
        );
        for (let i = 0; i < w.length; i++) {
          for (let j = 0; j < w.length; j++) {
            if (w[i] === w[j]) {
              expect(p.shapleyShubik.values[i]!.exact).toBe(p.shapleyShubik.values[j]!.exact);
              expect(p.banzhaf.normalised[i]!.exact).toBe(p.banzhaf.normalised[j]!.exact);
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  test('a heavier player never has less power', () => {
    fc.assert(
      fc.property(game, ([w, q]) => {
        const ss = shapleyShubikExact(w, q);
        const bz = banzhafSwings(w, q);
        for (let i = 0; i < w.length; i++) {
          for (let j = 0; j < w.length; j++) {
            if (w[i]! > w[j]!) {
              expect(cmp(ss[i]!, ss[j]!)).toBeGreaterThanOrEqual(0);
              expect(bz[i]! >= bz[j]!).toBe(true);
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('Monte Carlo', () => {
  test('agrees with the exact values within 4.5 standard errors, and says it is an estimate', () => {
    const w = [9, 7, 5, 4, 3, 2, 2, 1, 1, 1];
    const q = 18;
    const exact = votingPower(w, q);
    const mc = votingPower(w, q, { mode: 'monte-carlo', samples: 20000, seed: 'mc' });
    expect(mc.banzhaf.method).toBe('monte-carlo');
    expect(mc.shapleyShubik.method).toBe('monte-carlo');
    w.forEach((_, i) => {
      const ss = mc.shapleyShubik.values[i]!;
      expect(ss.exact).toBeNull();
      expect(Math.abs(ss.value - exact.shapleyShubik.values[i]!.value)).toBeLessThanOrEqual(
        4.5 * ss.standardError! + 1e-9,
      );
      const ab = mc.banzhaf.absolute[i]!;
      expect(Math.abs(ab.value - exact.banzhaf.absolute[i]!.value)).toBeLessThanOrEqual(4.5 * ab.standardError! + 1e-9);
    });
    // The estimates of one index still add up to about 1.
    const total = mc.shapleyShubik.values.reduce((a, v) => a + v.value, 0);
    expect(total).toBeCloseTo(1, 6);
    // Reproducible from the seed.
    expect(votingPower(w, q, { mode: 'monte-carlo', samples: 20000, seed: 'mc' })).toEqual(mc);
  });

  test('auto mode switches to Monte Carlo beyond the limit', () => {
    const w = Array.from({ length: 40 }, (_, i) => 1 + (i % 5));
    const p = votingPower(w, 61, { exactLimit: 1000, samples: 2000 });
    expect(p.shapleyShubik.method).toBe('monte-carlo');
    expect(p.notes.join(' ')).toMatch(/Monte Carlo/);
    const exact = votingPower(w, 61);
    expect(exact.shapleyShubik.method).toBe('exact');
    expect(cmp(sum(exact.shapleyShubik.values.map((v) => parseExact(v.exact!))), ONE)).toBe(0);
  });
});

function parseExact(s: string): Rational {
  const [n, d] = s.split('/');
  return d === undefined ? rat(BigInt(n!)) : rat(BigInt(n!), BigInt(d));
}

test('exact values for a large symmetric game stay exact (650 seats of weight 1, majority 326)', () => {
  const p = votingPower(new Array<number>(650).fill(1), 326);
  expect(p.shapleyShubik.values[0]!.exact).toBe('1/650');
  expect(p.banzhaf.normalised[17]!.exact).toBe('1/650');
});

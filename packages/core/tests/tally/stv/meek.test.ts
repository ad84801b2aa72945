/**
 * Meek STV (the PR Foundation's reference rule, 9 decimals, omega 10^-6), checked against
 * counts worked by hand from the rule's text (the heavier arithmetic is in the corpus test).
 */
import { countStv } from '../../../src/tally/stv';
import { election, units } from './helpers';

describe('meek: a surplus passed on by keep factors', () => {
  // 6 papers, 2 seats: 4 Castor Pollux, 2 Helen.
  // Round 1, iteration 1 (every keep factor 1): Castor 4, Pollux 0, Helen 2.
  //   Quota = 6 / 3 = 2, + 0.000000001 = 2.000000001 (B.2.b). Castor is elected (B.2.c).
  // Round 2, iteration 1: the same votes; surplus 4 - 2.000000001 = 1.999999999 >= omega.
  //   Castor's keep factor: 1 x 2.000000001 = 2.000000001, / 4 = 0.50000000025, rounded up
  //   to 0.500000001 (B.2.f).
  // Iteration 2: each Castor Pollux ballot: Castor keeps 1 x 0.500000001 = 0.500000001,
  //   Pollux gets the remaining 0.499999999. Castor 4 x 0.500000001 = 2.000000004, Pollux
  //   1.999999996, Helen 2. Quota 6 / 3 + 0.000000001 = 2.000000001; surplus 0.000000003 <
  //   omega: Pollux, the lowest (1.999999996; Helen 2 is more than 1.999999996 + 0.000000003,
  //   so not tied), is defeated (B.3). One hopeful for one seat: Helen is elected (C.1).
  const r = countStv(
    election(['Castor', 'Pollux', 'Helen'], 2, [
      [4, 'Castor Pollux'],
      [2, 'Helen'],
    ]),
    'meek',
    't',
  );

  test('elects Castor, then Helen', () => {
    expect(r.elected).toEqual(['Castor', 'Helen']);
    expect(r.rounds.map((x) => [x.elected, x.excluded])).toEqual([
      [['Castor'], []],
      [['Helen'], ['Pollux']],
    ]);
    expect(r.ties).toEqual([]);
  });

  test('has the hand-computed figures', () => {
    expect(r.rounds.map((x) => x.votes)).toEqual([
      { Castor: '4.000000000', Pollux: '0.000000000', Helen: '2.000000000' },
      { Castor: '2.000000004', Pollux: '1.999999996', Helen: '2.000000000' },
    ]);
    expect(r.rounds.map((x) => x.quota)).toEqual(['2.000000001', '2.000000001']);
    expect(r.rounds.map((x) => x.exhausted)).toEqual(['0.000000000', '0.000000000']);
    expect(r.rounds[1]!.note).toMatch(/2 iterations/);
    expect(r.rounds[1]!.note).toMatch(/Castor 0\.500000001/);
  });
});

describe('meek: ties for defeat are broken by lot (B.3, T)', () => {
  // 8 papers, 2 seats: 4 A, 2 B, 2 C. A is elected in round 1 (quota 8/3 + 0.000000001 =
  // 2.666666667). A's surplus has no further preference, so its keep factor falls and the
  // quota with it, towards (A + 4) / 3 = A, i.e. 2: B and C (2 each) stay just under it and
  // exactly level: a lot decides which is defeated; the other takes the last seat.
  const e = election(['A', 'B', 'C'], 2, [
    [4, 'A'],
    [2, 'B'],
    [2, 'C'],
  ]);

  test('the seed decides, reproducibly', () => {
    const chosen = new Set<string>();
    for (let i = 0; i < 24; i++) {
      const r = countStv(e, 'meek', `s${i}`);
      expect(countStv(e, 'meek', `s${i}`)).toEqual(r);
      expect(r.ties).toEqual([expect.objectContaining({ round: 2, between: ['B', 'C'], brokenBy: 'lot' })]);
      const loser = r.ties[0]!.chosen;
      expect(r.rounds[1]!.excluded).toEqual([loser]);
      expect(r.elected).toEqual(['A', loser === 'B' ? 'C' : 'B']);
      // Every round's figures add up to the 8 papers (residual = untransferable weight).
      for (const x of r.rounds) {
        expect(Object.values(x.votes).reduce((t, v) => t + units(v), 0n) + units(x.exhausted!) + units(x.loss!)).toBe(
          8n * 10n ** 9n,
        );
      }
      chosen.add(loser);
    }
    expect(chosen).toEqual(new Set(['B', 'C']));
  });

  test('a tie order given with the election is the lot', () => {
    expect(countStv({ ...e, tieOrder: [0, 2, 1] }, 'meek', 'x').elected).toEqual(['A', 'B']);
    expect(countStv({ ...e, tieOrder: [1, 0, 2] }, 'meek', 'x').elected).toEqual(['A', 'C']);
  });
});

describe('meek: nothing to decide', () => {
  test('as many candidates as seats are elected on first preferences', () => {
    const r = countStv(
      election(['A', 'B'], 2, [
        [3, 'A'],
        [1, 'B A'],
      ]),
      'meek',
      't',
    );
    expect(r.elected).toEqual(['A', 'B']);
    expect(r.rounds).toHaveLength(1);
    expect(r.rounds[0]!.votes).toEqual({ A: '3.000000000', B: '1.000000000' });
  });
});

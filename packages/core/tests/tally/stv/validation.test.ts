/** What the count refuses, and how it handles the degenerate elections it accepts. */
import { countStv } from '../../../src/tally/stv';
import { rat } from '../../../src/tally/rational';
import type { Election, RankedBallot, StvRules } from '../../../src/tally/types';
import { election } from './helpers';

const RULES: StvRules[] = ['scottish', 'meek', 'ers97'];
const base: Election<RankedBallot> = election(['A', 'B', 'C'], 1, [
  [2, 'A B'],
  [1, 'C'],
]);
const withBallot = (ranking: number[][], weight = rat(1)): Election<RankedBallot> => ({
  ...base,
  ballots: [...base.ballots, { weight, ranking }],
});

describe.each(RULES)('%s refuses', (rules) => {
  test.each([
    [
      'an equal preference',
      withBallot([[0, 1]]),
      /^ballot 3: 2 candidates ranked equal; the \w+ rules need a strict order of preference/,
    ],
    ['an empty preference', withBallot([[0], []]), /^ballot 3: an empty preference/],
    [
      'a candidate that does not exist',
      withBallot([[0], [3]]),
      /^ballot 3: candidate 3 does not exist \(there are 3 candidates\)/,
    ],
    ['a candidate ranked twice', withBallot([[1], [0], [1]]), /^ballot 3: B ranked more than once/],
    ['a negative weight', withBallot([[0]], rat(-1)), /^ballot 3: a negative weight/],
    ['no seats', { ...base, seats: 0 }, /number of seats must be a whole number of at least 1/],
    ['two candidates of one name', { ...base, candidates: ['A', 'B', 'A'] }, /same name/],
    ['a withdrawn candidate that does not exist', { ...base, withdrawn: [5] }, /withdrawn candidate 5 does not exist/],
    [
      'a tie order that is not a permutation',
      { ...base, tieOrder: [0, 0, 1] },
      /tie order must list every candidate exactly once/,
    ],
  ])('%s', (_what, e, message) => {
    expect(() => countStv(e, rules, 's')).toThrow(message);
    expect(() => countStv(e, rules, 's')).toThrow(RangeError); // BallotError for a ballot, as in every count
  });
});

describe.each(RULES)('%s in degenerate cases', (rules) => {
  test('no ballots at all: the seats still go to standing candidates, by lot', () => {
    const r = countStv({ ...base, ballots: [] }, rules, 'empty');
    expect(r.elected).toHaveLength(1);
    expect(r.ties.length).toBeGreaterThan(0);
    expect(r.ties.every((t) => t.brokenBy === 'lot')).toBe(true);
  });

  test('fewer standing candidates than seats: all are elected', () => {
    const r = countStv({ ...base, seats: 3, withdrawn: [2] }, rules, 's');
    expect([...r.elected].sort()).toEqual(['A', 'B']);
    expect(r.notes).toContain('Only 2 candidate(s) stand for 3 seats.');
    expect(r.rounds).toHaveLength(1);
  });

  test("fractional weights (the delegate model) are counted, truncated to the rule's places", () => {
    // 2/3 of a vote for A against 1/2 for B: A wins the one seat on first preferences.
    const e: Election<RankedBallot> = {
      ...base,
      ballots: [
        { weight: rat(2, 3), ranking: [[0]] },
        { weight: rat(1, 2), ranking: [[1]] },
      ],
    };
    const r = countStv(e, rules, 's');
    expect(r.elected).toEqual(['A']);
    const places = { scottish: 5, meek: 9, ers97: 2 }[rules];
    expect(r.rounds[0]!.votes.A).toBe(`0.${'6'.repeat(places)}`); // 2/3, truncated
  });

  test('the result is the same JSON every time', () => {
    const e = election(['A', 'B', 'C', 'D'], 2, [
      [5, 'A B'],
      [4, 'B C'],
      [4, 'C'],
      [3, 'D A'],
    ]);
    expect(JSON.stringify(countStv(e, rules, 'k'), (_k, v) => (typeof v === 'bigint' ? String(v) : v))).toBe(
      JSON.stringify(countStv(e, rules, 'k'), (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
    );
    expect(countStv(e, rules, 'k')).toMatchObject({
      method: 'stv',
      rules,
      seats: 2,
      seed: 'k',
      candidates: ['A', 'B', 'C', 'D'],
    });
  });
});

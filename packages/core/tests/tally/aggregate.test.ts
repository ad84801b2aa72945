import { aggregateRanked, scaleWeights } from '../../src/tally/aggregate';
import { rat } from '../../src/tally/rational';
import { tally } from '../../src/tally/index';
import type { Election, RankedBallot } from '../../src/tally/types';

const e = (
  ballots: Array<[bigint | [bigint, bigint], number[][]]>,
  withdrawn: number[] = [],
): Election<RankedBallot> => ({
  title: 't',
  candidates: ['A', 'B', 'C', 'D'],
  seats: 1,
  withdrawn,
  ballots: ballots.map(([w, ranking]) => ({ weight: Array.isArray(w) ? rat(w[0], w[1]) : rat(w), ranking })),
});

describe('aggregateRanked', () => {
  test('identical rankings merge, in order of first appearance, with weights summed exactly', () => {
    const groups = aggregateRanked(
      e([
        [1n, [[1], [0]]],
        [[1n, 3n], [[2]]],
        [2n, [[1], [0]]],
        [[1n, 6n], [[2]]],
        [1n, []],
      ]),
    );
    expect(groups).toEqual([
      { ranking: [[1], [0]], weight: rat(3), ballots: 2 },
      { ranking: [[2]], weight: rat(1, 2), ballots: 2 },
      { ranking: [], weight: rat(1), ballots: 1 },
    ]);
  });

  test('withdrawn candidates drop out: an equal group left with one member is a plain preference', () => {
    // D withdrawn: "B=D > A" becomes "B > A", the same as the first ballot; "D" alone becomes blank.
    const groups = aggregateRanked(
      e(
        [
          [1n, [[1], [0]]],
          [1n, [[3, 1], [0]]],
          [1n, [[3]]],
          [1n, [[2, 0, 1]]],
        ],
        [3],
      ),
    );
    expect(groups).toEqual([
      { ranking: [[1], [0]], weight: rat(2), ballots: 2 },
      { ranking: [], weight: rat(1), ballots: 1 },
      { ranking: [[0, 1, 2]], weight: rat(1), ballots: 1 },
    ]);
  });

  test('weights too large for doubles stay exact', () => {
    const huge = 2n ** 60n + 1n;
    const groups = aggregateRanked(
      e([
        [huge, [[0]]],
        [huge, [[0]]],
        [1n, [[0]]],
      ]),
    );
    expect(groups).toEqual([{ ranking: [[0]], weight: rat(2n * huge + 1n), ballots: 3 }]);
    // The pairwise count switches to bigints above 2^53: A over B = 2·huge + 1 exactly.
    const r = tally(
      e([
        [huge, [[0], [1]]],
        [huge, [[0], [1]]],
        [1n, [[1], [0]]],
      ]),
      { method: 'schulze' },
    );
    expect(r.pairwise?.matrix[0]?.[1]).toBe(String(2n * huge));
    expect(r.pairwise?.matrix[1]?.[0]).toBe('1');
    // IRV too: 2^60 against 2^60 + 1 are equal as doubles, but B has one vote more.
    const irv = tally(
      e([
        [huge - 1n, [[0]]],
        [huge, [[1]]],
      ]),
      { method: 'irv' },
    );
    expect(irv.rounds[0]?.votes).toEqual({ A: String(huge - 1n), B: String(huge), C: '0', D: '0' });
    expect(irv.elected).toEqual(['B']);
    // Score: 3 × (2^60 + 1) is not a double; the total must still be exact.
    const sc = tally(
      { title: 't', candidates: ['A', 'B'], seats: 1, withdrawn: [], ballots: [{ weight: rat(huge), scores: [3, 0] }] },
      { method: 'score', maxScore: 5 },
    );
    expect(sc.rounds[0]?.votes).toEqual({ A: String(3n * huge), B: '0' });
  });

  test('scaleWeights puts weights over one denominator', () => {
    expect(scaleWeights([rat(1, 2), rat(2, 3), rat(5)], 2n)).toEqual({ den: 12n, weights: [6n, 8n, 60n] });
  });
});

/**
 * Smallest flips of the members' vote for approval, score and ranked methods: hand-worked
 * elections, every witness replayed through the real count, and minimality checked by
 * brute force (every possible paper at every choice of fewer papers) on tiny elections.
 */
import { applyChanges, approvalFlip, flippedForCertain, rankedFlip, scoreFlip } from '../../src/delegates/method-flip';
import type { MethodFlip } from '../../src/delegates/method-flip';
import { type Election, type RankedBallot, type ScoreBallot, type TallyOptions, tally } from '../../src/tally/index';
import { rat } from '../../src/tally/rational';
import { papers, scored } from '../tally/helpers';

/** Replays the witness with two seeds: the elected set must change, with no lot. */
function replays<B>(election: Election<B>, options: TallyOptions, flip: MethodFlip<B>): void {
  const before = tally(election as Election<never>, options).elected;
  expect(flip.changes).toHaveLength(flip.papers);
  expect(new Set(flip.changes.map((c) => c.paper)).size).toBe(flip.papers);
  for (const seed of ['omov', 'another seed']) {
    const after = tally(applyChanges(election, flip.changes) as Election<never>, { ...options, seed });
    expect(flippedForCertain(before, after)).toBe(true);
    if (election.seats === 1) expect(after.elected).not.toContain(flip.from);
    if (election.seats === 1 && flip.exact) expect(after.elected).toEqual([flip.to]);
  }
}

function subsets(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  const out: number[][] = [];
  for (let first = 0; first <= n - k; first++)
    for (const rest of subsets(n - first - 1, k - 1)) out.push([first, ...rest.map((r) => r + first + 1)]);
  return out;
}

/** Does changing some `k` papers, each to any of `possible`, flip the count for certain? */
function anyFlip<B>(election: Election<B>, options: TallyOptions, possible: ReadonlyArray<B>, k: number): boolean {
  const before = tally(election as Election<never>, options).elected;
  for (const chosen of subsets(election.ballots.length, k)) {
    const total = possible.length ** k;
    for (let code = 0; code < total; code++) {
      let c = code;
      const changes = chosen.map((paper) => {
        const to = possible[c % possible.length]!;
        c = Math.floor(c / possible.length);
        return { paper, to };
      });
      if (flippedForCertain(before, tally(applyChanges(election, changes) as Election<never>, options))) return true;
    }
  }
  return false;
}

/** Every ranked paper over `c` candidates: each ordering of each subset (strict), and blank. */
function allRankings(c: number): RankedBallot[] {
  const out: number[][] = [[]];
  const grow = (prefix: number[]): void => {
    for (let i = 0; i < c; i++)
      if (!prefix.includes(i)) {
        out.push([...prefix, i]);
        grow([...prefix, i]);
      }
  };
  grow([]);
  return out.map((r) => ({ weight: rat(1), ranking: r.map((i) => [i]) }));
}

/** Every approval paper over `c` candidates (each subset as one group, and blank). */
function allApprovals(c: number): RankedBallot[] {
  const out: RankedBallot[] = [];
  for (let mask = 0; mask < 1 << c; mask++) {
    const set = [...Array(c).keys()].filter((i) => mask & (1 << i));
    out.push({ weight: rat(1), ranking: set.length ? [set] : [] });
  }
  return out;
}

describe('approval: exact', () => {
  // A 8 (5 "A" + 3 "A=B"), B 7 (3 + 4 "B"), C 2. A wins by 1 over B. A paper approving A
  // and not B moves the B−A margin by 2 (A loses one, B gains one): one such paper, made
  // a vote for B alone, gives B 8 > A 7. One paper; zero never flips.
  const election = papers(
    ['A', 'B', 'C'],
    [
      [5, 'A'],
      [3, 'A=B'],
      [4, 'B'],
      [2, 'C'],
    ],
  );
  it('hand-worked: one paper, A to B', () => {
    const flip = approvalFlip(election)!;
    expect(flip).toMatchObject({ exact: true, papers: 1, from: 'A', to: 'B' });
    replays(election, { method: 'approval' }, flip);
  });

  it('one strong paper only ties, so a second is needed', () => {
    // A 6 (2 "A" + 4 "A=B"), B 4: margin 2. An "A" paper gains 2 (2 is not more than 2,
    // a tie left to a lot); the second "A" paper brings 4 > 2: two papers.
    const e = papers(
      ['A', 'B'],
      [
        [4, 'A=B'],
        [2, 'A'],
      ],
    );
    const flip = approvalFlip(e)!;
    expect(flip).toMatchObject({ papers: 2, from: 'A', to: 'B' });
    replays(e, { method: 'approval' }, flip);
    expect(anyFlip(e, { method: 'approval' }, allApprovals(2), 1)).toBe(false);
  });

  it('brute force: no fewer papers flip, on tiny elections', () => {
    const cases = [
      papers(
        ['A', 'B', 'C'],
        [
          [3, 'A'],
          [2, 'B=C'],
          [1, 'A=C'],
        ],
      ),
      papers(
        ['A', 'B', 'C'],
        [
          [2, 'A=B'],
          [2, 'A'],
          [1, 'C'],
          [1, 'B'],
        ],
        2,
      ),
      papers(
        ['A', 'B', 'C'],
        [
          [4, 'A'],
          [1, 'B'],
          [1, ''],
        ],
      ),
    ];
    for (const e of cases) {
      const options = { method: 'approval' as const };
      const flip = approvalFlip(e)!;
      replays(e, options, flip);
      expect(anyFlip(e, options, allApprovals(3), flip.papers - 1)).toBe(false);
    }
  });

  it('respects maxMarks: a paper set aside counts for no one', () => {
    // "A=B=C" papers are invalid with maxMarks 2: A 3, B 1 (valid), so margin 2 over B.
    const e = papers(
      ['A', 'B', 'C'],
      [
        [3, 'A'],
        [1, 'B'],
        [4, 'A=B=C'],
      ],
    );
    const flip = approvalFlip(e, { maxMarks: 2 })!;
    expect(flip.papers).toBe(2); // each "A" paper gains 2; 2 is not > 2
    replays(e, { method: 'approval', maxMarks: 2 }, flip);
  });

  it('null when every candidate is elected', () => {
    expect(approvalFlip(papers(['A', 'B'], [[1, 'A']], 2))).toBeNull();
  });
});

describe('score: exact', () => {
  // Max 5. Totals: A 4×5 = 20, B 1×5 = 5; margin 15. An "A 5, B 0" paper moved to "B 5"
  // gains 5 + 5 = 10, the "B 5" paper gains nothing: 10 is not > 15, 20 is: two papers.
  const election = scored(
    ['A', 'B'],
    [
      [4, [5, 0]],
      [1, [0, 5]],
    ],
  );
  it('hand-worked: two papers', () => {
    const flip = scoreFlip(election, { maxScore: 5 })!;
    expect(flip).toMatchObject({ exact: true, papers: 2, from: 'A', to: 'B' });
    replays(election, { method: 'score', maxScore: 5 }, flip);
  });

  it('brute force: no fewer papers flip, on tiny elections', () => {
    const possible: ScoreBallot[] = [];
    for (const a of [null, 0, 1, 2]) for (const b of [null, 0, 1, 2]) possible.push({ weight: rat(1), scores: [a, b] });
    const cases = [
      scored(
        ['A', 'B'],
        [
          [3, [2, 1]],
          [2, [0, 2]],
          [1, [1, null]],
        ],
      ),
      scored(
        ['A', 'B'],
        [
          [4, [2, 0]],
          [1, [1, 2]],
        ],
      ),
      scored(
        ['A', 'B'],
        [
          [2, [2, 2]],
          [2, [2, 1]],
          [1, [7, 0]],
        ],
      ), // the last is set aside
    ];
    for (const e of cases) {
      const options = { method: 'score' as const, maxScore: 2 };
      const flip = scoreFlip(e, { maxScore: 2 })!;
      replays(e, options, flip);
      expect(anyFlip(e, options, possible, flip.papers - 1)).toBe(false);
    }
  });
});

describe('ranked methods: an upper bound with a replayed witness', () => {
  it('IRV hand-worked: two papers, and brute force shows one is not enough', () => {
    // Round 1: A 8, B 7, C 5; C out, its papers go to B: B 12, A 8. B wins.
    // Two "B>A" papers made votes for C alone: A 8, B 5, C 7; B out, its five papers go
    // to A: A 13, C 7. A wins, no lot. One paper is not enough: B>A to C ties B and C at
    // 6 (a lot), B>A to A leaves A 9, B 6, C 5 and B wins after C's transfer.
    const e = papers(
      ['A', 'B', 'C'],
      [
        [8, 'A>B'],
        [7, 'B>A'],
        [5, 'C>B'],
      ],
    );
    const flip = rankedFlip(e, { method: 'irv' })!;
    expect(flip).toMatchObject({ exact: false, papers: 2, from: 'B', to: 'C' });
    expect(tally(applyChanges(e, flip.changes), { method: 'irv' }).elected).toEqual(['A']);
    replays(e, { method: 'irv' }, flip);
    expect(anyFlip(e, { method: 'irv' }, allRankings(3), 1)).toBe(false);
  });

  it('IRV: on these tiny elections the bound is tight (brute force over one paper fewer)', () => {
    const cases = [
      papers(
        ['A', 'B', 'C'],
        [
          [3, 'A>B'],
          [2, 'B>C'],
          [2, 'C>B'],
        ],
      ),
      papers(
        ['A', 'B', 'C'],
        [
          [4, 'A>C'],
          [3, 'B>C'],
          [2, 'C>B'],
        ],
      ),
    ];
    for (const e of cases) {
      const flip = rankedFlip(e, { method: 'irv' })!;
      replays(e, { method: 'irv' }, flip);
      expect(flip.papers).toBeLessThanOrEqual(3);
      expect(anyFlip(e, { method: 'irv' }, allRankings(3), flip.papers - 1)).toBe(false);
    }
  });

  it('IRV: the bound can exceed the true minimum (it is "at most")', () => {
    // Round 1: A 3, B 2, C 2: B and C tie for exclusion and a lot decides. The search
    // (votes for one candidate alone) needs 2 papers; brute force finds a single paper
    // that elects someone else with no lot.
    const e = papers(
      ['A', 'B', 'C'],
      [
        [3, 'A'],
        [2, 'B>A'],
        [2, 'C>B'],
      ],
    );
    const flip = rankedFlip(e, { method: 'irv' })!;
    replays(e, { method: 'irv' }, flip);
    expect(flip.papers).toBe(2);
    expect(anyFlip(e, { method: 'irv' }, allRankings(3), 1)).toBe(true);
  });

  it('STV, Borda and Schulze witnesses replay', () => {
    const e = papers(
      ['A', 'B', 'C', 'D'],
      [
        [9, 'A>B>C'],
        [6, 'B>A>D'],
        [5, 'C>D>B'],
        [4, 'D>C>A'],
      ],
      2,
    );
    for (const options of [
      { method: 'stv', rules: 'scottish' },
      { method: 'stv', rules: 'meek' },
    ] as const) {
      const flip = rankedFlip(e, options)!;
      expect(flip.exact).toBe(false);
      replays(e, options, flip);
    }
    const single = { ...e, seats: 1 };
    for (const options of [{ method: 'borda' }, { method: 'schulze' }] as const) {
      const flip = rankedFlip(single, options)!;
      replays(single, options, flip);
    }
  });
});

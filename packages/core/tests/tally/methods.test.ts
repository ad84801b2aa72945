import { tally } from '../../src/tally/index';
import { BallotError } from '../../src/tally/aggregate';
import { rat } from '../../src/tally/rational';
import type { Election, RankedBallot } from '../../src/tally/types';
import { papers, scored, weighted } from './helpers';

/**
 * Wikipedia, "Schulze method", the example with 45 voters and 5 candidates
 * (https://en.wikipedia.org/wiki/Schulze_method#Example). Published: pairwise d[A,B]=20,
 * d[B,A]=25, ...; strongest paths p[A,*] = -,28,28,30,24, ...; winner E; order E > A > C > B > D.
 */
const schulzeExample = papers(
  ['A', 'B', 'C', 'D', 'E'],
  [
    [5, 'A>C>B>E>D'],
    [5, 'A>D>E>C>B'],
    [8, 'B>E>D>A>C'],
    [3, 'C>A>B>E>D'],
    [7, 'C>A>E>B>D'],
    [2, 'C>B>A>D>E'],
    [7, 'D>C>E>B>A'],
    [8, 'E>B>A>D>C'],
  ],
);

/**
 * Wikipedia's Tennessee capital example (used on the IRV, Borda, Condorcet pages): 42%
 * Memphis>Nashville>Chattanooga>Knoxville, 26% N>C>K>M, 15% C>K>N>M, 17% K>C>N>M.
 * Nashville is the Condorcet winner; IRV elects Knoxville; plurality elects Memphis;
 * Borda (3,2,1,0) gives N 194, C 173, M 126, K 107.
 */
const tennessee = weighted(
  ['Memphis', 'Nashville', 'Chattanooga', 'Knoxville'],
  [
    [42, 'Memphis>Nashville>Chattanooga>Knoxville'],
    [26, 'Nashville>Chattanooga>Knoxville>Memphis'],
    [15, 'Chattanooga>Knoxville>Nashville>Memphis'],
    [17, 'Knoxville>Chattanooga>Nashville>Memphis'],
  ],
);

describe('Condorcet methods', () => {
  test('Schulze on the Wikipedia 45-voter example: matrix, no Condorcet winner, E wins, order E A C B D', () => {
    const r = tally(schulzeExample, { method: 'schulze' });
    expect(r.pairwise?.matrix).toEqual([
      ['0', '20', '26', '30', '22'],
      ['25', '0', '16', '33', '18'],
      ['19', '29', '0', '17', '24'],
      ['15', '12', '28', '0', '14'],
      ['23', '27', '21', '31', '0'],
    ]);
    expect(r.pairwise?.condorcetWinner).toBeNull();
    expect(r.elected).toEqual(['E']);
    expect(tally({ ...schulzeExample, seats: 5 }, { method: 'schulze' }).elected).toEqual(['E', 'A', 'C', 'B', 'D']);
    // Published strongest paths from A: B 28, C 28, D 30, E 24.
    expect(r.notes?.join('\n')).toContain('A: B 28, C 28, D 30, E 24');
    expect(r.ties).toEqual([]);
  });

  test('ranked pairs on the same example elects A (hand count)', () => {
    // Majorities by winning votes: B>D 33, E>D 31, A>D 30, C>B 29, D>C 28 (cycle C>B>D>C: skipped),
    // E>B 27, A>C 26, B>A 25 (cycle A>C>B>A: skipped), C>E 24, E>A 23 (cycle A>C>E>A: skipped).
    // Locked graph order: A > C > E > B > D.
    const r = tally({ ...schulzeExample, seats: 5 }, { method: 'ranked-pairs' });
    expect(r.elected).toEqual(['A', 'C', 'E', 'B', 'D']);
    expect(r.ties).toEqual([]);
  });

  test('Copeland on the same example elects E (3 pairwise wins, others at most 2)', () => {
    const r = tally(schulzeExample, { method: 'copeland' });
    expect(r.elected).toEqual(['E']);
    expect(r.rounds[0]?.votes).toEqual({ A: '2', B: '2', C: '2', D: '1', E: '3' });
  });

  test('Tennessee: every Condorcet method elects Nashville, the Condorcet winner', () => {
    for (const method of ['schulze', 'ranked-pairs', 'copeland'] as const) {
      const r = tally(tennessee, { method });
      expect(r.pairwise?.condorcetWinner).toBe('Nashville');
      expect(r.elected).toEqual(['Nashville']);
      // Equal majorities exist (N over C and N over K, both 68-32) but lock either way: no lot.
      expect(r.ties).toEqual([]);
    }
  });

  test('ranked pairs: a cycle of equal majorities is ordered by a tie-breaking ranking drawn by lot', () => {
    // A>B>C, B>C>A, C>A>B: each majority is 2-1 and they form a cycle. Zavist-Tideman order the
    // three pairs by the TBRC; the first two lock and the third would close the cycle, so the
    // winner is the one no locked pair beats: the winner of the first two pairs that is not a loser.
    const cycle = papers(
      ['A', 'B', 'C'],
      [
        [1, 'A>B>C'],
        [1, 'B>C>A'],
        [1, 'C>A>B'],
      ],
    );
    const winners = new Set<string>();
    for (let k = 0; k < 12; k++) {
      const r = tally(cycle, { method: 'ranked-pairs', seed: `s${k}` });
      expect(r.ties).toHaveLength(1);
      expect(r.ties[0]).toMatchObject({ brokenBy: 'lot', between: ['A', 'B', 'C'] });
      const order = /: ([A-C]) over ([A-C]); ([A-C]) over ([A-C]); ([A-C]) over ([A-C])\.$/.exec(r.ties[0]!.note);
      expect(order).not.toBeNull();
      const [, w1, l1, w2, l2] = order!;
      expect(r.ties[0]!.chosen).toBe(`${w1} over ${l1}`);
      expect(r.elected).toEqual([[w1, w2].find((w) => w !== l1 && w !== l2)]);
      winners.add(r.elected[0]!);
    }
    expect(winners.size).toBeGreaterThan(1);
  });
});

describe('IRV', () => {
  test('Tennessee: IRV elects Knoxville, missing the Condorcet winner Nashville', () => {
    const r = tally(tennessee, { method: 'irv' });
    expect(r.elected).toEqual(['Knoxville']);
    // Round 1: M 42 N 26 C 15 K 17; C out -> K 32; N out -> (C gone) K 58.
    expect(r.rounds.map((x) => x.votes)).toEqual([
      { Memphis: '42', Nashville: '26', Chattanooga: '15', Knoxville: '17' },
      { Memphis: '42', Nashville: '26', Knoxville: '32' },
      { Memphis: '42', Knoxville: '58' },
    ]);
    expect(r.rounds.map((x) => x.excluded)).toEqual([[], ['Chattanooga'], ['Nashville']]);
    expect(r.rounds[2]?.elected).toEqual(['Knoxville']);
  });

  test('centre squeeze: the Condorcet winner is excluded first (hand count)', () => {
    // 35 L>C>R, 34 R>C>L, 31 C>L>R. C beats L 65-35 and R 66-34, but has fewest first preferences.
    const e = papers(
      ['L', 'C', 'R'],
      [
        [35, 'L>C>R'],
        [34, 'R>C>L'],
        [31, 'C>L>R'],
      ],
    );
    expect(tally(e, { method: 'irv' }).elected).toEqual(['L']);
    expect(tally(e, { method: 'schulze' }).elected).toEqual(['C']);
  });

  test('exhausted papers are reported every round and leave the majority to the continuing votes', () => {
    // A 4, B 3, C 2 (C only). C out: 2 exhausted; A has 4 of 7 continuing: elected.
    const e = papers(
      ['A', 'B', 'C'],
      [
        [4, 'A'],
        [3, 'B'],
        [2, 'C'],
        [1, ''],
      ],
    );
    const r = tally(e, { method: 'irv' });
    expect(r.rounds.map((x) => x.exhausted)).toEqual(['0', '2']);
    expect(r.rounds[1]?.transfers).toEqual([{ from: 'C', kind: 'exclusion', to: {}, exhausted: '2' }]);
    expect(r.rounds[0]?.quota).toBe('9/2');
    expect(r.rounds[1]?.quota).toBe('7/2');
    expect(r.elected).toEqual(['A']);
    expect(r.summary?.blank).toBe('1');
  });

  test('a tie for exclusion is settled by the most recent earlier round where they differed', () => {
    // Round 1: A 7, B 5, C 4, D 3. D's 3 papers: 1 to B, 2 to C → round 2: A 7, B 6, C 6.
    // B and C tie at 6; at round 1 C had 4 < 5, so C is excluded by the rules, not by lot.
    const e = papers(
      ['A', 'B', 'C', 'D'],
      [
        [7, 'A'],
        [5, 'B'],
        [4, 'C'],
        [1, 'D>B'],
        [2, 'D>C'],
      ],
    );
    const r = tally(e, { method: 'irv' });
    expect(r.rounds[1]?.votes).toEqual({ A: '7', B: '6', C: '6' });
    expect(r.rounds[2]?.excluded).toEqual(['C']);
    expect(r.ties).toEqual([
      expect.objectContaining({ round: 2, between: ['B', 'C'], brokenBy: 'rules', chosen: 'C' }),
    ]);
  });

  test('equal preferences share a paper equally', () => {
    // 2 papers A=B, 1 paper A, 2 papers C: round 1 A 2, B 1, C 2 (no one over half of 5).
    // B out: the A=B papers now go wholly to A: A 3, C 2. A elected.
    const e = papers(
      ['A', 'B', 'C'],
      [
        [2, 'A=B'],
        [1, 'A'],
        [2, 'C'],
      ],
    );
    const r = tally(e, { method: 'irv' });
    expect(r.rounds[0]?.votes).toEqual({ A: '2', B: '1', C: '2' });
    expect(r.rounds[1]?.transfers).toEqual([{ from: 'B', kind: 'exclusion', to: { A: '1' }, exhausted: '0' }]);
    expect(r.rounds[1]?.votes).toEqual({ A: '3', C: '2' });
    expect(r.elected).toEqual(['A']);
    // 1 paper A=B=C over three: thirds, exactly.
    expect(
      tally(
        papers(
          ['A', 'B', 'C'],
          [
            [1, 'A=B=C'],
            [1, 'A'],
          ],
        ),
        { method: 'irv' },
      ).rounds[0]?.votes,
    ).toEqual({ A: '4/3', B: '1/3', C: '1/3' });
  });
});

describe('Borda', () => {
  test('Tennessee, standard: N 194, C 173, M 126, K 107 (published)', () => {
    const r = tally(tennessee, { method: 'borda' });
    expect(r.rounds[0]?.votes).toEqual({ Memphis: '126', Nashville: '194', Chattanooga: '173', Knoxville: '107' });
    expect(r.elected).toEqual(['Nashville']);
  });

  test('Tennessee, Dowdall: 1, 1/2, 1/3, 1/4 (hand count)', () => {
    // M 42 + 58/4 = 113/2; N 42/2 + 26 + 15/3 + 17/3 = 173/3; C 42/3 + 26/2 + 15 + 17/2 = 101/2;
    // K 42/4 + 26/3 + 15/2 + 17 = 131/3.
    const r = tally(tennessee, { method: 'borda', variant: 'dowdall' });
    expect(r.rounds[0]?.votes).toEqual({
      Memphis: '113/2',
      Nashville: '173/3',
      Chattanooga: '101/2',
      Knoxville: '131/3',
    });
    expect(r.elected).toEqual(['Nashville']);
  });

  test('partial rankings are averaged: the unranked share the places left', () => {
    // One paper "A" over A, B, C: A 2; B and C share 1 + 0 → 1/2 each. Dowdall: A 1; B, C share 1/2 + 1/3 → 5/12.
    const e = papers(['A', 'B', 'C'], [[1, 'A']]);
    expect(tally(e, { method: 'borda' }).rounds[0]?.votes).toEqual({ A: '2', B: '1/2', C: '1/2' });
    expect(tally(e, { method: 'borda', variant: 'dowdall' }).rounds[0]?.votes).toEqual({
      A: '1',
      B: '5/12',
      C: '5/12',
    });
    // "A=B>C": A and B share 2 + 1; C gets 0.
    expect(tally(papers(['A', 'B', 'C'], [[1, 'A=B>C']]), { method: 'borda' }).rounds[0]?.votes).toEqual({
      A: '3/2',
      B: '3/2',
      C: '0',
    });
  });
});

describe('plurality, block, approval', () => {
  test('plurality: Tennessee elects Memphis', () => {
    expect(tally(tennessee, { method: 'plurality' }).elected).toEqual(['Memphis']);
  });

  test('plurality: a paper with two equal first marks is invalid', () => {
    const r = tally(
      papers(
        ['A', 'B'],
        [
          [2, 'A'],
          [1, 'B'],
          [3, 'A=B'],
          [1, ''],
        ],
      ),
      { method: 'plurality' },
    );
    expect(r.rounds[0]?.votes).toEqual({ A: '2', B: '1' });
    expect(r.summary).toMatchObject({ valid: '3', invalid: '3', blank: '1', invalidPapers: '3' });
  });

  test('block vote reads up to n leading marks', () => {
    // seats 2: "A>B>C" marks A, B; "C=D" marks C, D; "A=B=C" is invalid; "D>B=C" marks only D.
    const e = papers(
      ['A', 'B', 'C', 'D'],
      [
        [3, 'A>B>C'],
        [2, 'C=D'],
        [1, 'A=B=C'],
        [2, 'D>B=C'],
      ],
      2,
    );
    const r = tally(e, { method: 'block' });
    expect(r.rounds[0]?.votes).toEqual({ A: '3', B: '3', C: '2', D: '4' });
    expect(r.summary?.invalid).toBe('1');
    // D 4, then A and B tie at 3 for the second seat: a lot.
    expect(r.elected[0]).toBe('D');
    expect(r.ties).toHaveLength(1);
    expect(r.ties[0]).toMatchObject({ between: ['A', 'B'], brokenBy: 'lot', chosen: r.elected[1] });
  });

  test('approval: more marks than the maximum make a paper invalid', () => {
    // max 2: 3×{A,B}, 2×{A,B,C} invalid, 4×{C}, 1×{B} → A 3, B 4, C 4: B and C take the two seats.
    const e = papers(
      ['A', 'B', 'C'],
      [
        [3, 'A=B'],
        [2, 'A=B=C'],
        [4, 'C'],
        [1, 'B'],
      ],
      2,
    );
    const r = tally(e, { method: 'approval', maxMarks: 2 });
    expect(r.rounds[0]?.votes).toEqual({ A: '3', B: '4', C: '4' });
    expect(r.elected).toEqual(['B', 'C']);
    expect(r.ties).toEqual([]);
    expect(r.summary).toMatchObject({ invalid: '2', invalidPapers: '2', maxMarks: '2', valid: '8' });
    // Without a maximum the two papers count: A 5, B 6, C 6.
    expect(tally(e, { method: 'approval' }).rounds[0]?.votes).toEqual({ A: '5', B: '6', C: '6' });
  });
});

describe('score', () => {
  test('totals, averages over valid papers, unscored as 0, out-of-range invalid', () => {
    // 0..5. Papers: [5,2,null] ×2, [1,4,3] ×1, [0,null,5] ×1, [6,0,0] (invalid), [null,null,null] (blank).
    // Totals: A 10+1+0 = 11, B 4+4 = 8, C 3+5 = 8. Valid papers 4: averages A 11/4, B 2, C 2.
    const e = scored(
      ['A', 'B', 'C'],
      [
        [2, [5, 2, null]],
        [1, [1, 4, 3]],
        [1, [0, null, 5]],
        [1, [6, 0, 0]],
        [1, [null, null, null]],
      ],
    );
    const r = tally(e, { method: 'score', maxScore: 5 });
    expect(r.rounds[0]?.votes).toEqual({ A: '11', B: '8', C: '8' });
    expect(r.elected).toEqual(['A']);
    expect(r.summary).toMatchObject({
      'average A': '11/4',
      'average B': '2',
      'average C': '2',
      invalid: '1',
      blank: '1',
      valid: '4',
      'scoredBy B': '3',
    });
  });
});

describe('yes/no', () => {
  const referendum = (yes: number, no: number, abstain = 0): Election<RankedBallot> =>
    papers(
      ['Yes', 'No'],
      [
        [yes, 'Yes'],
        [no, 'No'],
        [abstain, ''],
      ],
    );

  test('simple majority: more Yes than No carries; a tie fails', () => {
    expect(tally(referendum(51, 49, 30), { method: 'yesno' }).elected).toEqual(['Yes']);
    expect(tally(referendum(50, 50), { method: 'yesno' }).elected).toEqual(['No']);
  });

  test('two-thirds: 66 of 100 fails, 67 of 100 carries; abstentions are not votes cast', () => {
    // 2/3 of 100 = 66 2/3.
    const fail = tally(referendum(66, 34, 50), { method: 'yesno', threshold: '2/3' });
    expect(fail.elected).toEqual(['No']);
    expect(fail.summary).toMatchObject({ cast: '100', blank: '50', needed: '200/3', carried: false });
    expect(tally(referendum(67, 33, 50), { method: 'yesno', threshold: '2/3' }).elected).toEqual(['Yes']);
    // 2 of 3 is exactly two thirds: "at least" carries.
    expect(tally(referendum(2, 1), { method: 'yesno', threshold: '2/3' }).elected).toEqual(['Yes']);
  });

  test('quorum: turnout (abstentions included) below the quorum decides nothing', () => {
    // Electorate 1000, quorum 1/4 → 250 needed. 150 + 50 + 40 abstaining = 240: fails.
    const r = tally(referendum(150, 50, 40), { method: 'yesno', quorum: '1/4', electorate: 1000 });
    expect(r.elected).toEqual([]);
    expect(r.summary).toMatchObject({ turnout: '240', quorumNeeded: '250', quorumMet: false });
    expect(r.rounds[0]?.note).toMatch(/Quorum not reached/);
    // 10 more abstentions reach it: carried.
    expect(tally(referendum(150, 50, 50), { method: 'yesno', quorum: '1/4', electorate: 1000 }).elected).toEqual([
      'Yes',
    ]);
    expect(() => tally(referendum(1, 1), { method: 'yesno', quorum: '1/4' })).toThrow(/electorate/);
  });

  test('options named No, Yes are read by name', () => {
    const e = papers(
      ['No', 'Yes'],
      [
        [3, 'Yes'],
        [1, 'No'],
      ],
    );
    expect(tally(e, { method: 'yesno' }).elected).toEqual(['Yes']);
  });
});

describe('ties by lot', () => {
  const even = papers(
    ['A', 'B', 'C'],
    [
      [5, 'A'],
      [5, 'B'],
      [5, 'C'],
    ],
  );

  test('the same seed gives the same draw; some other seed draws differently', () => {
    const first = tally(even, { method: 'plurality', seed: 'agm' });
    expect(tally(even, { method: 'plurality', seed: 'agm' })).toEqual(first);
    expect(first.ties).toEqual([
      expect.objectContaining({ between: ['A', 'B', 'C'], brokenBy: 'lot', chosen: first.elected[0] }),
    ]);
    const winners = new Set<string>();
    for (let k = 0; k < 30; k++) winners.add(tally(even, { method: 'plurality', seed: `seed-${k}` }).elected[0]!);
    expect(winners.size).toBeGreaterThan(1);
    expect(tally(even, { method: 'plurality' }).seed).toBe('omov');
  });

  test('a tie order given with the election is the lot', () => {
    // Tie order C, A, B: C is picked first (elected in plurality, excluded in IRV).
    const fixed = { ...even, tieOrder: [2, 0, 1] };
    const p = tally(fixed, { method: 'plurality', seed: 'anything' });
    expect(p.elected).toEqual(['C']);
    expect(p.ties[0]?.note).toMatch(/tie order given with the election/);
    const irv = tally(fixed, { method: 'irv' });
    expect(irv.rounds[1]?.excluded).toEqual(['C']);
    expect(irv.ties[0]).toMatchObject({ brokenBy: 'lot', chosen: 'C' });
  });

  test('IRV and Copeland record their lots too', () => {
    expect(tally(even, { method: 'irv' }).ties.some((t) => t.brokenBy === 'lot')).toBe(true);
    const c = tally(even, { method: 'copeland' });
    expect(c.ties).toEqual([expect.objectContaining({ brokenBy: 'lot', between: ['A', 'B', 'C'] })]);
  });
});

describe('entry point', () => {
  test('wrong ballot shape is a clear error at run time (and a type error when written out)', () => {
    const ranked = papers(['A', 'B'], [[1, 'A']]);
    // @ts-expect-error score needs score ballots
    expect(() => tally(ranked, { method: 'score' })).toThrow(/score ballots, but ballot 1/);
    const sc = scored(['A', 'B'], [[1, [1, 2]]]);
    // @ts-expect-error irv needs ranked ballots
    expect(() => tally(sc, { method: 'irv' })).toThrow(/ranked ballots, but ballot 1/);
  });

  test('bad ballots throw BallotError naming the ballot', () => {
    const e: Election<RankedBallot> = {
      title: 't',
      candidates: ['A', 'B'],
      withdrawn: [],
      seats: 1,
      ballots: [
        { weight: rat(1), ranking: [[0]] },
        { weight: rat(1), ranking: [[0], [0]] },
      ],
    };
    expect(() => tally(e, { method: 'plurality' })).toThrow(BallotError);
    expect(() => tally(e, { method: 'plurality' })).toThrow(/ballot 2: candidate "A" appears twice/);
    expect(() => tally({ ...e, ballots: [{ weight: rat(-1), ranking: [[0]] }] }, { method: 'irv' })).toThrow(
      /negative weight/,
    );
  });

  test('withdrawn candidates are skipped and preferences pass on', () => {
    const e = papers(
      ['A', 'B', 'C'],
      [
        [3, 'A>B'],
        [2, 'C'],
        [2, 'B'],
      ],
      1,
      ['A'],
    );
    const r = tally(e, { method: 'plurality' });
    expect(r.candidates).toEqual(['B', 'C']);
    expect(r.rounds[0]?.votes).toEqual({ B: '5', C: '2' });
  });

  test('stv is counted by the STV module through the same entry point', () => {
    // 9 papers, 2 seats: Droop quota floor(9/3)+1 = 4. A (6) is elected, surplus 2 passes to B
    // (2 < C's 3), B is excluded, and C fills the last seat.
    const e = papers(
      ['A', 'B', 'C'],
      [
        [6, 'A>B'],
        [3, 'C'],
      ],
      2,
    );
    for (const rules of ['scottish', 'meek'] as const) {
      const r = tally(e, { method: 'stv', rules });
      expect(r).toMatchObject({ method: 'stv', rules, elected: ['A', 'C'] });
    }
  });

  test('weights are exact fractions', () => {
    const e: Election<RankedBallot> = {
      title: 't',
      candidates: ['A', 'B'],
      withdrawn: [],
      seats: 1,
      ballots: [
        { weight: rat(1, 3), ranking: [[0]] },
        { weight: rat(1, 6), ranking: [[0]] },
        { weight: rat(2, 3), ranking: [[1]] },
      ],
    };
    const r = tally(e, { method: 'irv' });
    expect(r.rounds[0]?.votes).toEqual({ A: '1/2', B: '2/3' });
    expect(r.elected).toEqual(['B']);
  });
});

/**
 * Scottish STV (SSI 2007/42, rules 45-52), checked against counts worked by hand. Every
 * figure below is computed in the comments from the rules, 5 decimals, remainders ignored.
 */
import { countStv } from '../../../src/tally/stv';
import { election } from './helpers';

describe('scottish: surplus transfers over several stages', () => {
  // 110 papers, 3 seats: quota = floor(110 / 4) + 1 = 28.
  //   60 A B D, 20 B C, 12 C, 8 D, 10 E C
  // Stage 1: A 60, B 20, C 12, D 8, E 10. A is elected (surplus 32).
  // Stage 2: A's 60 papers (value 1) pass to B at 1 x 32 / 60 = 0.53333 (0.533333...):
  //   B = 20 + 60 x 0.53333 = 20 + 31.99980 = 51.99980; A = 28; loss 0.00020. B is elected.
  // Stage 3: B's surplus 23.99980 from all B's papers (weighted inclusive Gregory):
  //   20 B C papers, value 1:     1 x 23.99980 / 51.99980 = 0.461536... -> 0.46153;
  //                               20 x 0.46153 = 9.23060 to C: C = 21.23060
  //   60 A B D papers, 0.53333:   0.53333 x 23.99980 / 51.99980 = 0.2461514... -> 0.24615;
  //                               60 x 0.24615 = 14.76900 to D: D = 22.76900
  //   loss 23.99980 - 9.23060 - 14.76900 = 0.00020 (0.00040 in all).
  // Stage 4: E (10) is excluded; 10 E C papers at 1 to C: C = 31.23060 >= 28, elected.
  const e = election(['A', 'B', 'C', 'D', 'E'], 3, [
    [60, 'A B D'],
    [20, 'B C'],
    [12, 'C'],
    [8, 'D'],
    [10, 'E C'],
  ]);
  const r = countStv(e, 'scottish', 'test');

  test('elects A, B, C in that order', () => {
    expect(r.elected).toEqual(['A', 'B', 'C']);
    expect(r.rounds.map((x) => x.elected)).toEqual([['A'], ['B'], [], ['C']]);
    expect(r.rounds.map((x) => x.excluded)).toEqual([[], [], [], ['E', 'D']]);
  });

  test('every stage has the hand-computed figures', () => {
    expect(r.rounds.map((x) => x.votes)).toEqual([
      { A: '60.00000', B: '20.00000', C: '12.00000', D: '8.00000', E: '10.00000' },
      { A: '28.00000', B: '51.99980', C: '12.00000', D: '8.00000', E: '10.00000' },
      { A: '28.00000', B: '28.00000', C: '21.23060', D: '22.76900', E: '10.00000' },
      { A: '28.00000', B: '28.00000', C: '31.23060', D: '22.76900', E: '0.00000' },
    ]);
    expect(r.rounds.map((x) => x.loss)).toEqual(['0.00000', '0.00020', '0.00040', '0.00040']);
    expect(r.rounds.every((x) => x.quota === '28.00000' && x.exhausted === '0.00000')).toBe(true);
    expect(r.summary).toMatchObject({ quota: '28.00000', validVotes: '110.00000' });
  });

  test('transfers say from whom, at what value, to whom', () => {
    expect(r.rounds[1]!.transfers).toEqual([
      { from: 'A', kind: 'surplus', value: '0.53333', to: { B: '31.99980' }, exhausted: '0.00000' },
    ]);
    expect(r.rounds[2]!.transfers).toEqual([
      { from: 'B', kind: 'surplus', value: '0.46153', to: { C: '9.23060', D: '14.76900' }, exhausted: '0.00000' },
    ]);
    expect(r.rounds[3]!.transfers).toEqual([
      { from: 'E', kind: 'exclusion', to: { C: '10.00000' }, exhausted: '0.00000' },
    ]);
    expect(r.rounds[3]!.note).toMatch(/E has the fewest votes/);
  });
});

describe('scottish: ties', () => {
  test('exclusion: the fewest votes at the most recent earlier stage where they differed (rule 51)', () => {
    // 15 papers, 2 seats, quota 6. Stage 1: A 1, B 2, C 3, D 4, E 5. Stage 2: A excluded,
    // its paper to B: B 3 = C 3. Stage 1 differs (B 2 < C 3): B is excluded at stage 3.
    // Stage 4: C excluded; D and E are left for the 2 seats (rule 52).
    const r = countStv(
      election(['A', 'B', 'C', 'D', 'E'], 2, [
        [1, 'A B'],
        [2, 'B'],
        [3, 'C'],
        [4, 'D'],
        [5, 'E'],
      ]),
      'scottish',
      's',
    );
    expect(r.rounds.map((x) => x.excluded)).toEqual([[], ['A'], ['B'], ['C']]);
    expect(r.elected).toEqual(['E', 'D']);
    expect(r.ties).toEqual([
      expect.objectContaining({ round: 3, between: ['B', 'C'], brokenBy: 'rules', chosen: 'B' }),
    ]);
    expect(r.ties[0]!.note).toMatch(/stage 1/);
  });

  test('exclusion looks back to the most recent difference, not the first', () => {
    // 10 A B, 20 A, 3 B, 4 C, 2 D C, 1 D, 11 F, 10 G: 61 papers, quota 21.
    //   Stage 1: A 30 (surplus 9), B 3, C 4, D 3, F 11, G 10.
    //   Stage 2: A's surplus, all 30 papers at 9/30 = 0.3: 10 A B -> B +3.00 = 6; 20 A: exhausted 6.
    //   Stage 3: D (3) excluded: 2 papers to C: C 6; 1 exhausted.
    //   Stage 4: B 6 = C 6. Most recent earlier stage where they differ: stage 3? No, equal
    //   there; stage 2: B 6 > C 4, so C has fewer and is excluded (ERS97 would look at
    //   stage 1 first, where B 3 < C 4, and exclude B).
    const r = countStv(
      election(['A', 'B', 'C', 'D', 'F', 'G'], 2, [
        [10, 'A B'],
        [20, 'A'],
        [3, 'B'],
        [4, 'C'],
        [2, 'D C'],
        [1, 'D'],
        [11, 'F'],
        [10, 'G'],
      ]),
      'scottish',
      's',
    );
    expect(r.rounds[1]!.votes).toMatchObject({ A: '21.00000', B: '6.00000', C: '4.00000' });
    expect(r.rounds[1]!.exhausted).toBe('6.00000');
    expect(r.rounds[2]!.votes).toMatchObject({ B: '6.00000', C: '6.00000', D: '0.00000' });
    expect(r.ties[0]).toMatchObject({ round: 4, between: ['B', 'C'], brokenBy: 'rules', chosen: 'C' });
    expect(r.rounds[3]!.excluded).toEqual(['C']);
  });

  test('largest surplus: the most votes at the most recent earlier stage where they differed (rule 49)', () => {
    // 47 papers, 4 seats: quota floor(47/5) + 1 = 10.
    //   20 A C, 11 B D, 1 C E, 8 D, 7 E
    // Stage 1: A 20, B 11 elected (surpluses 10 and 1); C 1, D 8, E 7.
    // Stage 2: A's 20 papers at 10/20 = 0.5 to C: C 11, elected (surplus 1).
    // Stage 3: B and C both have surplus 1; at stage 1 B 11 > C 1: B's goes first:
    //   11 B D papers at 1/11 = 0.09090 to D: +0.99990, D 8.99990; loss 0.00010.
    // Stage 4: C's surplus 1 from 11 votes: 1 C E paper (value 1) at 0.09090 to E (7.09090);
    //   20 A C papers (value 0.5) at 0.5 x 1 / 11 = 0.04545 each, no further preference:
    //   0.90900 exhausted; loss 1 - 0.09090 - 0.90900 = 0.00010.
    // Stage 5: E (7.09090) excluded, nothing further on its papers: D is left for the last seat.
    const r = countStv(
      election(['A', 'B', 'C', 'D', 'E'], 4, [
        [20, 'A C'],
        [11, 'B D'],
        [1, 'C E'],
        [8, 'D'],
        [7, 'E'],
      ]),
      'scottish',
      's',
    );
    expect(r.ties).toEqual([
      expect.objectContaining({ round: 3, between: ['B', 'C'], brokenBy: 'rules', chosen: 'B' }),
    ]);
    expect(r.rounds.map((x) => x.transfers?.[0]?.from)).toEqual([undefined, 'A', 'B', 'C', 'E']);
    expect(r.rounds[2]!.votes.D).toBe('8.99990');
    expect(r.rounds[3]!.votes).toMatchObject({ C: '10.00000', E: '7.09090' });
    expect(r.rounds[3]!.exhausted).toBe('0.90900');
    expect(r.rounds[3]!.loss).toBe('0.00020');
    expect(r.elected).toEqual(['A', 'B', 'C', 'D']);
  });

  test('equal at every stage: by lot, reproducible from the seed', () => {
    // 9 papers, 2 seats, quota 4: A 5 (elected; its surplus has nowhere to go), B 2, C 2.
    // B and C are level at every stage: a lot decides who is excluded.
    const e = election(['A', 'B', 'C'], 2, [
      [5, 'A'],
      [2, 'B'],
      [2, 'C'],
    ]);
    const outcomes = new Set<string>();
    for (let i = 0; i < 24; i++) {
      const r = countStv(e, 'scottish', `seed-${i}`);
      expect(countStv(e, 'scottish', `seed-${i}`)).toEqual(r); // same seed, same count
      expect(r.ties).toHaveLength(1);
      const tie = r.ties[0]!;
      expect(tie).toMatchObject({ round: 3, between: ['B', 'C'], brokenBy: 'lot' });
      expect(r.rounds[2]!.excluded).toEqual([tie.chosen]);
      expect(r.elected).toEqual(['A', tie.chosen === 'B' ? 'C' : 'B']);
      outcomes.add(tie.chosen);
    }
    expect(outcomes).toEqual(new Set(['B', 'C'])); // the seed decides (chance 2^-23 of a false failure)
  });

  test('equal surpluses at every stage: order of transfer by lot', () => {
    // 17 papers, 3 seats, quota floor(17/4) + 1 = 5: A 6 and B 6 both elected with surplus 1.
    const r = countStv(
      election(['A', 'B', 'C', 'D'], 3, [
        [6, 'A C'],
        [6, 'B D'],
        [3, 'C'],
        [2, 'D'],
      ]),
      'scottish',
      'x',
    );
    expect(r.ties).toEqual([expect.objectContaining({ round: 2, between: ['A', 'B'], brokenBy: 'lot' })]);
    expect(r.rounds[1]!.transfers![0]!.from).toBe(r.ties[0]!.chosen);
    expect(r.ties[0]!.note).toMatch(/largest surplus/);
  });

  test('a tie order given with the election is the lot', () => {
    const e = election(
      ['A', 'B', 'C'],
      2,
      [
        [5, 'A'],
        [2, 'B'],
        [2, 'C'],
      ],
      { tieOrder: [2, 1, 0] },
    );
    const r = countStv(e, 'scottish', 'any');
    expect(r.ties[0]).toMatchObject({ brokenBy: 'lot', chosen: 'C' });
    expect(r.elected).toEqual(['A', 'B']);
  });
});

describe('scottish: the end of the count', () => {
  test('a candidate with exactly the quota has no surplus to transfer (rule 48(1))', () => {
    // 4001 papers, 3 seats, quota floor(4001/4) + 1 = 1001: A and B have exactly 1001 and
    // are elected at stage 1. Stage 2 excludes Y (999), whose papers go nowhere; X is the
    // one continuing candidate for the one seat left (rule 52). No stage is spent on the
    // zero surpluses of A and B.
    const r = countStv(
      election(['A', 'B', 'X', 'Y'], 3, [
        [1001, 'A X'],
        [1001, 'B X'],
        [1000, 'X'],
        [999, 'Y'],
      ]),
      'scottish',
      's',
    );
    expect(r.rounds.map((x) => [x.elected, x.excluded])).toEqual([
      [['A', 'B'], []],
      [['X'], ['Y']],
    ]);
    expect(r.rounds.flatMap((x) => x.transfers ?? []).map((t) => t.kind)).toEqual(['exclusion']);
    expect(r.rounds[1]!.exhausted).toBe('999.00000');
  });

  test('withdrawn candidates are passed over on every ballot and reported nowhere', () => {
    const e = election(
      ['A', 'B', 'C'],
      1,
      [
        [3, 'B A'],
        [2, 'C'],
        [1, 'B C'],
      ],
      { withdrawn: [1] },
    );
    const r = countStv(e, 'scottish', 's');
    // B's papers count for their next preferences: A 3 (3 B A), C 3 (2 C, 1 B C).
    expect(r.rounds[0]!.votes).toEqual({ A: '3.00000', C: '3.00000' });
    expect(r.notes).toContain('Withdrawn, and passed over on every ballot: B.');
  });

  test('ballots that rank no standing candidate are not valid votes', () => {
    // 3 A, 2 B and 4 blank papers: 5 valid votes, quota floor(5/2) + 1 = 3.
    const r = countStv(
      election(['A', 'B'], 1, [
        [3, 'A'],
        [2, 'B'],
        [4, ''],
      ]),
      'scottish',
      's',
    );
    expect(r.summary).toMatchObject({ validVotes: '5.00000', invalidBallots: '4', quota: '3.00000' });
    expect(r.elected).toEqual(['A']);
  });
});

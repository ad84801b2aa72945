import { exhaustiveBallot, majorityRequirement, sectionalCardVote } from '../../src/delegates/procedures';

describe('exhaustive ballot', () => {
  // North 38 (A, then B), South 32 (B, then A), East 18 (C, then B), West 12 (D, then C).
  // Round 1: A 38, B 32, C 18, D 12 of 100: no majority, D out.
  // Round 2: West goes to C: A 38, B 32, C 30: no majority, C out.
  // Round 3: East goes to B, West has no choice left: A 38, B 50, 12 abstain.
  const options = ['A', 'B', 'C', 'D'];
  const delegations = [
    { name: 'North', votes: 38, preferences: [0, 1] },
    { name: 'South', votes: 32, preferences: [1, 0] },
    { name: 'East', votes: 18, preferences: [2, 1] },
    { name: 'West', votes: 12, preferences: [3, 2] },
  ];

  it('eliminates the last until an option has a majority of the votes cast', () => {
    const r = exhaustiveBallot(options, delegations);
    expect(r.rounds.map((x) => [x.votes, x.eliminated])).toEqual([
      [{ A: '38', B: '32', C: '18', D: '12' }, 'D'],
      [{ A: '38', B: '32', C: '30' }, 'C'],
      [{ A: '38', B: '50' }, null],
    ]);
    expect(r.rounds[2]!.abstained).toBe('12');
    // 50 of the 88 cast is a majority.
    expect(r.winner).toBe('B');
    expect(r.lots).toEqual([]);
  });

  it('decides nothing when a majority of all delegates is needed and the last two lack it', () => {
    // 50 of all 100 is not more than half.
    const r = exhaustiveBallot(options, delegations, { majorityOf: 'all' });
    expect(r.winner).toBeNull();
    expect(r.rounds.at(-1)!.note).toMatch(/nothing is decided/);
  });

  it('draws a lot, from its seed, for a tie for last place', () => {
    const tied = [
      { name: 'N', votes: 5, preferences: [0] },
      { name: 'S', votes: 3, preferences: [1, 2] },
      { name: 'E', votes: 3, preferences: [2, 1] },
    ];
    const r = exhaustiveBallot(['A', 'B', 'C'], tied, { seed: 's' });
    expect(r.lots).toHaveLength(1);
    expect(['B', 'C']).toContain(r.rounds[0]!.eliminated);
    // Either way the survivor of B and C gets 6 of 11: a majority.
    expect(r.winner).toBe(r.rounds[0]!.eliminated === 'B' ? 'C' : 'B');
    expect(exhaustiveBallot(['A', 'B', 'C'], tied, { seed: 's' })).toEqual(r);
  });
});

describe('majority requirement', () => {
  it('gives the leader the decision only above the required share', () => {
    expect(majorityRequirement(['A', 'B', 'C'], [55, 25, 20])).toMatchObject({ winner: 'A', share: '11/20' });
    const none = majorityRequirement(['A', 'B', 'C'], [45, 35, 20]);
    expect(none).toMatchObject({ winner: null, share: '9/20', then: 'no decision', runOff: null });
    expect(none.note).toMatch(/the conference decides nothing/);
  });

  it('says which two go to a run-off', () => {
    const r = majorityRequirement(['A', 'B', 'C'], [45, 20, 35], { otherwise: 'run-off' });
    expect(r.runOff).toEqual(['A', 'C']);
    expect(r.note).toMatch(/a run-off between A and C decides/);
  });

  it('holds a two-thirds requirement: 60 of 100 is not enough', () => {
    expect(majorityRequirement(['Yes', 'No'], [60, 40], { required: '2/3' })).toMatchObject({
      winner: null,
      share: '3/5',
      required: '2/3',
    });
  });
});

describe('sectional card vote', () => {
  // Affiliates 1/2: A 30, B 10 (A 3/4). Local parties 1/2: A 400, B 600 (A 2/5).
  // A: 1/2·3/4 + 1/2·2/5 = 3/8 + 1/5 = 23/40; B: 1/2·1/4 + 1/2·3/5 = 17/40. A wins, although
  // B has 610 of the 1,040 votes.
  it('counts each section for its weight, whatever its size', () => {
    const r = sectionalCardVote(
      ['A', 'B'],
      [
        { name: 'Affiliates', weight: '1/2', votes: [30, 10] },
        { name: 'Local parties', weight: '1/2', votes: [400, 600] },
      ],
    );
    expect(r).toEqual({
      shares: { A: '23/40', B: '17/40' },
      winner: 'A',
      note: 'A has the largest weighted share, 23/40.',
    });
  });

  it('refuses weights that do not add up to 1', () => {
    expect(() =>
      sectionalCardVote(
        ['A', 'B'],
        [
          { name: 'X', weight: '1/2', votes: [1, 0] },
          { name: 'Y', weight: '1/3', votes: [0, 1] },
        ],
      ),
    ).toThrow(/add up to 5\/6, not 1/);
  });
});

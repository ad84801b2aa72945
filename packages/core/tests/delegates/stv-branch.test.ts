import { compareConference, type ConferenceInput, stvWithinBranch } from '../../src/delegates/conference';
import { describeModel } from '../../src/delegates/declared';
import { comparisonMethodIssues } from '../../src/domain/ballot';
import { rat } from '../../src/tally/rational';
import type { RankedBallot } from '../../src/tally/types';

const b = (weight: number, ...ranking: number[]): RankedBallot => ({
  weight: rat(weight),
  ranking: ranking.map((c) => [c]),
});

/**
 * STV within the branch, worked by hand. Options A=0, B=1, C=2; each option stands a slate
 * of as many candidates as the branch has delegates (A#1, A#2, …).
 *
 * North, 2 delegates: 5 A>B, 4 B>A, 2 C>B (11 votes). Quota 11/3 ≈ 3.67. First preferences:
 * A#1 5, B#1 4, C#1 2: A#1 and B#1 both reach the quota, so North sends A 1, B 1 (a bloc
 * would send both to North's IRV winner, B).
 * South, 2 delegates: 6 C>B, 2 B>C (8 votes). Quota 8/3 ≈ 2.67. C#1 has 6, elected; its
 * surplus, 6 − 2.67 = 3.33, goes to C#2, which reaches the quota: South sends C 2.
 * The members' IRV count: A 5, B 6, C 8 of 19; A is out, its 5 go to B: B 11, C 8 → B.
 * The conference (single-mark delegate votes, IRV): A 1, B 1, C 2; A or B goes out by lot,
 * then C has 2 of 3 either way → C: the conference disagrees with the members.
 */
const input: ConferenceInput = {
  question: 'Chair',
  options: ['A', 'B', 'C'],
  branches: [
    { name: 'North', members: 11, delegates: 2, ballots: [b(5, 0, 1), b(4, 1, 0), b(2, 2, 1)] },
    { name: 'South', members: 8, delegates: 2, ballots: [b(6, 2, 1), b(2, 1, 2)] },
  ],
  settings: { basis: 'members', rule: 'stv', method: 'fixed' },
  count: { method: 'irv' },
};

describe('STV within the branch', () => {
  test("North's 11 ballots elect A#1 and B#1; South's 8 elect C#1 and C#2 on C#1's surplus", () => {
    const north = stvWithinBranch(input.branches[0]! as never, input.options, 2, 'omov');
    expect(north.seats).toEqual([1, 1, 0]);
    expect([...north.result.elected].sort()).toEqual(['A #1', 'B #1']);
    const south = stvWithinBranch(input.branches[1]! as never, input.options, 2, 'omov');
    expect(south.seats).toEqual([0, 0, 2]);
  });

  test('the conference: A 1, B 1, C 2 → C, against the members’ B', () => {
    const c = compareConference(input);
    expect(c.omov.winner).toBe('B');
    expect(c.branches.map((x) => x.conference)).toEqual([
      { A: '1', B: '1', C: '0' },
      { A: '0', B: '0', C: '2' },
    ]);
    expect(c.conference.delegates).toEqual({ A: '1', B: '1', C: '2' });
    expect(c.conference.winner).toBe('C');
    expect(c.agree).toBe(false);
    expect(c.settings.rule).toBe('stv');
  });

  test("a bloc would send North's 2 to its IRV winner: C out, its 2 to B, B 6 A 5 → B 2", () => {
    const c = compareConference({ ...input, settings: { ...input.settings, rule: 'bloc' } });
    expect(c.branches[0]!.conference).toEqual({ A: '0', B: '2', C: '0' });
  });

  test('it does not apply to a question without rankings: refused in the core and in the declaration', () => {
    expect(() =>
      compareConference({
        ...input,
        count: { method: 'plurality' },
        branches: input.branches.map((x) => ({ name: x.name, members: x.members, delegates: 2, ballots: [b(1, 0)] })),
      }),
    ).toThrow(/STV within the branch needs ranked ballots/);
    const model = { basis: 'members', rule: 'stv', method: 'sainte-lague', seats: 10 } as const;
    expect(comparisonMethodIssues('plurality', [{ label: 'x', model, procedure: { kind: 'method' } }])).toEqual([
      { path: [0, 'model', 'rule'], message: expect.stringMatching(/does not apply to a .* question/) },
    ]);
    expect(comparisonMethodIssues('irv', [{ label: 'x', model, procedure: { kind: 'method' } }])).toEqual([]);
  });

  test('its plain-language description says how the delegates are elected', () => {
    expect(describeModel({ basis: 'members', rule: 'stv', method: 'sainte-lague', seats: 10 })).toMatch(
      /elected by single transferable vote \(Meek\) from its members' own ranked ballots/,
    );
  });
});

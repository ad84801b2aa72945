import { attendanceReport, meetingDistribution } from '../../src/delegates/attendees';
import { binomial, hypergeometricDraws } from '../../src/delegates/chance';
import { compareConference, type ConferenceInput } from '../../src/delegates/conference';
import { describeModel } from '../../src/delegates/declared';
import { markRule } from '../../src/delegates/flip';

/**
 * Delegates chosen by meeting attendees, worked by hand. Plurality, options A and B.
 *
 * North: 3 voters for A, 2 for B (5); 3 attended its meeting; 2 delegates.
 *   A meeting of 3 of the 5 has B's majority when it holds 2 or 3 of B's 2 voters:
 *   P(2 of B) = C(2,2)·C(3,1) / C(5,3) = 3/10; 3 of B cannot be. So B 3/10, A 7/10:
 *   North's voters chose A, so its meeting differs with probability 3/10.
 * South: 1 for A, 3 for B (4); 2 attended; 1 delegate.
 *   P(no A voter among the 2) = C(3,2) / C(4,2) = 3/6 → B. P(the A voter and one B) = 3/6 → a
 *   tie, drawn by lot: A 1/4, B 1/4. So B 3/4, A 1/4: South's voters chose B, differs 1/4.
 * The members: A 4, B 5 → B. The conference, each delegation to its voters' majority:
 *   North's 2 to A, South's 1 to B → A, against the members.
 * Over the meetings (independent):
 *   North A, South A: 7/10·1/4 = 7/40 → A (3–0)
 *   North A, South B: 7/10·3/4 = 21/40 → A (2–1)
 *   North B, South A: 3/10·1/4 = 3/40 → B (2–1)
 *   North B, South B: 3/10·3/4 = 9/40 → B (3–0)
 *   A 28/40 = 7/10, B 12/40 = 3/10: the conference agrees with the members with probability 3/10.
 */
const input: ConferenceInput = {
  question: 'Motion',
  options: ['A', 'B'],
  branches: [
    { name: 'North', members: 10, delegates: 2, votes: [3, 2] },
    { name: 'South', members: 8, delegates: 1, votes: [1, 3] },
  ],
  settings: { basis: 'members', rule: 'bloc', method: 'fixed' },
  count: { method: 'plurality' },
};
const rule = markRule({ method: 'plurality' }, ['A', 'B'])!;

describe('delegates chosen by meeting attendees', () => {
  test('the hypergeometric draws of 3 from 3 A and 2 B: (1,2) 3, (2,1) 6, (3,0) 1 of C(5,3) = 10', () => {
    expect(binomial(5, 3)).toBe(10n);
    const d = hypergeometricDraws([3, 2], 3, 100)!;
    expect(d.den).toBe(10n);
    expect(d.draws.map((x) => [x.x, x.weight])).toEqual([
      [[1, 2], 3n],
      [[2, 1], 6n],
      [[3, 0], 1n],
    ]);
  });

  test("North's meeting of 3: A 7/10, B 3/10; South's of 2: B 3/4, A 1/4 (the tie shared)", () => {
    const north = meetingDistribution(rule, [3, 2], 3, 's', 'North');
    expect(north.method).toBe('exact');
    expect(Number(north.weights.get(0)) / Number(north.den)).toBe(7 / 10);
    expect(Number(north.weights.get(1)) / Number(north.den)).toBe(3 / 10);
    const south = meetingDistribution(rule, [1, 3], 2, 's', 'South');
    expect(Number(south.weights.get(1)) / Number(south.den)).toBe(3 / 4);
    expect(Number(south.weights.get(0)) / Number(south.den)).toBe(1 / 4);
  });

  test('per branch and for the conference, exactly', () => {
    const cc = compareConference(input);
    expect(cc.omov.winner).toBe('B');
    expect(cc.conference.winner).toBe('A');
    const r = attendanceReport(
      cc,
      new Map([
        ['North', 3],
        ['South', 2],
      ]),
      rule,
      'seed',
    );
    expect(r.assumption).toMatch(/random sample of the branch's voters/);
    expect(r.branches.map((b) => [b.name, b.winner, b.voters, b.differs?.probability])).toEqual([
      ['North', 'A', 5, '3/10'],
      ['South', 'B', 4, '1/4'],
    ]);
    expect(r.conference.method).toBe('exact');
    expect(r.conference.outcomes.map((o) => [o.elected, o.probability, o.agree])).toEqual([
      [['A'], '7/10', false],
      [['B'], '3/10', true],
    ]);
    expect(r.conference.agree).toEqual({ probability: '3/10', share: 0.3 });
    expect(r.conference.differs).toEqual({ probability: '7/10', share: 0.7 });
  });

  test('a meeting at least as large as the branch is all its voters: it never differs', () => {
    const cc = compareConference(input);
    const r = attendanceReport(
      cc,
      new Map([
        ['North', 50],
        ['South', 4],
      ]),
      rule,
      'seed',
    );
    expect(r.branches.map((b) => b.differs?.probability)).toEqual(['0', '0']);
    expect(r.conference.agree.probability).toBe('0');
  });

  test('a branch that voted without an attendance entered is refused, naming it', () => {
    const cc = compareConference(input);
    expect(() => attendanceReport(cc, new Map([['North', 3]]), rule, 's')).toThrow(
      /no attendance was entered for South/,
    );
  });

  test('a yes/no meeting follows the threshold: 2 Yes of 3 carry two thirds, 1 Yes of 2 does not', () => {
    const yesno = markRule({ method: 'yesno', threshold: '2/3' } as never, ['Yes', 'No'])!;
    // 2 Yes, 1 No, meeting of 2: Yes-Yes (1/3) carried; Yes-No (2/3) 1/2 < 2/3, not carried.
    const d = meetingDistribution(yesno, [2, 1], 2, 's', 'x');
    expect(Number(d.weights.get(0)) / Number(d.den)).toBeCloseTo(1 / 3, 12);
    expect(Number(d.weights.get(1)) / Number(d.den)).toBeCloseTo(2 / 3, 12);
  });

  test('every listed draw together has probability 1: the weights sum to C(N, size)', () => {
    for (const [counts, size] of [
      [[7, 0, 5], 6],
      [[1, 1, 1, 1], 2],
      [[30, 20, 10], 25],
    ] as const) {
      const d = hypergeometricDraws(counts, size, 100000)!;
      expect(d.draws.reduce((a, x) => a + x.weight, 0n)).toBe(d.den);
      expect(
        d.draws.every((x) => x.x.reduce((a, v) => a + v, 0) === size && x.x.every((v, i) => v <= counts[i]!)),
      ).toBe(true);
    }
  });

  test('a long exact fraction is stored as its first 6 decimals, the share the same figure', () => {
    const cc = compareConference({
      ...input,
      branches: [
        { name: 'North', members: 600, delegates: 2, votes: [301, 299] },
        { name: 'South', members: 8, delegates: 1, votes: [1, 3] },
      ],
    });
    const r = attendanceReport(
      cc,
      new Map([
        ['North', 41],
        ['South', 2],
      ]),
      rule,
      'seed',
    );
    const north = r.branches[0]!.differs!;
    expect(north.method).toBe('exact');
    expect(north.probability).toMatch(/^0\.\d{6}$/);
    expect(Number(north.probability)).toBe(north.share);
    // Nearly an even branch: a meeting of 41 goes the other way a little under half the time.
    expect(north.share).toBeGreaterThan(0.45);
    expect(north.share).toBeLessThan(0.5);
  });

  test('many meetings are sampled from a stated seed, the same each time', () => {
    const counts = [400, 300, 200, 100, 50, 25];
    const a = meetingDistribution(rule, counts, 300, 'seed', 'Big');
    expect(a.method).toBe('sampled');
    expect(a.den).toBe(200n * 60n);
    expect([...meetingDistribution(rule, counts, 300, 'seed', 'Big').weights]).toEqual([...a.weights]);
  });

  test('the model in plain words names the attendance and the assumption', () => {
    const text = describeModel({
      basis: 'members',
      rule: 'attendees',
      method: 'fixed',
      numbers: { North: 2, South: 1 },
      attendance: { North: 3, South: 2 },
    });
    expect(text).toContain('attendance entered by the organiser: North 3, South 2');
    expect(text).toContain('random sample');
  });
});

import { questionParadoxes, type QuestionVoter } from '../../src/delegates/index';

// Kelly (1989), "The Ostrogorski paradox", Social Choice and Welfare 6:71–76, Table 1: three
// issues X, Y, Z; five voters. true = "for".
const kelly: QuestionVoter[] = [
  { branch: 'north', answers: [true, true, false] },
  { branch: 'north', answers: [true, false, true] },
  { branch: 'north', answers: [false, true, true] },
  { branch: 'south', answers: [false, false, false] },
  { branch: 'south', answers: [false, false, false] },
];

describe('several yes/no questions', () => {
  test('Kelly\'s example: "against" wins every issue 3–2, yet three of five voters back the all-"for" platform', () => {
    const r = questionParadoxes({ questions: ['X', 'Y', 'Z'], voters: kelly });
    expect(r.questions.map((q) => q.majority)).toEqual(['no', 'no', 'no']);
    expect(r.questions.map((q) => [q.yes, q.no])).toEqual([
      ['2', '3'],
      ['2', '3'],
      ['2', '3'],
    ]);
    expect(r.ostrogorski).toEqual({ occurs: true, forMajorityPlatform: '2', forMirrorPlatform: '3', forNeither: '0' });
    // Voters 1–3 are each on the losing side of two of the three issues: 3 of 5, a majority.
    expect(r.anscombe).toEqual({ occurs: true, inMinorityOnMost: '3', total: '5' });
    expect(r.findings.map((f) => f.name)).toEqual(['anscombe', 'ostrogorski']);
  });

  test("with delegates, the branches' bloc votes overturn every issue: a referendum paradox on each", () => {
    // North (voters 1–3) is "for" on every issue 2–1; with 3 delegates to South's 2, the
    // conference says "for" 3–2 where the members said "against" 3–2.
    const r = questionParadoxes({ questions: ['X', 'Y', 'Z'], voters: kelly, delegates: { north: 3, south: 2 } });
    expect(r.questions.map((q) => q.conference)).toEqual([
      { yes: 3, no: 2, majority: 'yes' },
      { yes: 3, no: 2, majority: 'yes' },
      { yes: 3, no: 2, majority: 'yes' },
    ]);
    expect(r.questions.every((q) => q.referendumParadox)).toBe(true);
    expect(r.findings.filter((f) => f.name === 'referendum')).toHaveLength(3);
  });

  test('four questions: voters split 2–2 are on neither side, and neither paradox occurs', () => {
    // Majorities: Q1..Q4 all yes (3 of 5 each). Voters 1–3 agree on exactly two of four; voters 4, 5 on all four.
    const voters: QuestionVoter[] = [
      { answers: [true, true, false, false] },
      { answers: [false, false, true, true] },
      { answers: [true, true, true, true] },
      { answers: [true, true, true, true] },
      { answers: [false, false, false, false] },
    ];
    const r = questionParadoxes({ questions: ['1', '2', '3', '4'], voters });
    expect(r.questions.map((q) => q.majority)).toEqual(['yes', 'yes', 'yes', 'yes']);
    // Losing side on more than two of four: only voter 5. No Anscombe; and no Ostrogorski.
    expect(r.anscombe.occurs).toBe(false);
    expect(r.anscombe.inMinorityOnMost).toBe('1');
    expect(r.ostrogorski).toEqual({ occurs: false, forMajorityPlatform: '2', forMirrorPlatform: '1', forNeither: '2' });
  });

  test('voters may be whole branches with weights, and abstain on a question', () => {
    // Branch answers weighted by members; the tie on Q2 (50–50) decides nothing.
    const r = questionParadoxes({
      questions: ['Q1', 'Q2', 'Q3'],
      voters: [
        { branch: 'a', weight: 50, answers: [true, true, false] },
        { branch: 'b', weight: 30, answers: [false, false, null] },
        { branch: 'c', weight: 20, answers: [true, false, true] },
      ],
    });
    expect(r.questions.map((q) => q.majority)).toEqual(['yes', 'tie', 'no']);
    expect(r.questions[2]).toMatchObject({ yes: '20', no: '50' });
    expect(r.anscombe.occurs).toBe(false);
    expect(r.findings).toEqual([]);
  });

  test('malformed input', () => {
    expect(() => questionParadoxes({ questions: [], voters: [] })).toThrow(/no questions/);
    expect(() => questionParadoxes({ questions: ['a', 'b'], voters: [{ answers: [true] }] })).toThrow(
      /answers 1 questions, not 2/,
    );
    expect(() => questionParadoxes({ questions: ['a'], voters: [{ answers: [true] }], delegates: { x: 1 } })).toThrow(
      /no branch/,
    );
  });
});

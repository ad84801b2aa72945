import {
  amendmentStance,
  positionWords,
  checkPositions,
  comparePositions,
  majorityOf,
  mandatedConference,
  mandatesOf,
  PositionError,
  type BranchPosition,
  type BranchVotes,
  withProcedures,
} from '../../src/domain/positions';
import { pairwiseMatrix } from '../../src/tally/methods/condorcet';
import { papers } from '../tally/helpers';

const options = ['Yes', 'No'];
// Six branches, k = 10. Voters: North 60, South 40, East 20, West 15, Fen 6, Moor 3.
const branches: BranchVotes[] = [
  { branch: 'North', members: 120, votes: { Yes: 40, No: 20 } },
  { branch: 'South', members: 80, votes: { Yes: 15, No: 25 } },
  { branch: 'East', members: 50, votes: { Yes: 10, No: 10 } },
  { branch: 'West', members: 60, votes: { Yes: 12, No: 3 } },
  { branch: 'Fen', members: 9, votes: { Yes: 4, No: 2 } },
  { branch: 'Moor', members: 7, votes: { Yes: 1, No: 2 } },
];
const positions: BranchPosition[] = [
  { branch: 'North', position: 'Yes', attendance: 23 },
  { branch: 'South', position: 'Yes', attendance: 12 },
  { branch: 'East', position: 'No', attendance: 9 },
  { branch: 'West', position: null, attendance: 14 },
  { branch: 'Fen', position: 'No', attendance: 5 },
  // Moor held no meeting: no position recorded.
];

describe('branch meetings’ positions beside the members’ votes', () => {
  test('hand-worked: compared branch by branch, small branches pooled under k', () => {
    const r = comparePositions({ options, positions, branches, k: 10 });
    // Fen (6) and Moor (3) are under k; together 9 < 10, so the smallest large branch, West (15), joins them.
    expect(r.pools).toEqual([{ unit: 'Pooled: Fen, Moor, West', votes: { Yes: 4 + 1 + 12, No: 2 + 2 + 3 } }]);
    const row = (b: string) => r.rows.find((x) => x.branch === b)!;
    // North: 40 Yes to 20 No, the meeting said Yes: matched.
    expect(row('North')).toMatchObject({ comparison: 'matched', majority: 'Yes', attendance: 23, pooled: false });
    expect(row('North').votes).toEqual({ Yes: 40, No: 20 });
    // South: 15 Yes to 25 No, the meeting said Yes: differed.
    expect(row('South')).toMatchObject({ comparison: 'differed', majority: 'No' });
    // East: 10 to 10, no majority to compare with.
    expect(row('East')).toMatchObject({ comparison: 'no-majority', majority: null });
    // West: pooled and without a position; Moor: no meeting at all.
    expect(row('West')).toMatchObject({ comparison: 'no-position', pooled: true, votes: null, majority: null });
    expect(row('Moor')).toMatchObject({ comparison: 'no-position', attendance: null, votes: null });
    // Fen: its meeting said No, but its own votes are not published, so no comparison.
    expect(row('Fen')).toMatchObject({ comparison: 'pooled', position: 'No', votes: null, majority: null });
    expect(r.summary).toEqual({
      compared: 2,
      matched: 1,
      matchedMembers: 120,
      differed: 1,
      differedMembers: 80,
      noMajority: 1,
      noPosition: 2,
      pooled: 1,
      text: 'In 1 of 2 branches (120 members), the meeting’s position was its members’ majority; in 1 (80 members), the members voted otherwise. 1 branch with a position is pooled under k and not compared.',
    });
  });

  test('a pooled branch’s majority cannot be read from the rows or the summary', () => {
    // Flip Fen’s members’ majority: nothing published about Fen on its own changes.
    const flipped = branches.map((b) => (b.branch === 'Fen' ? { ...b, votes: { Yes: 2, No: 4 } } : b));
    const a = comparePositions({ options, positions, branches, k: 10 });
    const b = comparePositions({ options, positions, branches: flipped, k: 10 });
    expect(b.rows).toEqual(a.rows);
    expect(b.summary).toEqual(a.summary);
  });

  test('with k = 1 nothing is pooled and Fen is compared (No against its members’ Yes)', () => {
    const r = comparePositions({ options, positions, branches, k: 1 });
    expect(r.pools).toEqual([]);
    expect(r.rows.find((x) => x.branch === 'Fen')).toMatchObject({ comparison: 'differed', majority: 'Yes' });
    expect(r.summary).toMatchObject({ compared: 3, matched: 1, differed: 2, differedMembers: 80 + 9, pooled: 0 });
  });

  test('positions must name an option, once per branch, with a whole attendance', () => {
    expect(() => checkPositions(options, [{ branch: 'A', position: 'Maybe', attendance: 3 }])).toThrow(
      /A \(Maybe\) is not an option/,
    );
    expect(() =>
      checkPositions(options, [
        { branch: 'A', position: 'Yes', attendance: 3 },
        { branch: 'A', position: 'No', attendance: 3 },
      ]),
    ).toThrow(PositionError);
    expect(() => checkPositions(options, [{ branch: 'A', position: null, attendance: 2.5 }])).toThrow(/whole number/);
  });

  test('majority: strictly the most votes, null on a tie at the top or no votes', () => {
    expect(majorityOf(['A', 'B', 'C'], { A: 3, B: 5, C: 5 })).toBeNull();
    expect(majorityOf(['A', 'B', 'C'], { A: 5, B: 5, C: 6 })).toBe('C');
    expect(majorityOf(['A', 'B'], {})).toBeNull();
  });
});

describe('positions as mandates', () => {
  // Delegates per branch (from a declared model): 2 + 2 + 5 + 4 + 1 + 1 = 15.
  const delegates = new Map([
    ['North', 2],
    ['South', 2],
    ['East', 5],
    ['West', 4],
    ['Fen', 1],
    ['Moor', 1],
  ]);
  test('branches without a position fall back to their members’ majority', () => {
    const m = mandatesOf(options, positions, branches, 'majority');
    // West (12 Yes to 3) and Moor (1 Yes to 2) take their members’ majorities.
    expect(Object.fromEntries(m)).toEqual({
      North: 'Yes',
      South: 'Yes',
      East: 'No',
      West: 'Yes',
      Fen: 'No',
      Moor: 'No',
    });
    // Yes: North 2 + South 2 + West 4 = 8; No: East 5 + Fen 1 + Moor 1 = 7.
    expect(mandatedConference(options, delegates, m)).toEqual({
      totals: { Yes: 8, No: 7 },
      abstained: 0,
      elected: 'Yes',
    });
  });
  test('or abstain, which here changes the conference’s decision', () => {
    const m = mandatesOf(options, positions, branches, 'abstain');
    expect(m.get('West')).toBeNull();
    expect(m.get('Moor')).toBeNull();
    // Yes: North 2 + South 2 = 4; No: East 5 + Fen 1 = 6; West 4 and Moor 1 abstain.
    expect(mandatedConference(options, delegates, m)).toEqual({
      totals: { Yes: 4, No: 6 },
      abstained: 5,
      elected: 'No',
    });
  });
});

describe('a position on an amended motion', () => {
  // The ranked question an amended motion becomes: the original, two amendments, "the motion falls".
  const q = {
    settings: { seats: 1, agenda: { original: 0, amendments: [1, 2], rejection: 3, order: [2, 1] } },
    options: [
      'The motion as proposed',
      'Amendment 1: Half the rate',
      'Amendment 2: A cap',
      'None: the motion falls',
    ].map((label) => ({ label })),
  };
  const labels = q.options.map((o) => o.label);
  test('each variant reads as a conference reads it; the declared order does not renumber the amendments', () => {
    expect(amendmentStance(q.settings.agenda, labels, 'The motion as proposed')).toEqual({ kind: 'unamended' });
    expect(amendmentStance(q.settings.agenda, labels, 'Amendment 2: A cap')).toEqual({ kind: 'amendment', number: 2 });
    expect(amendmentStance(q.settings.agenda, labels, 'None: the motion falls')).toEqual({ kind: 'against' });
    expect(amendmentStance(q.settings.agenda, labels, 'Amendment 3: Nothing')).toBeNull();
    expect(amendmentStance(undefined, ['Yes', 'No'], 'Yes')).toBeNull();
    expect(positionWords(q, 'Amendment 1: Half the rate')).toBe(
      'supported Amendment 1: Half the rate (the motion as this amendment words it)',
    );
    expect(positionWords(q, 'The motion as proposed')).toBe('supported the motion unamended (The motion as proposed)');
    expect(positionWords(q, 'None: the motion falls')).toBe('opposed the motion (None: the motion falls)');
    expect(positionWords(q, null)).toBe('took no position');
    expect(positionWords({ options: [{ label: 'Yes' }, { label: 'No' }] }, 'Yes')).toBe('supported: Yes');
  });
});

describe('positions on an amended motion beside what each branch decided by the ballot’s procedures', () => {
  // Variants as the ranked question's options; the agenda takes A, then B, then "the motion falls".
  const labels = ['O', 'A', 'B', 'R'];
  const agenda = { original: 0, amendments: [1, 2], rejection: 3, order: [1, 2] };
  // Worked by hand. Cycle (9 papers): 4 A>B>O>R, 3 B>O>A>R, 2 O>A>B>R.
  //   First preferences A 4, B 3, O 2: majority A.
  //   Agenda: A v O 4-5, O stands; B v O 7-2, B; R v B 0-9: B adopted.
  //   Head to head A beats B 6-3, B beats O 7-2, O beats A 5-4: a cycle, no Condorcet winner.
  //   The meeting supported B: not the first preferences' majority, the agenda's outcome, no winner to compare.
  // Plain (4 papers): 3 O>A>B>R, 1 R>O>A>B. First preferences O 3; agenda O (O beats A and B 4-0, R 3-1); Condorcet O.
  //   The meeting opposed the motion (R): it differs from all three.
  // Tiny (A>O>B>R) and Small (B>O>A>R) are pooled: each its meeting's position, no comparison; the pool's
  //   agenda keeps O at each tied step (A v O 1-1, B v O 1-1) and O beats R 2-0: O; O ties A and B: no Condorcet winner.
  const papersOf: Record<string, Array<[number, string]>> = {
    Cycle: [
      [4, 'A>B>O>R'],
      [3, 'B>O>A>R'],
      [2, 'O>A>B>R'],
    ],
    Plain: [
      [3, 'O>A>B>R'],
      [1, 'R>O>A>B'],
    ],
    'Pooled: Small, Tiny': [
      [1, 'A>O>B>R'],
      [1, 'B>O>A>R'],
    ],
  };
  const pairwise = new Map(Object.entries(papersOf).map(([unit, p]) => [unit, pairwiseMatrix(papers(labels, p))]));
  const report = comparePositions({
    options: labels,
    positions: [
      { branch: 'Cycle', position: 'B', attendance: 9 },
      { branch: 'Plain', position: 'R', attendance: 5 },
      { branch: 'Tiny', position: 'A', attendance: 2 },
    ],
    branches: [
      { branch: 'Cycle', members: 12, votes: { A: 4, B: 3, O: 2 } },
      { branch: 'Plain', members: 6, votes: { O: 3, R: 1 } },
      { branch: 'Small', members: 2, votes: { B: 1 } },
      { branch: 'Tiny', members: 2, votes: { A: 1 } },
    ],
    k: 3,
    units: [
      { name: 'Cycle', branches: ['Cycle'], pooled: false },
      { name: 'Plain', branches: ['Plain'], pooled: false },
      { name: 'Pooled: Small, Tiny', branches: ['Small', 'Tiny'], pooled: true },
    ],
  });
  const withThem = withProcedures(report, agenda, labels, pairwise);
  const row = (b: string) => withThem.rows.find((r) => r.branch === b)!;

  test('a branch whose meeting followed its agenda but not its first preferences, and one with no Condorcet winner', () => {
    expect(row('Cycle')).toMatchObject({
      majority: 'A',
      comparison: 'differed',
      procedures: { agenda: 'B', agendaComparison: 'matched', condorcet: null, condorcetComparison: 'no-majority' },
    });
    expect(row('Plain')).toMatchObject({
      majority: 'O',
      comparison: 'differed',
      procedures: { agenda: 'O', agendaComparison: 'differed', condorcet: 'O', condorcetComparison: 'differed' },
    });
  });

  test('pooled under k as the first preferences are: no branch of a pool is compared; the pool’s decisions are the pool’s', () => {
    expect(row('Tiny').procedures).toEqual({
      agenda: null,
      agendaComparison: 'pooled',
      condorcet: null,
      condorcetComparison: 'pooled',
    });
    expect(row('Small').procedures).toEqual({
      agenda: null,
      agendaComparison: 'no-position',
      condorcet: null,
      condorcetComparison: 'no-position',
    });
    expect(withThem.pools).toEqual([
      { unit: 'Pooled: Small, Tiny', votes: { O: 0, A: 1, B: 1, R: 0 }, procedures: { agenda: 'O', condorcet: null } },
    ]);
    // The pool's own papers change: nothing published for its branches changes.
    const flipped = withProcedures(
      report,
      agenda,
      labels,
      new Map([...pairwise, ['Pooled: Small, Tiny', pairwiseMatrix(papers(labels, [[2, 'B>O>A>R']]))]]),
    );
    expect(flipped.rows).toEqual(withThem.rows);
    expect(flipped.summary).toEqual(withThem.summary);
  });

  test('the summary counts the branches compared by each procedure', () => {
    expect(withThem.summary.procedures).toEqual({
      agenda: { compared: 2, matched: 1 },
      condorcet: { compared: 1, matched: 0 },
      text: 'The meeting’s position was what its own members decided by the agenda in the declared order, in 1 of 2 branches; by the Condorcet winner among the variants, in 0 of 1 branch.',
    });
    // The first preferences' summary is as before.
    expect(withThem.summary.text).toBe(report.summary.text);
  });

  test('a branch where nobody ranked decides nothing', () => {
    const empty = withProcedures(
      report,
      agenda,
      labels,
      new Map([...pairwise, ['Plain', pairwiseMatrix(papers(labels, []))]]),
    );
    expect(empty.rows.find((r) => r.branch === 'Plain')!.procedures).toEqual({
      agenda: null,
      agendaComparison: 'no-majority',
      condorcet: null,
      condorcetComparison: 'no-majority',
    });
  });
});

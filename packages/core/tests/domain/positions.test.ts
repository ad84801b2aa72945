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
} from '../../src/domain/positions';

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

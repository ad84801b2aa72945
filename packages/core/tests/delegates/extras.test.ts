import { bandDelegates, parseBandTable } from '../../src/delegates/bands';
import { describeModel } from '../../src/delegates/declared';
import { compareConference, type DelegateSettings } from '../../src/delegates/index';
import { extraDelegates, unitExtraDelegates, type ExtraRule } from '../../src/delegates/extras';
import { rat } from '../../src/tally/rational';

/*
 * The Labour Party rule book, chapter 3, clause I.1.B–C (as amended at conference 2022):
 * "one delegate for the first 749 individual members … or part thereof, and one further
 * delegate for every additional 250 individual members … or part thereof. No CLP shall be
 * represented by more than 6 delegates". Then: "Where the individual women's membership …
 * is 100 or more, an additional woman delegate may be appointed. Where the individual
 * Young Labour membership … is 30 or more an additional delegate under the age of 27 may
 * be appointed."  As an omov model: bands 749:1, +250~:1, max 6, and two extras.
 */
const LABOUR = parseBandTable('749:1,+250~:1');
const extrasOf = (women: Record<string, number>, young: Record<string, number>): ExtraRule[] => [
  { label: 'women', atLeast: 100, delegates: 1, counts: women },
  { label: 'young members', atLeast: 30, delegates: 1, counts: young },
];

describe('the Labour band table, read by hand', () => {
  test.each([
    // 1 for the first 749; 750 is 1 member into the first further block of 250: 2.
    [1, 1],
    [749, 1],
    [750, 2],
    // 749 + 250 = 999 still 2; 1000 is 1 into the second block: 3.
    [999, 2],
    [1000, 3],
    // 1749 = 749 + 4 × 250: 1 + 4 = 5; 1750 starts the fifth block: 6.
    [1749, 5],
    [1750, 6],
    // 3000: 2251 over 749, 9 whole blocks and part of a tenth: 1 + 10 = 11 before the cap of 6.
    [3000, 11],
  ])('%i members: %i delegates', (members, delegates) => {
    expect(bandDelegates(LABOUR, rat(members))).toBe(delegates);
  });
});

describe('extra delegates', () => {
  test('a branch meets a rule at the threshold, not below it', () => {
    const rules = extrasOf({ A: 100, B: 99 }, { A: 29, B: 30 });
    expect(extraDelegates(rules, 'A')).toBe(1); // 100 women ≥ 100; 29 young < 30
    expect(extraDelegates(rules, 'B')).toBe(1); // 99 women < 100; 30 young ≥ 30
    expect(extraDelegates(rules, 'C')).toBe(0); // not named: counts 0
    expect(extraDelegates(extrasOf({ A: 150 }, { A: 45 }), 'A')).toBe(2);
  });

  test('a pool keeps each of its branches’ extras', () => {
    // P1 has 100 women (+1), P2 has 30 young members (+1), P3 neither: the pool gets 2.
    expect(unitExtraDelegates(extrasOf({ P1: 100, P2: 5 }, { P2: 30, P3: 29 }), ['P1', 'P2', 'P3'])).toBe(2);
  });

  /*
   * Hand-worked: three constituencies, Labour's table, bloc voting, Yes/No.
   *   Ashford 700 members (band: 1), Yes 300 No 200 → bloc Yes. 90 women, 10 young: no extras.
   *   Barnet  800 members (749 + 51: 2), Yes 100 No 300 → bloc No. 100 women, 30 young: +2 → 4.
   *   Camden  760 members (749 + 11: 2), Yes 260 No 140 → bloc Yes. 99 women, 29 young: none.
   * Members: Yes 660, No 640 → Yes.
   * Without extras: Yes 1 + 2 = 3, No 2 → Yes, as the members.
   * With extras:    Yes 3, No 2 + 2 = 4 → No: the extras alone turn the conference.
   */
  const branches = [
    { name: 'Ashford', members: 700, votes: [300, 200] },
    { name: 'Barnet', members: 800, votes: [100, 300] },
    { name: 'Camden', members: 760, votes: [260, 140] },
  ];
  const labour: DelegateSettings = { basis: 'members', rule: 'bloc', method: 'bands', ...LABOUR, max: 6 };
  const rules = extrasOf({ Ashford: 90, Barnet: 100, Camden: 99 }, { Ashford: 10, Barnet: 30, Camden: 29 });

  test('the extras alone turn the conference', () => {
    const without = compareConference({ question: 'Q', options: ['Yes', 'No'], branches, settings: labour });
    expect(without.branches.map((b) => b.delegates)).toEqual([1, 2, 2]);
    expect(without.conference.elected).toEqual(['Yes']);
    const withExtras = compareConference({
      question: 'Q',
      options: ['Yes', 'No'],
      branches: branches.map((b) => ({ ...b, extra: extraDelegates(rules, b.name) })),
      settings: labour,
    });
    expect(withExtras.branches.map((b) => b.delegates)).toEqual([1, 4, 2]);
    expect(withExtras.conference.delegates).toEqual({ Yes: '3', No: '4' });
    expect(withExtras.conference.elected).toEqual(['No']);
    expect(withExtras.omov.elected).toEqual(['Yes']);
  });

  test('extras come on top of the cap: 3000 members with both make 6 + 2 = 8', () => {
    const c = compareConference({
      question: 'Q',
      options: ['Yes', 'No'],
      branches: [
        { name: 'Big', members: 3000, votes: [10, 5], extra: 2 },
        { name: 'Small', members: 100, votes: [1, 5] },
      ],
      settings: labour,
    });
    expect(c.branches.map((b) => b.delegates)).toEqual([8, 1]);
  });

  test('the description says where the counts come from', () => {
    const d = describeModel({ ...labour, bands: [...LABOUR.bands], beyond: LABOUR.beyond!, extras: rules });
    expect(d).toContain('1 more delegate for a branch with 100 or more women (Barnet by the counts entered)');
    expect(d).toContain('1 more delegate for a branch with 30 or more young members (Barnet by the counts entered)');
    expect(d).toContain("omov does not hold members' gender or age");
  });
});

import { bandDelegates, parseBandTable } from '../../src/delegates/bands';
import { compareConference } from '../../src/delegates/index';
import { rat } from '../../src/tally/rational';

/*
 * Momentum (UK), two documented tables.
 *
 * Its constitution's National Coordinating Group (peoplesmomentum.com/constitution, "1. Summary
 * of the Constitution"): "26 members from regional divisions: London and Eastern (6); Northern
 * (North West & North East) (5); Midlands (West Midlands & East Midlands) (4); Yorkshire and the
 * Humber, Northern Ireland & International (3); South East (3); South West (3); Scotland (1);
 * Wales (1)". As an omov model: fixed numbers per unit (each division a unit), the divisions'
 * delegates voting as a bloc.
 *
 * The 2016 motion for Momentum's first national conference (Labour Party Marxists, "Motion: for a
 * democratic Momentum conference!", 13 October 2016): a conference "made up of delegates elected at
 * local meetings (1 delegate for 10 members)". Read as a band table: a local group sends 1 up to
 * 10 members and 1 more for each further complete 10 ("10:1,+10:1"; a group under 10 still sends one,
 * as the motion does not exclude it).
 */
const NCG: Array<[string, number]> = [
  ['London and Eastern', 6],
  ['Northern', 5],
  ['Midlands', 4],
  ['Yorkshire and the Humber, Northern Ireland & International', 3],
  ['South East', 3],
  ['South West', 3],
  ['Scotland', 1],
  ['Wales', 1],
];

describe("Momentum's National Coordinating Group: fixed seats per regional division, read by hand", () => {
  test('the divisions hold the 26 regional seats the constitution lists', () => {
    expect(NCG.reduce((n, [, seats]) => n + seats, 0)).toBe(26);
  });

  /*
   * Hand-worked, yes/no, each division's seats to its majority:
   *   London and Eastern 3000: Yes 1800 No 1200 → 6 Yes     South East 1200: Yes 700 No 500 → 3 Yes
   *   Northern 2000:           Yes  900 No 1100 → 5 No      South West  900: Yes 500 No 400 → 3 Yes
   *   Midlands 1500:           Yes  700 No  800 → 4 No      Scotland    400: Yes 150 No 250 → 1 No
   *   Yorkshire … 1000:        Yes  450 No  550 → 3 No      Wales       300: Yes 100 No 200 → 1 No
   * Members: Yes 5300, No 5000 → Yes. Seats: Yes 6 + 3 + 3 = 12, No 5 + 4 + 3 + 1 + 1 = 14 → No.
   */
  const votes: Record<string, [number, number, number]> = {
    'London and Eastern': [3000, 1800, 1200],
    Northern: [2000, 900, 1100],
    Midlands: [1500, 700, 800],
    'Yorkshire and the Humber, Northern Ireland & International': [1000, 450, 550],
    'South East': [1200, 700, 500],
    'South West': [900, 500, 400],
    Scotland: [400, 150, 250],
    Wales: [300, 100, 200],
  };

  test('the members say Yes by 5300 to 5000; the divisions’ 26 seats say No by 14 to 12', () => {
    const c = compareConference({
      question: 'Q',
      options: ['Yes', 'No'],
      settings: { basis: 'members', rule: 'bloc', method: 'fixed' },
      branches: NCG.map(([name, delegates]) => {
        const [members, yes, no] = votes[name]!;
        return { name, members, delegates, votes: [yes, no] };
      }),
    });
    expect(c.branches.map((b) => b.delegates)).toEqual(NCG.map(([, seats]) => seats));
    expect(c.omov.totals).toEqual({ Yes: '5300', No: '5000' });
    expect(c.omov.elected).toEqual(['Yes']);
    expect(c.conference.delegates).toEqual({ Yes: '12', No: '14' });
    expect(c.conference.elected).toEqual(['No']);
    expect(c.agree).toBe(false);
  });
});

describe('the 2016 Momentum conference motion, 1 delegate for 10 members, read by hand', () => {
  const TABLE = parseBandTable('10:1,+10:1');
  test.each([
    // Up to 10: one delegate; a group of 4 still sends one.
    [4, 1],
    [10, 1],
    // 11 to 19: one further member short of a complete 10, still 1.
    [19, 1],
    // 20 = 10 + one complete further 10: 2.
    [20, 2],
    // 95 = 10 + 8 complete tens (and 5 over): 9.
    [95, 9],
    [100, 10],
  ])('%i members: %i delegates', (members, delegates) => {
    expect(bandDelegates(TABLE, rat(members))).toBe(delegates);
  });
});

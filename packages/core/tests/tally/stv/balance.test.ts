/**
 * Balance rules in Scottish STV (tally/stv/balance.ts, docs/elections.md), checked against
 * counts worked by hand below. 5 decimals, remainders ignored, as in scottish.test.ts.
 */
import fc from 'fast-check';
import { countStv } from '../../../src/tally/stv';
import { Balance } from '../../../src/tally/stv/balance';
import { election } from './helpers';

const women = (candidates: string[], min: number) => [{ group: 'women', candidates, min }];

/** The two worked examples (docs/elections.md), counted below by each rule set. */
const FIRST = election(['Adam', 'Bob', 'Carl', 'Dora', 'Eve'], 3, [
  [30, 'Adam Carl'],
  [26, 'Bob'],
  [22, 'Carl'],
  [12, 'Dora Eve'],
  [10, 'Eve Dora'],
]);
const SECOND = election(['Adam', 'Bob', 'Carl', 'Fred', 'Dora'], 3, [
  [24, 'Adam'],
  [22, 'Bob'],
  [21, 'Carl'],
  [18, 'Fred Carl'],
  [15, 'Dora Bob'],
]);

describe('balance rule 1: a candidate whose election would leave the rules unmet is excluded', () => {
  // 3 seats, 100 papers: quota = floor(100 / 4) + 1 = 26. Women: Dora, Eve; at least 1.
  //   30 Adam Carl, 26 Bob, 22 Carl, 12 Dora Eve, 10 Eve Dora
  // With the rule:
  // Stage 1: Adam 30, Bob 26 reach the quota. Adam first: Bob and Dora could complete, so
  //   he is elected; then Bob: Dora could complete, elected. Adam's surplus 4 waits.
  // Stage 2: one seat left, no woman elected: electing Carl would leave no seat for a woman,
  //   so Carl is excluded under rule 1 before the surplus; his 22 papers (Carl only) are
  //   exhausted. Dora 12, Eve 10.
  // Stage 3: Adam's surplus: 30 papers at 4 / 30 = 0.13333; the next preference, Carl, is
  //   excluded: 30 x 0.13333 = 3.99990 exhausted (loss 0.00010).
  // Stage 4: Eve (10) has the fewest; she is not needed (Dora is a woman too): excluded,
  //   10 papers to Dora: Dora 22. One continuing candidate for one seat: Dora is elected.
  // Without the rule: stage 2 Adam's surplus goes to Carl: 22 + 3.99990 = 25.99990 (below 26);
  //   stage 3 Eve excluded: Dora 22; stage 4 Dora excluded (her papers exhaust after Eve);
  //   Carl is the only one left and elected: Adam, Bob, Carl.
  const e = FIRST;
  const r = countStv(e, 'scottish', 'test', women(['Dora', 'Eve'], 1));

  test('the rule changes the winner: Dora instead of Carl', () => {
    expect(r.elected).toEqual(['Adam', 'Bob', 'Dora']);
    expect(countStv(e, 'scottish', 'test').elected).toEqual(['Adam', 'Bob', 'Carl']);
    expect(r.summary!['balanceChanged']).toBe(true);
    expect(r.summary!['electedWithoutBalance']).toBe('Adam, Bob, Carl');
    expect(r.notes).toContain(
      'The balance rules changed who was elected: without them Carl would have been elected; with them Dora is elected instead.',
    );
  });

  test('the stages as worked by hand', () => {
    expect(r.rounds.map((x) => [x.elected, x.excluded])).toEqual([
      [['Adam', 'Bob'], []],
      [[], ['Carl']],
      [[], []],
      [['Dora'], ['Eve']],
    ]);
    expect(r.rounds[1]!.note).toContain('Electing Carl would leave a balance rule unmet (women: at least 1 seat)');
    expect(r.rounds[1]!.votes).toMatchObject({ Carl: '0.00000', Dora: '12.00000', Eve: '10.00000' });
    expect(r.rounds[1]!.exhausted).toBe('22.00000');
    expect(r.rounds[2]!.transfers![0]).toMatchObject({ from: 'Adam', value: '0.13333', exhausted: '3.99990' });
    expect(r.rounds[2]!.loss).toBe('0.00010');
    expect(r.rounds[3]!.votes).toMatchObject({ Dora: '22.00000', Eve: '0.00000' });
  });
});

describe('balance rule 2: a candidate the rules need is not excluded for fewest votes', () => {
  // 3 seats, 100 papers, quota 26. Women: Dora alone; at least 1.
  //   24 Adam, 22 Bob, 21 Carl, 18 Fred Carl, 15 Dora Bob
  // With the rule:
  // Stage 1: no one reaches 26.
  // Stage 2: Dora has the fewest (15) but is the only woman: without her no completion, so
  //   she is protected; Fred (18), the fewest of the others, is excluded: 18 papers to Carl,
  //   Carl 39, elected (surplus 13).
  // Stage 3: Carl's surplus: all 39 papers end with Carl: 13 exhausted (39 x 0.33333 =
  //   12.99987, loss 0.00013).
  // Stage 4: Dora (15) protected again; Bob (22) excluded, his papers exhaust. Adam and Dora
  //   are the two left for two seats: elected (Adam 24 first).
  // Without the rule: stage 2 Dora excluded: Bob 37, elected; Bob's surplus exhausts;
  //   Fred excluded: Carl 39, elected; Adam last for the last seat: Bob, Carl, Adam.
  const e = SECOND;
  const r = countStv(e, 'scottish', 'test', women(['Dora'], 1));

  test('Dora is elected instead of Bob', () => {
    expect(r.elected).toEqual(['Carl', 'Adam', 'Dora']);
    expect(countStv(e, 'scottish', 'test').elected).toEqual(['Bob', 'Carl', 'Adam']);
    expect(r.summary!['balanceChanged']).toBe(true);
  });

  test('the stages as worked by hand', () => {
    expect(r.rounds.map((x) => [x.elected, x.excluded])).toEqual([
      [[], []],
      [['Carl'], ['Fred']],
      [[], []],
      [['Adam', 'Dora'], ['Bob']],
    ]);
    expect(r.rounds[1]!.note).toContain(
      'Dora has the fewest votes (15.00000) but is needed to meet a balance rule (women: at least 1 seat), so is not excluded (balance rule 2).',
    );
    expect(r.rounds[1]!.note).toContain('Fred has the fewest votes of the others (18.00000) and is excluded');
    expect(r.rounds[1]!.votes).toMatchObject({ Carl: '39.00000' });
    expect(r.rounds[3]!.note).toContain('Dora has the fewest votes (15.00000) but is needed');
  });
});

describe('quota reached together: the second is not elected past a maximum', () => {
  // 2 seats, 99 papers: quota = floor(99 / 3) + 1 = 34. Men: Adam, Bob; at most 1.
  //   40 Adam, 35 Bob Cleo, 24 Cleo
  // Stage 1: Adam 40 and Bob 35 both reach 34. Adam (more votes) is elected; electing Bob
  //   as well would make 2 men: not elected.
  // Stage 2: Bob is excluded under rule 1: 35 papers to Cleo: 59, elected.
  const e = election(['Adam', 'Bob', 'Cleo'], 2, [
    [40, 'Adam'],
    [35, 'Bob Cleo'],
    [24, 'Cleo'],
  ]);
  const r = countStv(e, 'scottish', 'test', [{ group: 'men', candidates: ['Adam', 'Bob'], max: 1 }]);
  test('Adam and Cleo', () => {
    expect(r.elected).toEqual(['Adam', 'Cleo']);
    expect(r.rounds[0]!.note).toContain(
      'Bob reaches the quota, but electing Bob would leave a balance rule unmet (men: at most 1 seat)',
    );
    expect(r.rounds[1]!.excluded).toEqual(['Bob']);
    expect(r.rounds[1]!.votes).toMatchObject({ Cleo: '59.00000' });
  });
});

describe('a rule that does not bind changes nothing', () => {
  const e = election(['A', 'B', 'C', 'D', 'E'], 3, [
    [60, 'A B D'],
    [20, 'B C'],
    [12, 'C'],
    [8, 'D'],
    [10, 'E C'],
  ]);
  test('same rounds, the note says so', () => {
    const plain = countStv(e, 'scottish', 'test');
    const r = countStv(e, 'scottish', 'test', [{ group: 'x', candidates: ['A', 'D'], min: 1 }]);
    expect(r.elected).toEqual(plain.elected);
    expect(r.rounds.map((x) => x.votes)).toEqual(plain.rounds.map((x) => x.votes));
    expect(r.summary!['balanceChanged']).toBe(false);
  });
});

describe('the rules themselves', () => {
  const names = ['A', 'B', 'C', 'D'];
  test('a minimum above the group standing is lowered, and said', () => {
    const b = new Balance(names, [0, 1, 2, 3], 2, [{ group: 'w', candidates: ['A'], min: 2 }]);
    expect(b.notes[0]).toContain('Only 1 candidate of w stands');
    expect(b.feasible([], [1, 2, 3], 2)).toBe(false);
  });
  test('rules no candidates can meet are refused', () => {
    expect(
      () =>
        new Balance(names, [0, 1, 2, 3], 3, [
          { group: 'x', candidates: ['A', 'B'], max: 1 },
          { group: 'y', candidates: ['C', 'D'], max: 1 },
        ]),
    ).toThrow('cannot all be met');
    expect(() => new Balance(names, [0, 1, 2, 3], 2, [{ group: 'x', candidates: ['Z'], min: 1 }])).toThrow(
      'Z, who is not a candidate',
    );
  });
  test('overlapping groups: gender and region together', () => {
    // 2 seats; women A, B; North A, C. At least 1 woman and at least 1 from the North:
    // {A, anyone} or {B, C}. With B elected, electing D leaves no seat for the North; with
    // D elected, the last seat needs a northern woman: A alone, though B and C each meet one rule.
    const b = new Balance(names, [0, 1, 2, 3], 2, [
      { group: 'women', candidates: ['A', 'B'], min: 1 },
      { group: 'North', candidates: ['A', 'C'], min: 1 },
    ]);
    expect(b.blocks(3, [], [0, 1, 2, 3], 2)).toBeNull();
    expect(b.blocks(3, [1], [0, 2, 3], 1)).toBe('North: at least 1 seat');
    expect(b.needs(0, [3], [0, 1, 2], 1)).toMatch(/together/);
    expect(b.needs(0, [], [0, 1, 2, 3], 2)).toBeNull();
  });
});

describe('Meek STV keeps the same two rules (hand counts, 9 decimals)', () => {
  // The first example above under Meek: quota = 100 / 4 + 0.000000001.
  // Round 1: Adam 30 and Bob 26 reach 25.000000001; Adam first ({Bob, Dora} completes), then
  //   Bob ({Dora} completes): both elected.
  // Round 2: one seat left, no woman elected: Carl is in no completion and is defeated under
  //   rule 1 in a round of its own (keep factor 0).
  // Round 3: Carl's 22 papers exhaust, and Adam's surplus passes Carl by, so it exhausts too.
  //   The keep factors fall until Adam = Bob = quota; the quota is then (2q + 22) / 4, which
  //   falls 19.5, 15.25, 13.125, 12.0625, 11.53…: Dora (12) reaches it and is elected; the
  //   seats are full and Eve is defeated (C.2).
  // Without the rule, round 2's second iteration gives Carl 22 + 30 - 25 = 27 against a
  //   quota of 99 / 4 = 24.75: Carl is elected. Adam, Bob, Carl.
  test('rule 1: Carl is defeated under the rule and Dora takes the third seat', () => {
    const r = countStv(FIRST, 'meek', 'test', women(['Dora', 'Eve'], 1));
    expect(r.elected).toEqual(['Adam', 'Bob', 'Dora']);
    expect(countStv(FIRST, 'meek', 'test').elected).toEqual(['Adam', 'Bob', 'Carl']);
    expect(r.rounds.map((x) => [x.elected, x.excluded])).toEqual([
      [['Adam', 'Bob'], []],
      [[], ['Carl']],
      [['Dora'], ['Eve']],
    ]);
    expect(r.rounds[1]!.note).toContain(
      'Electing Carl would leave a balance rule unmet (women: at least 1 seat), so Carl is defeated under the balance rules (balance rule 1).',
    );
    expect(r.rounds[2]!.note).toMatch(/^5 iterations; quota 11\.53/);
    expect(r.summary!['balanceChanged']).toBe(true);
    expect(r.summary!['electedWithoutBalance']).toBe('Adam, Bob, Carl');
  });

  // The second example under Meek (Dora the only woman, at least 1):
  // Round 1: no one reaches 25.000000001 and there is no surplus: Dora (15) has the fewest
  //   but is needed (rule 2), so Fred (18), the fewest of the others, is defeated.
  // Round 2: Fred's papers go to Carl: 39, elected.
  // Round 3: Carl's surplus exhausts; in the second iteration the quota is 86 / 4 = 21.5 and
  //   Adam (24) and Bob (22) both reach it. Adam first ({Dora} completes): elected; electing
  //   Bob as well would leave no seat for a woman: not elected.
  // Round 4: Bob is in no completion: defeated (rule 1); Dora is the one hopeful for the one
  //   seat left: elected (C.1).
  // Without the rule: Dora is defeated first, Bob reaches 37 and is elected, then Adam, then
  //   Fred is defeated and Carl takes the last seat: Bob, Adam, Carl.
  test('rule 2: Dora is passed over for defeat and elected instead of Bob', () => {
    const r = countStv(SECOND, 'meek', 'test', women(['Dora'], 1));
    expect(r.elected).toEqual(['Carl', 'Adam', 'Dora']);
    expect(countStv(SECOND, 'meek', 'test').elected).toEqual(['Bob', 'Adam', 'Carl']);
    expect(r.rounds.map((x) => [x.elected, x.excluded])).toEqual([
      [[], ['Fred']],
      [['Carl'], []],
      [['Adam'], []],
      [['Dora'], ['Bob']],
    ]);
    expect(r.rounds[0]!.note).toContain(
      'Dora has the fewest votes (15.000000000) but is needed to meet a balance rule (women: at least 1 seat), so is not defeated (balance rule 2).',
    );
    expect(r.rounds[2]!.note).toContain(
      'Bob reaches the quota, but electing Bob would leave a balance rule unmet (women: at least 1 seat): not elected (balance rule 1).',
    );
    expect(r.rounds[3]!.note).toContain('so Bob is defeated under the balance rules');
  });
});

describe('ERS97 keeps the same two rules (hand counts, 2 decimals)', () => {
  // The first example under ERS97: quota 100 / 4 = 25.00.
  // Stage 1: Adam 30 and Bob 26 reach the quota and are deemed elected (5.1.7); each is in a
  //   completion with those before elected. Surpluses 5 and 1 wait.
  // Stage 2: one place left, no woman elected: Carl is excluded under rule 1 in a stage of its
  //   own, before any surplus; his 22 papers (Carl only) are non-transferable.
  // Stage 3: the surpluses (6) could change who is excluded (Eve 10 + 6 > Dora 12), so Adam's
  //   (5, the largest) is transferred: all 30 papers (elected at the first stage), whose next
  //   preference Carl is excluded: 5.00 non-transferable. The total active vote is now Dora
  //   12 + Eve 10 + Bob's surplus 1 = 23, and 12 >= 23 / 2: Dora is deemed elected (5.3.13).
  //   The places are filled; Eve is formally excluded (5.5.2).
  // Without the rule, stage 2 transfers Adam's surplus to Carl: 5.00 / 30 = 0.16, 30 x 0.16 =
  //   4.80, Carl 26.80 >= 25: Adam, Bob, Carl.
  test('rule 1: Carl is excluded under the rule and Dora takes the third place', () => {
    const r = countStv(FIRST, 'ers97', 'test', women(['Dora', 'Eve'], 1));
    expect(r.elected).toEqual(['Adam', 'Bob', 'Dora']);
    expect(countStv(FIRST, 'ers97', 'test').elected).toEqual(['Adam', 'Bob', 'Carl']);
    expect(r.rounds.map((x) => [x.elected, x.excluded])).toEqual([
      [['Adam', 'Bob'], []],
      [[], ['Carl']],
      [['Dora'], ['Eve']],
    ]);
    expect(r.rounds[1]!.note).toContain(
      'Electing Carl would leave a balance rule unmet (women: at least 1 seat), so Carl is excluded under the balance rules (balance rule 1).',
    );
    expect(r.rounds[1]!.exhausted).toBe('22.00');
    expect(r.rounds[2]!.exhausted).toBe('27.00');
    expect(r.summary!['balanceChanged']).toBe(true);
  });

  // The second example under ERS97 (Dora the only woman, at least 1), quota 25.00:
  // Stage 1: no one reaches the quota or the total active vote / 4.
  // Stage 2: 5.2.5 would exclude Dora (15) alone, but she is needed (rule 2): Fred (18), the
  //   fewest of the others, is excluded; his 18 papers go to Carl: 39, deemed elected.
  // Stage 3: Carl's surplus (14) could change the next exclusion (15 + 14 > 22): transferred
  //   from his last batch (Fred's papers), which has no next preference: non-transferable.
  //   Total active vote 24 + 22 + 15 = 61, two places: Adam 24 x 3 >= 61, deemed elected;
  //   then one place, 22 + 15 = 37: Bob 22 x 2 >= 37 qualifies, but electing him would leave
  //   no place for a woman: not deemed elected.
  // Stage 4: Bob is excluded under rule 1; Dora is the one continuing candidate for the one
  //   place left: deemed elected (5.5.1).
  // Without the rule: Dora is excluded at stage 2, Bob reaches 37; his surplus has no next
  //   preference; Adam and then Carl are deemed elected by the total active vote.
  test('rule 2: Dora is passed over for exclusion and elected instead of Bob', () => {
    const r = countStv(SECOND, 'ers97', 'test', women(['Dora'], 1));
    expect(r.elected).toEqual(['Carl', 'Adam', 'Dora']);
    expect(countStv(SECOND, 'ers97', 'test').elected).toEqual(['Bob', 'Adam', 'Carl']);
    expect(r.rounds.map((x) => [x.elected, x.excluded])).toEqual([
      [[], []],
      [['Carl'], ['Fred']],
      [['Adam'], []],
      [['Dora'], ['Bob']],
    ]);
    expect(r.rounds[1]!.note).toContain(
      'Dora has fewer votes (15.00) but is needed to meet a balance rule (women: at least 1 seat), so is not excluded (balance rule 2).',
    );
    expect(r.rounds[2]!.note).toContain(
      'Bob qualifies, but electing Bob would leave a balance rule unmet (women: at least 1 seat): not deemed elected (balance rule 1).',
    );
    expect(r.rounds[3]!.note).toContain('so Bob is excluded under the balance rules');
  });
});

describe('on random elections, the seats elected meet every rule', () => {
  // 3 to 8 candidates, each in a gender group (w or m) and a region (N or S); rules drawn on
  // those groups; whenever the rules can be met by the candidates, the elected fill every
  // seat and meet them all, and the result says whether the rules changed who was elected.
  const arb = fc.integer({ min: 3, max: 8 }).chain((n) => {
    const idx = Array.from({ length: n }, (_, i) => i);
    return fc.record({
      n: fc.constant(n),
      seats: fc.integer({ min: 1, max: n - 1 }),
      woman: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      north: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      minWomen: fc.integer({ min: 0, max: 3 }),
      maxNorth: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
      ballots: fc.array(
        fc.record({ k: fc.integer({ min: 1, max: 5 }), order: fc.shuffledSubarray(idx, { minLength: 1 }) }),
        { minLength: 1, maxLength: 25 },
      ),
    });
  });
  test.each(['scottish', 'meek', 'ers97'] as const)('%s', (rules_) => {
    fc.assert(
      fc.property(arb, (x) => {
        const names = Array.from({ length: x.n }, (_, i) => `C${i}`);
        const women = names.filter((_, i) => x.woman[i]);
        const north = names.filter((_, i) => x.north[i]);
        const rules = [
          ...(women.length && x.minWomen
            ? [{ group: 'women', candidates: women, min: Math.min(x.minWomen, x.seats) }]
            : []),
          ...(north.length && x.maxNorth !== undefined ? [{ group: 'North', candidates: north, max: x.maxNorth }] : []),
        ];
        const e = election(
          names,
          x.seats,
          x.ballots.map((b) => [b.k, b.order.map((c) => names[c]).join(' ')] as [number, string]),
        );
        let r;
        try {
          r = countStv(e, rules_, 'prop', rules);
        } catch (err) {
          expect(String(err)).toContain('cannot all be met');
          return;
        }
        expect(r.elected).toHaveLength(x.seats);
        for (const rule of rules) {
          const got = r.elected.filter((c) => rule.candidates.includes(c)).length;
          if ('min' in rule) expect(got).toBeGreaterThanOrEqual(Math.min(rule.min!, rule.candidates.length));
          if ('max' in rule) expect(got).toBeLessThanOrEqual(rule.max!);
        }
        if (!rules.length) return;
        // The flag says whether the set elected differs from the count without the rules.
        const plain = countStv(e, rules_, 'prop');
        const same = [...plain.elected].sort().join() === [...r.elected].sort().join();
        expect(r.summary!['balanceChanged']).toBe(!same);
      }),
      { numRuns: rules_ === 'scottish' ? 300 : 150 },
    );
  });
});

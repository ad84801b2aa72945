import fc from 'fast-check';
import {
  compareConference,
  type BranchInput,
  type ConferenceInput,
  type DelegateSettings,
} from '../../src/delegates/index';
import { type Rational, rat } from '../../src/tally/rational';
import type { RankedBallot } from '../../src/tally/types';

const totals = (rows: Array<[string, number, number, number]>): BranchInput[] =>
  rows.map(([name, members, a, b]) => ({ name, members, votes: [a, b] }));

const hamilton30 = (rule: DelegateSettings['rule']): DelegateSettings => ({
  basis: 'members',
  rule,
  method: 'hamilton',
  seats: 30,
});

/** Apply a flip's changes to per-branch vote totals (two or more options). */
function applyFlip(
  branches: BranchInput[],
  options: string[],
  changes: ReadonlyArray<{ branch: string | null; from: Readonly<Record<string, number>>; to: string }>,
): BranchInput[] {
  return branches.map((b) => {
    const ch = changes.find((c) => c.branch === b.name);
    if (!ch || b.votes === undefined) return b;
    const votes = b.votes.map((v) => Number(v));
    for (const [from, n] of Object.entries(ch.from)) votes[options.indexOf(from)]! -= n;
    votes[options.indexOf(ch.to)]! += Object.values(ch.from).reduce((a, n) => a + n, 0);
    return { ...b, votes };
  });
}

describe('bloc: three branches of 100 members, 10 delegates each', () => {
  // North A60 B40, South A55 B45, East A10 B90. Members: A 125, B 175. Delegates: A 20, B 10.
  const input: ConferenceInput = {
    question: 'Leader',
    options: ['A', 'B'],
    branches: totals([
      ['North', 100, 60, 40],
      ['South', 100, 55, 45],
      ['East', 100, 10, 90],
    ]),
    settings: hamilton30('bloc'),
  };
  const c = compareConference(input);

  test('the members choose B, the conference A: a referendum paradox', () => {
    expect(c.omov.winner).toBe('B');
    expect(c.omov.totals).toEqual({ A: '125', B: '175' });
    expect(c.conference.winner).toBe('A');
    expect(c.conference.delegates).toEqual({ A: '20', B: '10' });
    expect(c.agree).toBe(false);
    expect(c.paradoxes.map((p) => p.name)).toEqual(['referendum']);
    expect(c.branches.map((b) => b.delegates)).toEqual([10, 10, 10]);
    expect(c.branches.map((b) => b.winner)).toEqual(['A', 'A', 'B']);
  });

  test('margins: 50 of 300 member votes; 10 of 30 delegate votes', () => {
    expect(c.omov.margin).toEqual({ over: 'A', votes: '50', share: 0.166666, basis: 'votes' });
    expect(c.conference.margin).toEqual({ over: 'B', votes: '10', share: 0.333333, basis: 'votes' });
  });

  test('smallest flips: 26 members anywhere (125+26 > 175−26); 6 in South turn it and the conference', () => {
    expect(c.omov.flip?.members).toBe(26);
    expect(c.omov.flip?.to).toBe('A');
    expect(c.omov.flip?.changes).toEqual([{ branch: null, from: { B: 26 }, to: 'A', members: 26 }]);
    // South A55 B45: 6 switching gives A49 B51 (5 would give 50–50, a tie). North needs 11.
    expect(c.conference.flip?.members).toBe(6);
    expect(c.conference.flip?.to).toBe('B');
    expect(c.conference.flip?.changes).toEqual([{ branch: 'South', from: { A: 6 }, to: 'B', members: 6 }]);
    // And it does flip the conference.
    const flipped = compareConference({
      ...input,
      branches: applyFlip(input.branches as BranchInput[], ['A', 'B'], c.conference.flip!.changes),
    });
    expect(flipped.conference.winner).toBe('B');
  });

  test('disproportionality: vote shares 5/12, 7/12 against delegate shares 2/3, 1/3', () => {
    // Differences ±1/4: Loosemore–Hanby ½(1/4+1/4) = 25 points; Gallagher √(½(1/16+1/16)) = 25 points.
    expect(c.disproportionality.options.loosemoreHanby).toBe(25);
    expect(c.disproportionality.options.gallagher).toBe(25);
    expect(c.disproportionality.options.gallagherSquared).toBe('1/16');
    expect(c.disproportionality.branches.gallagher).toBe(0);
  });

  test('power: [16; 10, 10, 10] — a third each, as much per member as anyone', () => {
    expect(c.power?.quota).toBe(16);
    expect(c.power?.branches.map((b) => b.shapleyShubik.exact)).toEqual(['1/3', '1/3', '1/3']);
    expect(c.power?.branches.map((b) => b.banzhaf.exact)).toEqual(['1/3', '1/3', '1/3']);
    expect(c.power?.branches.map((b) => b.perMember)).toEqual([
      { banzhaf: 1, shapleyShubik: 1 },
      { banzhaf: 1, shapleyShubik: 1 },
      { banzhaf: 1, shapleyShubik: 1 },
    ]);
    expect(c.branches.map((b) => b.verdict)).toEqual(['even', 'even', 'even']);
  });

  test('the same input gives byte-identical JSON', () => {
    expect(
      JSON.stringify(compareConference(input), (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
    ).toBe(JSON.stringify(c, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  });
});

describe('proportional (Hamilton splits)', () => {
  // North A60 B40 → 6/4, South A56 B44 → 6/4 (5.6/4.4), East A10 B90 → 1/9. A 13, B 17.
  const input: ConferenceInput = {
    question: 'Leader',
    options: ['A', 'B'],
    branches: totals([
      ['North', 100, 60, 40],
      ['South', 100, 56, 44],
      ['East', 100, 10, 90],
    ]),
    settings: hamilton30('proportional'),
  };
  const c = compareConference(input);

  test('splits and agreement', () => {
    expect(c.settings.splitMethod).toBe('hamilton');
    expect(c.branches.map((b) => b.conference)).toEqual([
      { A: '6', B: '4' },
      { A: '6', B: '4' },
      { A: '1', B: '9' },
    ]);
    expect(c.conference.delegates).toEqual({ A: '13', B: '17' });
    expect(c.conference.winner).toBe('B');
    expect(c.omov.winner).toBe('B');
    expect(c.agree).toBe(true);
    expect(c.paradoxes).toEqual([]);
  });

  test('smallest conference flip: three delegates must move, 22 members at least', () => {
    // 17–13 needs three delegates to move (15–15 is a tie). Moving one of a branch's ten
    // delegates takes its A share past the next half: North 60→66 (6 members; 65 ties and
    // ties go against the challenger), then 76, 86; South 56→66 (10), 76 (20); East 10→16 (6),
    // 26 (16). Cheapest three moves: 6 + 6 + 10, or 16 + 6: 22 members.
    expect(c.conference.flip?.members).toBe(22);
    expect(c.conference.flip?.to).toBe('A');
    const flipped = compareConference({
      ...input,
      branches: applyFlip(input.branches as BranchInput[], ['A', 'B'], c.conference.flip!.changes),
    });
    expect(flipped.conference.winner).toBe('A');
    // OMOV: A 126, B 174: 25 members (151 > 149).
    expect(c.omov.flip?.members).toBe(25);
  });
});

describe('weighted ballots against bloc, unequal branches (fixed delegates)', () => {
  // Big: 1000 members, A600 B400, 5 delegates. Small: 100 members, A10 B90, 4 delegates.
  const branches: BranchInput[] = [
    { name: 'Big', members: 1000, votes: [600, 400], delegates: 5 },
    { name: 'Small', members: 100, votes: [10, 90], delegates: 4 },
  ];
  const base = { question: 'Motion', options: ['A', 'B'], branches };
  const weighted = compareConference({ ...base, settings: { basis: 'members', rule: 'weighted', method: 'fixed' } });
  const bloc = compareConference({ ...base, settings: { basis: 'members', rule: 'bloc', method: 'fixed' } });

  test("weighted: A 600·5/1000 + 10·4/100 = 3.4, B 2 + 3.6 = 5.6: B, against the members' A", () => {
    expect(weighted.omov.winner).toBe('A');
    expect(weighted.conference.delegates).toEqual({ A: '17/5', B: '28/5' });
    expect(weighted.conference.winner).toBe('B');
    expect(weighted.agree).toBe(false);
    expect(weighted.conference.margin?.votes).toBe('11/5');
  });

  test('weighted flip: the heaviest votes first — 28 in Small (28 × 2 × 4/100 = 2.24 > 2.2)', () => {
    expect(weighted.conference.flip?.members).toBe(28);
    expect(weighted.conference.flip?.changes).toEqual([{ branch: 'Small', from: { B: 28 }, to: 'A', members: 28 }]);
    // OMOV 610–490: 61 members.
    expect(weighted.omov.flip?.members).toBe(61);
  });

  test("bloc: Big's 5 delegates for A beat Small's 4 for B", () => {
    expect(bloc.conference.delegates).toEqual({ A: '5', B: '4' });
    expect(bloc.agree).toBe(true);
  });

  test('power [5; 5, 4]: Big is a dictator; representation per member', () => {
    expect(bloc.power?.branches.map((b) => b.shapleyShubik.exact)).toEqual(['1', '0']);
    expect(bloc.power?.branches.map((b) => b.banzhaf.exact)).toEqual(['1', '0']);
    // Big's share of members is 10/11: power per member 1 ÷ 10/11 = 1.1.
    expect(bloc.power?.branches[0]!.perMember).toEqual({ banzhaf: 1.1, shapleyShubik: 1.1 });
    // 5/1000 and 4/100 delegates per member against 9/1100 on average: 0.6111 and 4.8888.
    expect(bloc.branches.map((b) => b.representation)).toEqual([0.611111, 4.888888]);
    expect(bloc.branches.map((b) => b.verdict)).toEqual(['under', 'over']);
  });
});

describe('weighted ballots, ranked (IRV)', () => {
  const b = (weight: number, ...ranking: number[]): RankedBallot => ({
    weight: rat(weight),
    ranking: ranking.map((c) => [c]),
  });
  // Options A=0, B=1, C=2. X (100 members, 1 delegate): 40 A>B, 35 B>A, 25 C>B. Y (20 members, 1 delegate): 20 C>A.
  const input: ConferenceInput = {
    question: 'Chair',
    options: ['A', 'B', 'C'],
    branches: [
      { name: 'X', members: 100, delegates: 1, ballots: [b(40, 0, 1), b(35, 1, 0), b(25, 2, 1)] },
      { name: 'Y', members: 20, delegates: 1, ballots: [b(20, 2, 0)] },
    ],
    settings: { basis: 'members', rule: 'weighted', method: 'fixed' },
    count: { method: 'irv' },
  };

  test('members: A40 B35 C45, B out, A75 C45 → A; weighted: C has 0.25 + 1 of 2 delegate votes → C', () => {
    const c = compareConference(input);
    expect(c.omov.winner).toBe('A');
    expect(c.omov.margin).toEqual({ over: 'C', votes: '30', share: 0.25, basis: 'final round' });
    expect(c.conference.winner).toBe('C');
    expect(c.conference.delegates).toEqual({ A: '2/5', B: '7/20', C: '5/4' });
    expect(c.agree).toBe(false);
    expect(c.paradoxes[0]!.description).toMatch(/first preferences/);
    // No exact flips for IRV, and the result says so.
    expect(c.omov.flip).toBeNull();
    expect(c.notes.join(' ')).toMatch(/not for irv/);
  });

  test("Schulze too: the weighted count goes through the ballot's own method", () => {
    const c = compareConference({ ...input, count: { method: 'schulze' } });
    // Members: A beats C 75–45 and B 40–80? A>B: 40+20 = 60 vs B>A 35+25 = 60 — tie; A>C 75–45.
    // Weighted: C first on 1.25 of 2, and C beats A (0.25+1 vs 0.75) and B (1.25 vs 0.75).
    expect(c.conference.winner).toBe('C');
  });
});

describe('yes/no with a two-thirds threshold, bloc', () => {
  // P Yes70 No30, Q Yes60 No40, R Yes80 No20; 10 delegates each.
  const input: ConferenceInput = {
    question: 'Rule change',
    options: ['Yes', 'No'],
    branches: totals([
      ['P', 100, 70, 30],
      ['Q', 100, 60, 40],
      ['R', 100, 80, 20],
    ]),
    settings: hamilton30('bloc'),
    count: { method: 'yesno', threshold: '2/3' },
  };
  const c = compareConference(input);

  test('members 210/300 carry it; branches P and R carry, Q does not (60% < 2/3); 20/30 delegates carry it', () => {
    expect(c.omov.winner).toBe('Yes');
    expect(c.branches.map((b) => b.winner)).toEqual(['Yes', 'No', 'Yes']);
    expect(c.conference.delegates).toEqual({ Yes: '20', No: '10' });
    expect(c.conference.winner).toBe('Yes');
    expect(c.agree).toBe(true);
  });

  test('flips by the threshold: 11 members (199 < 200); P turned by 4 (66 < 66⅔) turns the conference', () => {
    expect(c.omov.flip?.members).toBe(11);
    expect(c.conference.flip?.members).toBe(4);
    expect(c.conference.flip?.changes).toEqual([{ branch: 'P', from: { Yes: 4 }, to: 'No', members: 4 }]);
  });
});

describe('settings and input', () => {
  const branches = totals([
    ['North', 120, 60, 40],
    ['South', 300, 55, 45],
    ['East', 80, 10, 90],
  ]);

  test('bands from a rule book, flat as the service stores them', () => {
    const c = compareConference({
      question: 'Q',
      options: ['A', 'B'],
      branches,
      settings: {
        basis: 'members',
        rule: 'bloc',
        method: 'bands',
        bands: [
          { upTo: 100, delegates: 1 },
          { upTo: 250, delegates: 2 },
        ],
        beyond: { every: 250, delegates: 1 },
      },
    });
    expect(c.branches.map((b) => b.delegates)).toEqual([2, 2, 1]);
  });

  test('basis turnout and electorate', () => {
    const t = compareConference({
      question: 'Q',
      options: ['A', 'B'],
      branches,
      settings: { basis: 'turnout', rule: 'bloc', method: 'dhondt', seats: 30 },
    });
    expect(t.branches.map((b) => b.population)).toEqual(['100', '100', '100']);
    expect(t.branches.map((b) => b.delegates)).toEqual([10, 10, 10]);
    const e = compareConference({
      question: 'Q',
      options: ['A', 'B'],
      branches: branches.map((b, i) => ({ ...b, electorate: [10, 20, 30][i] })),
      settings: { basis: 'electorate', rule: 'bloc', method: 'dhondt', seats: 6 },
    });
    expect(e.branches.map((b) => b.delegates)).toEqual([1, 2, 3]);
  });

  test('errors the service can show', () => {
    expect(() =>
      compareConference({
        question: 'Q',
        options: ['A', 'B'],
        branches,
        settings: { basis: 'members', rule: 'bloc', method: 'hamilton', seats: 30, min: 11 },
      }),
    ).toThrow(/infeasible/);
    expect(() =>
      compareConference({
        question: 'Q',
        options: ['A', 'B'],
        branches: [{ name: 'X', votes: [1, 2] }],
        settings: hamilton30('bloc'),
      }),
    ).toThrow(/need its members/);
    expect(() =>
      compareConference({
        question: 'Q',
        options: ['A', 'B'],
        branches,
        settings: hamilton30('bloc'),
        elect: 2,
        count: { method: 'block' },
      }),
    ).toThrow(/weighted rule/);
  });

  test('a branch that cast no votes sends silent delegates, and the notes say so', () => {
    const c = compareConference({
      question: 'Q',
      options: ['A', 'B'],
      branches: [...branches, { name: 'Idle', members: 100, votes: [0, 0] }],
      settings: hamilton30('bloc'),
    });
    expect(c.notes.join(' ')).toMatch(/Cast no votes.*Idle/);
    expect(c.branches[3]!.conference).toEqual({ A: '0', B: '0' });
  });
});

describe('properties', () => {
  const branchArb = fc
    .array(
      fc.tuple(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 200 }),
      ),
      { minLength: 1, maxLength: 6 },
    )
    .filter((bs) => bs.some(([, a, b, c]) => a + b + c > 0));
  const build = (bs: Array<[number, number, number, number]>): BranchInput[] =>
    bs.map(([members, a, b, c], i) => ({ name: `b${i}`, members, votes: [a, b, c] }));

  test('ballots and totals give the same comparison', () => {
    fc.assert(
      fc.property(
        branchArb,
        fc.constantFrom('bloc' as const, 'proportional' as const, 'weighted' as const),
        (bs, rule) => {
          const settings: DelegateSettings = { basis: 'members', rule, method: 'sainte-lague', seats: 40 };
          const byTotals = compareConference({
            question: 'Q',
            options: ['A', 'B', 'C'],
            branches: build(bs),
            settings,
          });
          const byBallots = compareConference({
            question: 'Q',
            options: ['A', 'B', 'C'],
            settings,
            branches: bs.map(([members, ...v], i) => ({
              name: `b${i}`,
              members,
              ballots: v.flatMap((n, k) =>
                Array.from({ length: n }, (): RankedBallot => ({ weight: rat(1), ranking: [[k]] })),
              ),
            })),
          });
          expect(byBallots.omov.elected).toEqual(byTotals.omov.elected);
          expect(byBallots.conference.delegates).toEqual(byTotals.conference.delegates);
          expect(byBallots.conference.elected).toEqual(byTotals.conference.elected);
          expect(byBallots.conference.flip?.members).toEqual(byTotals.conference.flip?.members);
        },
      ),
      { numRuns: 40 },
    );
  });

  test("delegates in proportion to turnout, weighted: the conference is the members' vote scaled", () => {
    fc.assert(
      fc.property(branchArb, (bs) => {
        const branches = build(bs).map((b) => ({
          ...b,
          delegates: b.votes!.reduce<number>((a, v) => a + Number(v), 0),
        }));
        const c = compareConference({
          question: 'Q',
          options: ['A', 'B', 'C'],
          branches,
          settings: { basis: 'members', rule: 'weighted', method: 'fixed' },
        });
        expect(c.conference.delegates).toEqual(c.omov.totals);
        expect(c.agree).toBe(true);
        expect(c.disproportionality.options.gallagher).toBe(0);
      }),
      { numRuns: 40 },
    );
  });

  test("a flip found is a flip: applying it changes the conference's winner", () => {
    fc.assert(
      fc.property(
        branchArb,
        fc.constantFrom('bloc' as const, 'proportional' as const, 'weighted' as const),
        (bs, rule) => {
          const settings: DelegateSettings = { basis: 'members', rule, method: 'dhondt', seats: 25 };
          const input: ConferenceInput = { question: 'Q', options: ['A', 'B', 'C'], branches: build(bs), settings };
          const c = compareConference(input);
          const f = c.conference.flip;
          if (f === null) return;
          const after = compareConference({
            ...input,
            branches: applyFlip(input.branches as BranchInput[], ['A', 'B', 'C'], f.changes),
          });
          expect(after.conference.winner).not.toBe(c.conference.winner);
          // Every change moves members who were there.
          for (const ch of f.changes) {
            const b = bs[Number(ch.branch!.slice(1))]!;
            for (const [from, n] of Object.entries(ch.from))
              expect(n).toBeLessThanOrEqual(b[1 + ['A', 'B', 'C'].indexOf(from)]!);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  test("the members' flip is exact: one member fewer does not flip it", () => {
    fc.assert(
      fc.property(branchArb, (bs) => {
        const input: ConferenceInput = {
          question: 'Q',
          options: ['A', 'B', 'C'],
          branches: build(bs),
          settings: hamilton30('bloc'),
        };
        const c = compareConference(input);
        const f = c.omov.flip;
        if (f === null) return;
        const w = c.omov.winner!;
        const totalsOf = (k: number): Rational[] =>
          ['A', 'B', 'C'].map((o) => {
            const t = Number(c.omov.totals[o]);
            return rat(o === w ? t - k : o === f.to ? t + k : t);
          });
        const strictlyBehind = (t: Rational[]): boolean =>
          t[['A', 'B', 'C'].indexOf(f.to)]!.num > t[['A', 'B', 'C'].indexOf(w)]!.num;
        expect(strictlyBehind(totalsOf(f.members))).toBe(true);
        expect(strictlyBehind(totalsOf(f.members - 1))).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  test('bloc flips with two options are the cheapest set of branches (checked against every subset)', () => {
    const small = fc
      .array(
        fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 })),
        { minLength: 1, maxLength: 6 },
      )
      .filter((bs) => bs.some(([, a, b]) => a + b > 0));
    fc.assert(
      fc.property(small, (bs) => {
        const branches: BranchInput[] = bs.map(([d, a, b], i) => ({
          name: `b${i}`,
          members: a + b + 1,
          votes: [a, b],
          delegates: d,
        }));
        const c = compareConference({
          question: 'Q',
          options: ['A', 'B'],
          branches,
          settings: { basis: 'members', rule: 'bloc', method: 'fixed' },
        });
        const w = c.conference.winner;
        if (w === null) return;
        const wi = w === 'A' ? 0 : 1;
        const dW = Number(c.conference.delegates[w]);
        const dX = Number(c.conference.delegates[w === 'A' ? 'B' : 'A']);
        // Branches that voted for W can be turned, each at ⌊(W−X)/2⌋+1 members, moving d delegates.
        const turnable = bs
          .map(([d, a, b], i) => ({
            d,
            cost: Math.floor(Math.abs(a - b) / 2) + 1,
            forW: c.branches[i]!.winner === w,
            votes: [a, b],
          }))
          .filter((t) => t.forW && t.votes[wi]! > 0);
        let best = Infinity;
        for (let mask = 0; mask < 1 << turnable.length; mask++) {
          let moved = 0;
          let cost = 0;
          turnable.forEach((t, j) => {
            if (mask & (1 << j)) {
              moved += t.d;
              cost += t.cost;
            }
          });
          if (dX + moved > dW - moved) best = Math.min(best, cost);
        }
        expect(c.conference.flip?.members ?? Infinity).toBe(best);
      }),
      { numRuns: 150 },
    );
  });
});

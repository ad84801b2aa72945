import { compareConference, type ConferenceInput } from '../../src/delegates/conference';
import { decideByProcedure, describeModel } from '../../src/delegates/declared';
import {
  affiliateUnits,
  balanceReport,
  checkAffiliates,
  tiersReport,
  withAffiliates,
} from '../../src/delegates/rulebook';
import type { TallyOptions } from '../../src/tally/index';
import type { DelegateSettingsInput } from '../../src/domain/ballot';

const count: TallyOptions = { method: 'plurality' } as TallyOptions;

/**
 * Affiliated delegations and a balance rule, worked by hand. Plurality, options A and B.
 *   North: 10 members, 3 delegates (fixed); votes A 6, B 4 → its 3 delegates vote A.
 *   South: 10 members, 1 delegate; votes A 1, B 9 → its delegate votes B.
 * The members: A 7, B 13 → B. The branches' conference: A 3, B 1 → A, against them.
 */
const input: ConferenceInput = {
  question: 'Motion',
  options: ['A', 'B'],
  branches: [
    { name: 'North', members: 10, delegates: 3, votes: [6, 4] },
    { name: 'South', members: 10, delegates: 1, votes: [1, 9] },
  ],
  settings: { basis: 'members', rule: 'bloc', method: 'fixed' },
  count,
};

describe('affiliated delegations', () => {
  const cc = compareConference(input);
  const unite = { name: 'Unite', members: 35, mandate: { A: 3, B: 1 } };

  test('the branches alone choose A, against the members (B)', () => {
    expect(cc.omov.elected).toEqual(['B']);
    expect(cc.conference.delegates).toEqual({ A: '3', B: '1' });
    expect(cc.conference.elected).toEqual(['A']);
  });

  test('a union with 4 delegates mandated for B: A 3, B 5 → B, as the members', () => {
    const w = withAffiliates(cc, [{ name: 'Unite', delegates: 4, mandate: { B: 4 } }], count, 's');
    expect(w.conference.delegates).toEqual({ A: '3', B: '5' });
    expect(w.conference.elected).toEqual(['B']);
    expect(w.agree).toBe(true);
    expect(w.settings.delegates).toBe(8);
    expect(w.branches.map((b) => [b.name, b.delegates, b.affiliate ?? false])).toEqual([
      ['North', 3, false],
      ['South', 1, false],
      ['Unite', 4, true],
    ]);
    // Power and the chance over lots are of the branches alone: left out, and said so.
    expect(w.power).toBeNull();
    expect(w.notes.join(' ')).toContain('are of the branches alone');
  });

  test('a split mandate, and delegates not mandated abstain: Women 3, A 1 B 1 → A 4, B 2 → A', () => {
    const w = withAffiliates(cc, [{ name: 'Women', delegates: 3, mandate: { A: 1, B: 1 } }], count, 's');
    expect(w.conference.delegates).toEqual({ A: '4', B: '2' });
    expect(w.conference.elected).toEqual(['A']);
    expect(w.agree).toBe(false);
    expect(w.paradoxes[0]!.description).toContain('with the affiliated delegations, chooses A');
  });

  /**
   * A card vote where the affiliates count 50%, whatever their size. Unite: 1 delegate for B.
   * Counted together: A 3, B 2 → A. In sections: the branches A 3/4, B 1/4; the affiliates
   * B 1/1. A = 1/2 · 3/4 = 3/8, B = 1/2 · 1/4 + 1/2 · 1 = 5/8 → B.
   */
  test('a card vote with the affiliates as a section of 1/2 turns A into B', () => {
    const w = withAffiliates(cc, [{ name: 'Unite', delegates: 1, mandate: { B: 1 } }], count, 's');
    expect(w.conference.elected).toEqual(['A']);
    const card = decideByProcedure(
      w,
      {
        kind: 'card',
        sections: [
          { name: 'Branches', weight: '1/2', branches: [] },
          { name: 'Affiliates', weight: '1/2', branches: ['Unite'] },
        ],
      },
      { seed: 's', motion: false, units: new Map() },
    );
    expect(card.shares).toEqual({ A: '3/8', B: '5/8' });
    expect(card.elected).toEqual(['B']);
  });

  /**
   * A union sized by its affiliated membership, under a band table of 1 delegate up to 10
   * members, then 1 more for every 10 (or part): North 10 → 1, South 10 → 1, Unite 35 → 4.
   * Its mandate 3 : 1 splits its 4 delegates A 3, B 1 (Hamilton). North A 1, South B 1:
   * A 1 + 3 = 4, B 1 + 1 = 2 → A.
   */
  test('a delegation sized by membership gets its delegates by the model, split by its mandate', () => {
    const bands = compareConference({
      ...input,
      branches: [...input.branches.map((b) => ({ ...b, delegates: undefined })), ...affiliateUnits([unite])],
      settings: {
        basis: 'members',
        rule: 'bloc',
        method: 'bands',
        bands: [{ upTo: 10, delegates: 1 }],
        beyond: { every: 10, delegates: 1, orPart: true },
      },
    });
    expect(bands.branches.map((b) => [b.name, b.delegates])).toEqual([
      ['North', 1],
      ['South', 1],
      ['Unite', 4],
    ]);
    expect(bands.notes.join(' ')).toContain('Cast no votes, so their delegates do not vote: Unite.');
    const w = withAffiliates(bands, [unite], count, 's');
    expect(w.branches.map((b) => [b.name, b.delegates, b.affiliate ?? false, b.conference])).toEqual([
      ['North', 1, false, { A: '1', B: '0' }],
      ['South', 1, false, { A: '0', B: '1' }],
      ['Unite', 4, true, { A: '3', B: '1' }],
    ]);
    expect(w.conference.delegates).toEqual({ A: '4', B: '2' });
    expect(w.conference.elected).toEqual(['A']);
    expect(w.settings.delegates).toBe(6);
    expect(w.notes.join(' ')).not.toContain('Cast no votes');
    // The members' vote is the branches' alone.
    expect(w.omov.totals).toEqual({ A: '7', B: '13' });
  });

  /** Apportioned: 10 delegates by Sainte-Laguë on members North 10, South 10, Unite 30 → 2, 2, 6; Unite's 6 all for A. */
  test('a delegation sized by membership shares the apportioned delegates with the branches', () => {
    const shared = compareConference({
      ...input,
      branches: [
        ...input.branches.map((b) => ({ ...b, delegates: undefined })),
        ...affiliateUnits([{ name: 'Unite', members: 30, mandate: { A: 1 } }]),
      ],
      settings: { basis: 'members', rule: 'bloc', method: 'sainte-lague', seats: 10 },
    });
    const w = withAffiliates(shared, [{ name: 'Unite', members: 30, mandate: { A: 1 } }], count, 's');
    expect(w.branches.map((b) => [b.name, b.delegates])).toEqual([
      ['North', 2],
      ['South', 2],
      ['Unite', 6],
    ]);
    expect(w.conference.delegates).toEqual({ A: '8', B: '2' });
    expect(w.settings.delegates).toBe(10);
  });

  test('a mandate for no option, more votes than delegates, or a branch name is refused', () => {
    expect(() => checkAffiliates([{ name: 'U', delegates: 1, mandate: { C: 1 } }], ['A', 'B'])).toThrow(
      'which is not an option',
    );
    expect(() => checkAffiliates([{ name: 'U', delegates: 1, mandate: { A: 2 } }], ['A', 'B'])).toThrow(
      'more than its 1 delegate',
    );
    expect(() => checkAffiliates([{ name: 'North', delegates: 1, mandate: {} }], ['A', 'B'], ['North'])).toThrow(
      "has a branch's name",
    );
  });
});

describe('balance within a delegation', () => {
  const cc = compareConference(input);
  const units = [
    { name: 'North', branches: ['North'], members: 10 },
    { name: 'South', branches: ['South'], members: 10 },
  ];

  /**
   * At least half of each delegation women; counts North 2, South 0.
   * North: ⌈3/2⌉ = 2 must be women, it has 2: met. South: ⌈1/2⌉ = 1, it has 0: short.
   * In all at least 3 of 4 delegates, against 2 women among 20 members.
   */
  test('who must be of the group, branch by branch, and who cannot meet it', () => {
    const r = balanceReport(cc, { label: 'women', share: '1/2', counts: { North: 2, South: 0 } }, units, 'bloc');
    expect(r.units.map((u) => [u.name, u.delegates, u.required, u.group, u.met])).toEqual([
      ['North', 3, 2, 2, true],
      ['South', 1, 1, 0, false],
    ]);
    expect([r.delegates, r.required, r.group, r.members]).toEqual([4, 3, 2, 20]);
    expect(r.short).toEqual(['South']);
    expect(r.effect).toContain('not how they vote');
  });

  test('a branch with no count entered is unknown; a split conference says what omov cannot know', () => {
    const r = balanceReport(cc, { label: 'women', share: '0.4', counts: { North: 1 } }, units, 'proportional');
    expect(r.units.map((u) => [u.required, u.group, u.met])).toEqual([
      [2, 1, false],
      [1, null, null],
    ]);
    expect(r.effect).toContain('the ballot is secret and omov holds no member');
    expect(r.effect).toContain('models only the delegations');
  });
});

/**
 * Regional tiers that change the answer. Plurality, A and B; five branches of 10 members,
 * each with 1 delegate voting as a bloc.
 *   Region X: N1 A 6 B 4 → A; N2 A 6 B 4 → A; N3 B 10 → B. Its conference: A 2, B 1 → A.
 *   Region Y: S1 B 10 → B; S2 B 10 → B. Its conference: B 2 → B.
 * One tier: A 2, B 3 → B (as the members: A 12, B 38).
 * Two tiers: 5 national delegates by Sainte-Laguë on members X 30, Y 20: quotients X 30, 10,
 * 6; Y 20, 6⅔ → X 3, Y 2. As blocs: A 3, B 2 → A — the tiers turn the answer.
 * In proportion: X's 3 split by its delegate votes 2:1 → A 2, B 1; Y's 2 → B 2: A 2, B 3 → B.
 */
describe('regional tiers', () => {
  const five: ConferenceInput = {
    question: 'Motion',
    options: ['A', 'B'],
    branches: [
      { name: 'N1', members: 10, delegates: 1, votes: [6, 4] },
      { name: 'N2', members: 10, delegates: 1, votes: [6, 4] },
      { name: 'N3', members: 10, delegates: 1, votes: [0, 10] },
      { name: 'S1', members: 10, delegates: 1, votes: [0, 10] },
      { name: 'S2', members: 10, delegates: 1, votes: [0, 10] },
    ],
    settings: { basis: 'members', rule: 'bloc', method: 'fixed' },
    count,
  };
  const cc = compareConference(five);
  const units = five.branches.map((b) => ({ name: b.name, parts: [{ branch: b.name, members: 10 }] }));
  const regions = { N1: 'X', N2: 'X', N3: 'X', S1: 'Y', S2: 'Y' };

  test('one tier: B, as the members', () => {
    expect(cc.conference.elected).toEqual(['B']);
    expect(cc.agree).toBe(true);
  });

  test('two tiers, regions voting as blocs: A, against the members and the one tier', () => {
    const t = tiersReport(cc, { regions, seats: 5, method: 'sainte-lague', vote: 'bloc' }, units, count, 's');
    expect(t.regions.map((r) => [r.name, r.members, r.delegateVotes, r.elected, r.delegates, r.national])).toEqual([
      ['X', 30, { A: '2', B: '1' }, ['A'], 3, { A: 3, B: 0 }],
      ['Y', 20, { A: '0', B: '2' }, ['B'], 2, { A: 0, B: 2 }],
    ]);
    expect(t.national).toEqual({ delegates: { A: 3, B: 2 }, elected: ['A'] });
    expect(t.singleTier).toEqual(['B']);
    expect(t.changed).toBe(true);
    expect(t.agree).toBe(false);
    expect(t.lots).toEqual([]);
    expect(t.note).toContain('the tiers changed the answer');
  });

  test('two tiers, regions in proportion: B, as one tier', () => {
    const t = tiersReport(cc, { regions, seats: 5, method: 'sainte-lague', vote: 'proportional' }, units, count, 's');
    expect(t.national).toEqual({ delegates: { A: 2, B: 3 }, elected: ['B'] });
    expect(t.changed).toBe(false);
    expect(t.agree).toBe(true);
  });

  /** A pool of N3 and S1 (20 members, its 2 delegates voting B) splits by its branches' members: 1 to X, 1 to Y. */
  test("a pool across regions is split by its branches' members", () => {
    const pooled = compareConference({
      ...five,
      branches: [
        five.branches[0]!,
        five.branches[1]!,
        { name: 'Pool', members: 20, delegates: 2, votes: [0, 20] },
        five.branches[4]!,
      ],
    });
    const t = tiersReport(
      pooled,
      { regions, seats: 5, method: 'sainte-lague', vote: 'bloc' },
      [
        units[0]!,
        units[1]!,
        {
          name: 'Pool',
          parts: [
            { branch: 'N3', members: 10 },
            { branch: 'S1', members: 10 },
          ],
        },
        units[4]!,
      ],
      count,
      's',
    );
    expect(t.regions.map((r) => [r.name, r.delegateVotes])).toEqual([
      ['X', { A: '2', B: '1' }],
      ['Y', { A: '0', B: '2' }],
    ]);
    expect(t.national.elected).toEqual(['A']);
  });

  test('tiers decide single places', () => {
    expect(() =>
      tiersReport({ ...cc, elect: 2 }, { regions, seats: 5, method: 'sainte-lague', vote: 'bloc' }, units, count, 's'),
    ).toThrow('regional tiers decide single places');
  });

  test('a branch without a region is refused, naming it', () => {
    expect(() =>
      tiersReport(cc, { regions: { N1: 'X' }, seats: 5, method: 'sainte-lague', vote: 'bloc' }, units, count, 's'),
    ).toThrow('no region was given for the branches N2, N3, S1, S2');
  });
});

describe('descriptions', () => {
  test('each model says what it is and where its figures come from', () => {
    const m = {
      basis: 'members',
      rule: 'bloc',
      method: 'fixed',
      numbers: { North: 3, South: 1 },
      affiliates: [{ name: 'Unite', delegates: 4, mandate: { B: 4 } }],
      balance: { label: 'women', share: '1/2', counts: { North: 2 } },
    } as DelegateSettingsInput;
    const d = describeModel(m);
    expect(d).toContain('Affiliated delegations beside the branches: Unite (4 delegates: B 4)');
    expect(d).toContain('At least 1/2 of each delegation must be women');
    expect(d).toContain('not how they vote');
    const t = describeModel({
      basis: 'members',
      rule: 'bloc',
      method: 'fixed',
      numbers: { N1: 1 },
      regions: { of: { N1: 'X' }, seats: 5, method: 'sainte-lague', vote: 'bloc' },
    } as DelegateSettingsInput);
    expect(t).toContain('Regional tiers');
    expect(t).toContain('5 national delegates');
  });
});

import { comparisonSchema, type DeclaredComparison, type Question, type StoredVote } from '../../src/domain/ballot';
import { countQuestion, type UnitFacts } from '../../src/domain/count';
import { STANDARD_SWEEP } from '../../src/delegates/declared';
import { rat } from '../../src/tally/rational';

/**
 * Declared comparisons on a hand-worked plurality question. Three branches:
 *   A (50 members): X 30, Y 20      B (30 members): Y 20, Z 10      C (20 members): Z 15, X 5
 * The members choose Y (40, against X 35 and Z 25). Hamilton shares 10 delegates by members
 * as A 5, B 3, C 2; voting as blocs they give X 5, Y 3, Z 2.
 */
const q = (comparisons: DeclaredComparison[]): Question => ({
  id: 'q1',
  position: 0,
  title: 'Conference venue',
  description: '',
  method: 'plurality',
  settings: {},
  options: ['X', 'Y', 'Z'].map((label, position) => ({ id: `o${position}`, position, label, description: '' })),
  comparisons,
});
const votes: StoredVote[] = (
  [
    ['A', 0, 30],
    ['A', 1, 20],
    ['B', 1, 20],
    ['B', 2, 10],
    ['C', 2, 15],
    ['C', 0, 5],
  ] as const
).flatMap(([unit, option, n]) =>
  Array.from({ length: n }, () => ({ unit, weight: '1', answers: { q1: { kind: 'choice' as const, option } } })),
);
const units: UnitFacts[] = [
  ['A', 50],
  ['B', 30],
  ['C', 20],
].map(([name, members]) => ({
  name: name as string,
  branches: [name as string],
  pooled: false,
  members: members as number,
  electorate: members as number,
}));
const hamilton = { basis: 'members', rule: 'bloc', method: 'hamilton', seats: 10 } as const;
const declare = (c: unknown) => comparisonSchema.parse(c);
const count = (cs: DeclaredComparison[]) => countQuestion(q(cs), votes, rat(100), 'ballot', units);

test('each procedure decides from the same delegate votes, as worked by hand', () => {
  const r = count([
    declare({ model: hamilton }),
    declare({ model: hamilton, procedure: { kind: 'exhaustive' } }),
    declare({ model: hamilton, procedure: { kind: 'majority' } }),
    declare({ model: hamilton, procedure: { kind: 'majority', otherwise: 'run-off' } }),
    declare({
      label: 'Card vote',
      model: hamilton,
      procedure: {
        kind: 'card',
        sections: [
          { name: 'North', weight: '1/2', branches: ['A'] },
          { name: 'Rest', weight: '1/2', branches: [] },
        ],
      },
    }),
  ]);
  expect(r.elected).toEqual(['Y']);
  expect(r.conference).toBeNull();
  const c = r.comparisons!;
  expect(c[0]!.comparison!.conference.delegates).toEqual({ X: '5', Y: '3', Z: '2' });
  // The ballot's own method: plurality of delegate votes, X 5.
  expect(c[0]!.elected).toEqual(['X']);
  // Exhaustive: no majority of 10; Z out, C's 2 go to X (C's members preferred X to Y): X 7.
  expect(c[1]!.elected).toEqual(['X']);
  expect(c[1]!.procedure!.rounds!.map((x) => x.eliminated)).toEqual(['Z', null]);
  expect(c[1]!.procedure!.rounds![1]!.votes).toEqual({ X: '7', Y: '3' });
  // Majority required: X has exactly 1/2, not more: nothing decided.
  expect(c[2]!.elected).toEqual([]);
  expect(c[2]!.procedure!.note).toContain('the conference decides nothing');
  // With a run-off of X and Y: A 5 and C 2 for X, B 3 for Y.
  expect(c[3]!.elected).toEqual(['X']);
  expect(c[3]!.procedure!.note).toContain('In the run-off X has 7 delegate votes, Y 3: X wins');
  // Card vote: North (A) all X, so X 1/2; the rest: Y 3/5 and Z 2/5 of a half.
  expect(c[4]!.procedure!.shares).toEqual({ X: '1/2', Y: '3/10', Z: '1/5' });
  expect(c[4]!.elected).toEqual(['X']);
  expect(c[4]!.label).toBe('Card vote');
  expect(c.map((x) => x.agree)).toEqual([false, false, false, false, false]);
  expect(c[1]!.description).toBe(
    "10 delegates are shared among the branches in proportion to their members, by Hamilton (largest remainder, Hare quota). All of a branch's delegates vote for what most of its voting members chose. The conference votes by exhaustive ballot: an option needs more than half of the votes cast; otherwise the last is eliminated and the delegates vote again, each for the option their branch's members liked best among those left.",
  );
});

test('fixed numbers per branch, and the robustness view across declared comparisons and the sweep', () => {
  const r = count([
    declare({ model: hamilton }),
    // Fixed: B's 6 delegates outvote A's 3 and C's 1: Y, as the members.
    declare({ model: { rule: 'bloc', method: 'fixed', numbers: { A: 3, B: 6, C: 1 } } }),
  ]);
  const [, fixed] = r.comparisons!;
  expect(fixed!.comparison!.branches.map((b) => b.delegates)).toEqual([3, 6, 1]);
  expect(fixed!.elected).toEqual(['Y']);
  expect(fixed!.agree).toBe(true);
  const rb = r.robustness!;
  expect(rb.declared).toEqual({ agree: 1, counted: 2, lotDependent: 0 });
  expect(rb.sweep.models.map((m) => m.name)).toEqual(STANDARD_SWEEP.map((m) => m.name));
  expect(rb.sweep.counted).toBe(7);
  // Bloc under any of the three apportionments gives A 50, B 30, C 20 delegates: X wins.
  expect(rb.sweep.models.filter((m) => m.name.startsWith('Bloc')).map((m) => m.elected)).toEqual([['X'], ['X'], ['X']]);
  // Weighted: every member's vote counts as one delegate vote (100 delegates, 100 voters): Y, as the members.
  expect(rb.sweep.models.find((m) => m.name.startsWith('Weighted'))!.agree).toBe(true);
  expect(rb.summary).toMatch(
    /^The members chose Y\. Of the 2 declared comparisons, 1 of 2 agree with them; of the 7 common models of the standard sweep, \d of 7 agree with them/,
  );
});

test('a fixed model that misses a branch, and a card vote without a section for one, are reported, not fatal', () => {
  const r = count([
    declare({ model: { rule: 'bloc', method: 'fixed', numbers: { A: 3, B: 6 } } }),
    declare({
      model: hamilton,
      procedure: {
        kind: 'card',
        sections: [
          { name: 'North', weight: '1/2', branches: ['A'] },
          { name: 'South', weight: '1/2', branches: ['B'] },
        ],
      },
    }),
  ]);
  expect(r.comparisons![0]!.error).toBe('the fixed delegate numbers give none for the branch C');
  expect(r.comparisons![1]!.error).toBe('the card vote has no section for the branches C');
  expect(r.robustness!.declared).toEqual({ agree: 0, counted: 0, lotDependent: 0 });
});

test('declarations are checked: weights that do not add up, a branch in two sections', () => {
  const bad = comparisonSchema.safeParse({
    model: hamilton,
    procedure: {
      kind: 'card',
      sections: [
        { name: 'N', weight: '1/2', branches: ['A'] },
        { name: 'S', weight: '1/3', branches: ['A'] },
      ],
    },
  });
  expect(bad.success).toBe(false);
  expect(bad.error!.issues.map((i) => i.message)).toEqual([
    "The sections' weights must add up to 1",
    'The branch "A" is in two sections',
  ]);
});

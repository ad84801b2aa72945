import { comparisonSchema, type DeclaredComparison, type Question, type StoredVote } from '../../src/domain/ballot';
import { countQuestion, type UnitFacts } from '../../src/domain/count';
import { rat } from '../../src/tally/rational';

/**
 * Meeting attendees and a council by lot, declared for a question and counted with it.
 *   A (50 members): X 30, Y 20, 2 abstain      B (30 members): Y 20, Z 10
 * The members choose Y (40, against X 30 and Z 10). Fixed delegates A 3, B 2.
 * A council of 1: one of the 80 ballots (the 2 abstentions are not in the box), Y with
 * probability 40/80 = 1/2, so it differs from the members with probability 1/2.
 * Meetings as large as the branches are all their voters: A's 3 go to X, B's 2 to Y: X, certainly.
 */
const q = (comparisons: DeclaredComparison[]): Question => ({
  id: 'q1',
  position: 0,
  title: 'Venue',
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
    ['A', null, 2],
    ['B', 1, 20],
    ['B', 2, 10],
  ] as const
).flatMap(([unit, option, n]) =>
  Array.from({ length: n }, () => ({
    unit,
    weight: '1',
    answers: { q1: option === null ? { kind: 'abstain' as const } : { kind: 'choice' as const, option } },
  })),
);
const units: UnitFacts[] = [
  ['A', 50],
  ['B', 30],
].map(([name, members]) => ({
  name: name as string,
  branches: [name as string],
  pooled: false,
  members: members as number,
  electorate: members as number,
}));
const declare = (c: unknown) => comparisonSchema.parse(c);
const count = (cs: unknown[]) => countQuestion(q(cs.map(declare)), votes, rat(82), 'ballot', units).comparisons!;
const fixed = { rule: 'attendees', method: 'fixed', numbers: { A: 3, B: 2 } };

test('a council of 1 from the 80 ballots: differs with probability 1/2; of the whole box, on no lot', () => {
  const [one, all] = count([
    { label: 'One', model: { method: 'sortition', council: 1, seed: 'committed' } },
    { label: 'All', model: { method: 'sortition', council: 500, seed: 'committed' } },
  ]);
  expect(one!.council!.ballots).toBe(80);
  expect(one!.council!.chance.differs.probability).toBe('1/2');
  expect(one!.lots).toEqual({ method: 'exact', probability: '1/2', share: 0.5 });
  expect(one!.comparison).toBeNull();
  expect(all!.council!.size).toBe(80);
  expect(all!.elected).toEqual(['Y']);
  expect(all!.agree).toBe(true);
  expect(all!.lots).toBeUndefined();
});

test('meetings as large as their branches decide as the voters, on no lot; a branch left out is reported, not fatal', () => {
  const [whole, missing] = count([
    { label: 'Whole', model: { ...fixed, attendance: { A: 50, B: 30 } } },
    { label: 'Missing', model: { ...fixed, attendance: { A: 10 } } },
  ]);
  expect(whole!.elected).toEqual(['X']);
  expect(whole!.agree).toBe(false);
  expect(whole!.attendance!.branches.map((b) => [b.name, b.voters, b.differs?.probability])).toEqual([
    ['A', 50, '0'],
    ['B', 30, '0'],
  ]);
  expect(whole!.lots).toBeUndefined();
  expect(missing!.elected).toBeNull();
  expect(missing!.error).toBe('no attendance was entered for the branch B');
});

test('the declaration: attendees need attendance; a council its seed, and no procedure', () => {
  expect(comparisonSchema.safeParse({ model: { rule: 'attendees', method: 'hamilton', seats: 5 } }).success).toBe(
    false,
  );
  expect(comparisonSchema.safeParse({ model: { method: 'sortition', council: 3, seed: 'short' } }).success).toBe(false);
  const parsed = declare({ model: { method: 'sortition', council: 3, seed: 'long enough' } });
  expect(parsed.model).toEqual({ method: 'sortition', council: 3, stratified: false, seed: 'long enough' });
  expect(parsed.procedure).toEqual({ kind: 'method' });
});

import { questionInputSchema } from '../../src/domain/ballot';
import {
  acceptanceSchema,
  candidatesOf,
  drawCandidates,
  electionInputSchema,
  electionQuestion,
  type Nominee,
} from '../../src/domain/nominations';

const election = (e: Partial<Record<string, unknown>> = {}) =>
  electionInputSchema.parse({
    title: 'National Executive',
    seats: 3,
    opensAt: '2026-12-01T09:00:00Z',
    closesAt: '2026-12-15T09:00:00Z',
    threshold: { members: 2, branches: 1 },
    groups: [{ group: 'women', min: 1 }],
    ...e,
  });

const nominee = (n: Partial<Nominee> & { name: string }): Nominee => ({
  id: n.name.toLowerCase(),
  branch: 'Leeds',
  status: 'accepted',
  statement: `${n.name}'s statement`,
  groups: [],
  members: 2,
  branches: 0,
  ...n,
});

describe('elections with nominations', () => {
  test('an election needs a threshold, a close after its opening, and sound groups; each refusal names the field', () => {
    const paths = (e: Partial<Record<string, unknown>>) =>
      electionInputSchema.safeParse({ ...election(), ...e }).error?.issues.map((i) => i.path.join('.'));
    expect(paths({ threshold: { members: null, branches: null } })).toEqual(['threshold.members']);
    expect(paths({ closesAt: '2026-11-01T09:00:00Z' })).toEqual(['closesAt']);
    expect(paths({ groups: [{ group: 'women', min: 4 }] })).toEqual(['groups.0.min']);
    expect(
      paths({
        groups: [
          { group: 'women', min: 1 },
          { group: 'Women', max: 2 },
        ],
      }),
    ).toEqual(['groups.1.group']);
    expect(paths({ groups: [{ group: 'women' }] })).toEqual(['groups.0.min']);
    expect(election().statementMax).toBe(1000);
  });

  test("a nominee stands when they accepted and their nominations reach the threshold, members' or branches'", () => {
    const t = election().threshold; // 2 members or 1 branch
    const standing = candidatesOf(t, [
      nominee({ name: 'Adam' }),
      nominee({ name: 'Bob', members: 1 }),
      nominee({ name: 'Carl', members: 0, branches: 1 }),
      nominee({ name: 'Dora', status: 'pending' }),
      nominee({ name: 'Eve', status: 'declined' }),
    ]);
    expect(standing.map((c) => c.label)).toEqual(['Adam', 'Carl']);
    const both = candidatesOf({ members: 2, branches: 1, combine: 'both' }, [
      nominee({ name: 'Adam' }),
      nominee({ name: 'Carl', members: 2, branches: 1 }),
    ]);
    expect(both.map((c) => c.label)).toEqual(['Carl']);
  });

  test('two candidates of the same name are told apart by their branch', () => {
    const c = candidatesOf({ members: 1, branches: null, combine: 'either' }, [
      nominee({ name: 'Sam Jones', id: 'a', branch: 'Leeds' }),
      nominee({ name: 'Sam Jones', id: 'b', branch: 'York' }),
    ]);
    expect(c.map((x) => x.label)).toEqual(['Sam Jones (Leeds)', 'Sam Jones (York)']);
  });

  test('the order is drawn from the committed seed: the same seed gives the same order, and every order occurs', () => {
    const cands = ['Eve', 'Adam', 'Dora', 'Bob'].map((label) => ({ label }));
    const once = drawCandidates(cands, 'seed-1', 'e1').map((c) => c.label);
    expect(drawCandidates([...cands].reverse(), 'seed-1', 'e1').map((c) => c.label)).toEqual(once);
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) seen.add(drawCandidates(cands, `seed-${i}`, 'e1')[0]!.label);
    expect([...seen].sort()).toEqual(['Adam', 'Bob', 'Dora', 'Eve']);
  });

  test('the question: statements as descriptions, groups as balance rules, a minimum lowered to the candidates standing', () => {
    const e = election({
      groups: [
        { group: 'women', min: 2 },
        { group: 'North', min: 1 },
        { group: 'South', max: 1 },
      ],
    });
    const { question, notes } = electionQuestion(e, [
      { label: 'Dora', statement: 'I will', groups: ['women', 'South'] },
      { label: 'Adam', statement: 'Me too', groups: ['South'] },
      { label: 'Bob', statement: 'And I', groups: [] },
      { label: 'Carl', statement: 'Vote Carl', groups: [] },
    ]);
    expect(question.options).toEqual([
      { label: 'Dora', description: 'I will' },
      { label: 'Adam', description: 'Me too' },
      { label: 'Bob', description: 'And I' },
      { label: 'Carl', description: 'Vote Carl' },
    ]);
    expect(question.settings.balance).toEqual([
      { group: 'women', candidates: ['Dora'], min: 1 },
      { group: 'South', candidates: ['Dora', 'Adam'], max: 1 },
    ]);
    expect(notes).toEqual([
      'women: at least 2 seats asked, 1 of the group standing, so at least 1',
      'North: no candidate of the group is standing, so the group has no rule',
    ]);
    // It is a question the ballot takes as it is.
    expect(questionInputSchema.safeParse(question).success).toBe(true);
  });

  test("an acceptance's statement keeps the election's length and text rule; its groups are the election's", () => {
    const s = acceptanceSchema(100, ['women', 'North']);
    expect(s.safeParse({ statement: 'x'.repeat(101), groups: [] }).error?.issues[0]!.path).toEqual(['statement']);
    expect(s.safeParse({ statement: 'a\u0000b' }).success).toBe(false);
    expect(s.safeParse({ statement: 'Fine', groups: ['men'] }).error?.issues[0]!.path).toEqual(['groups', 0]);
    expect(s.parse({ statement: ' Fine ', groups: ['women'] })).toEqual({ statement: 'Fine', groups: ['women'] });
  });
});

describe("an election's STV rules", () => {
  test('Scottish by default; Meek or ERS97 when chosen; anything else refused naming the field', () => {
    expect(election().rules).toBe('scottish');
    expect(election({ rules: 'meek' }).rules).toBe('meek');
    const bad = electionInputSchema.safeParse({ ...election(), rules: 'borda' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['rules']);
  });

  test("the candidates' question is counted by the election's rules (Scottish for an election set before it had them)", () => {
    const ordered = ['Adam', 'Bob', 'Carl', 'Dora'].map((label) => ({ label, statement: 's', groups: [] }));
    for (const rules of ['scottish', 'meek', 'ers97'] as const) {
      const q = electionQuestion(election({ rules }), ordered).question;
      expect(q.settings.rules).toBe(rules);
      expect(questionInputSchema.parse(q).settings).toMatchObject({ rules, seats: 3 });
    }
    const { rules: _dropped, ...older } = election();
    expect(electionQuestion(older, ordered).question.settings.rules).toBe('scottish');
  });
});

import {
  proposalInputSchema,
  proposalRulesSchema,
  publicSupport,
  qualifies,
  stageOf,
  thresholdOf,
} from '../../src/domain/proposals';

const rules = (r: Partial<Record<string, unknown>>) =>
  proposalRulesSchema.parse({ sharePercent: 5, minBranches: null, windowDays: 42, scheduleDays: 30, ...r });

describe('proposal rules', () => {
  test('a share of members is rounded up to whole supporters, never below one', () => {
    expect(thresholdOf(rules({}), 30).supporters).toBe(2);
    expect(thresholdOf(rules({}), 40).supporters).toBe(2);
    expect(thresholdOf(rules({}), 41).supporters).toBe(3);
    expect(thresholdOf(rules({}), 3).supporters).toBe(1);
    expect(thresholdOf(rules({ sharePercent: 7 }), 100).supporters).toBe(7);
  });

  test('rules without any threshold are refused, naming the field', () => {
    const r = proposalRulesSchema.safeParse({
      sharePercent: null,
      minBranches: null,
      windowDays: 42,
      scheduleDays: 30,
    });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['sharePercent']);
  });

  test('either threshold is enough, or both are needed, as the rules say', () => {
    const either = thresholdOf(rules({ sharePercent: 10, minBranches: 3 }), 100);
    const both = thresholdOf(rules({ sharePercent: 10, minBranches: 3, combine: 'both' }), 100);
    expect(qualifies(either, { supporters: 10, branches: 1 })).toBe(true);
    expect(qualifies(either, { supporters: 3, branches: 3 })).toBe(true);
    expect(qualifies(either, { supporters: 9, branches: 2 })).toBe(false);
    expect(qualifies(both, { supporters: 10, branches: 2 })).toBe(false);
    expect(qualifies(both, { supporters: 10, branches: 3 })).toBe(true);
    const branchesOnly = thresholdOf(rules({ sharePercent: null, minBranches: 2 }), 100);
    expect(branchesOnly.supporters).toBeNull();
    expect(qualifies(branchesOnly, { supporters: 2, branches: 2 })).toBe(true);
    expect(qualifies(branchesOnly, { supporters: 50, branches: 1 })).toBe(false);
  });
});

describe('a proposal’s stage', () => {
  const day = 86_400_000;
  const t0 = new Date('2026-12-01T00:00:00Z');
  test('gathering lapses at the end of its window; qualified is overdue after its date', () => {
    const gathering = { status: 'gathering' as const, closesAt: new Date(t0.getTime() + day), scheduleBy: null };
    expect(stageOf(gathering, t0)).toBe('gathering');
    expect(stageOf(gathering, new Date(t0.getTime() + day))).toBe('lapsed');
    const qualified = { status: 'qualified' as const, closesAt: t0, scheduleBy: new Date(t0.getTime() + day) };
    expect(stageOf(qualified, t0)).toBe('qualified');
    expect(stageOf(qualified, new Date(t0.getTime() + 2 * day))).toBe('overdue');
    expect(stageOf({ ...qualified, status: 'scheduled' }, new Date(t0.getTime() + 2 * day))).toBe('scheduled');
  });
  test('a stored mark is read first; where no event ran yet, the window and the date say it', () => {
    const gathering = { status: 'gathering' as const, closesAt: new Date(t0.getTime() + day), scheduleBy: null };
    // Marked lapsed by the scheduler: lapsed, whatever the clock reading the page says.
    expect(stageOf({ ...gathering, lapsedAt: new Date(t0.getTime() + day) }, t0)).toBe('lapsed');
    expect(stageOf({ ...gathering, lapsedAt: null }, new Date(t0.getTime() + day))).toBe('lapsed');
    const qualified = { status: 'qualified' as const, closesAt: t0, scheduleBy: new Date(t0.getTime() + day) };
    expect(stageOf({ ...qualified, overdueAt: new Date(t0.getTime() + day) }, t0)).toBe('overdue');
    // Scheduled late: scheduled, though it was once overdue.
    expect(stageOf({ ...qualified, status: 'scheduled', overdueAt: t0 }, t0)).toBe('scheduled');
  });
});

describe('public support', () => {
  test('branches under k are pooled, and the pooled count is their sum', () => {
    expect(
      publicSupport(
        [
          { branch: 'North', supporters: 7 },
          { branch: 'South', supporters: 1 },
          { branch: 'East', supporters: 2 },
        ],
        3,
      ),
    ).toEqual([
      { name: 'North', supporters: 7, pooled: false },
      { name: 'Pooled: East, South', supporters: 3, pooled: true },
    ]);
  });
  test('a lone small branch is pooled with the smallest large one, so no count is exposed by subtraction', () => {
    const units = publicSupport(
      [
        { branch: 'A', supporters: 1 },
        { branch: 'B', supporters: 5 },
        { branch: 'C', supporters: 9 },
      ],
      3,
    );
    expect(units).toEqual([
      { name: 'C', supporters: 9, pooled: false },
      { name: 'Pooled: A, B', supporters: 6, pooled: true },
    ]);
  });
});

describe('proposal wording', () => {
  test('a question needs two distinct options; text is trimmed and bounded', () => {
    expect(proposalInputSchema.safeParse({ kind: 'question', title: 'T', text: 'x', options: ['A'] }).success).toBe(
      false,
    );
    const twice = proposalInputSchema.safeParse({ kind: 'question', title: 'T', text: 'x', options: ['A', 'a'] });
    expect(twice.error!.issues[0]!.message).toBe('an option is there twice');
    expect(proposalInputSchema.parse({ kind: 'motion', title: ' T ', text: 'x' })).toEqual({
      kind: 'motion',
      title: 'T',
      text: 'x',
    });
    expect(proposalInputSchema.safeParse({ kind: 'motion', title: 'T', text: 'x'.repeat(5001) }).success).toBe(false);
    expect(proposalInputSchema.safeParse({ kind: 'motion', title: 'T\u0000', text: 'x' }).success).toBe(false);
  });
});

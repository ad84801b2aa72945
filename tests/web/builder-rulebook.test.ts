import type { BallotView } from '../../src/services/ballots';
import { applyAction, emptyState, stateFromBallot, validate } from '../../src/http/pages/organiser/builder-form';

/** The rule books' models in the ballot builder: affiliated delegations, a balance, regional tiers. */
describe('rule-book models in the builder', () => {
  const withComparison = (c: Record<string, string>) => {
    let s = emptyState(new Date('2026-06-01T10:20:00Z'));
    s = applyAction({ ...s, title: 'Policy' }, 'add-question', 'plurality').state;
    s = applyAction(s, 'remove-question:0', '').state;
    s.questions[0] = {
      ...s.questions[0]!,
      title: 'Which?',
      options: ['A', 'B'].map((label) => ({ label, description: '' })),
    };
    s = applyAction(s, 'add-comparison:0', '').state;
    s.questions[0]!.comparisons[0] = { ...s.questions[0]!.comparisons[0]!, label: 'Rule book', ...c };
    return s;
  };
  const fixed = { method: 'fixed', table: 'Leeds: 2\nYork: 1' };

  const stored = (input: Extract<ReturnType<typeof validate>, { ok: true }>['input']) =>
    stateFromBallot({
      ...input,
      id: 'b',
      state: 'draft',
      timeZone: 'UTC',
      opensAt: new Date('2026-06-02T10:00:00Z'),
      closesAt: new Date('2026-06-09T10:00:00Z'),
      questions: input.questions.map((q, i) => ({ ...q, id: `q${i}`, position: i })),
    } as unknown as BallotView);

  test('typed lines become the declared model, and a stored one comes back as the same lines', () => {
    const typed = {
      method: 'sainte-lague',
      seats: '10',
      affiliates: "Unite; 4; A: 3, B: 1\nWomen's section; 1; B: 1\nGMB; 2500 members; A: 1",
      balance: 'women; 1/2; Leeds: 40, York: 12',
    };
    const ok = validate(withComparison(typed));
    expect(ok.ok).toBe(true);
    if (!ok.ok) return;
    expect(ok.input.questions[0]!.comparisons![0]!.model).toMatchObject({
      affiliates: [
        { name: 'Unite', delegates: 4, mandate: { A: 3, B: 1 } },
        { name: "Women's section", delegates: 1, mandate: { B: 1 } },
        { name: 'GMB', members: 2500, mandate: { A: 1 } },
      ],
      balance: { label: 'women', share: '1/2', counts: { Leeds: 40, York: 12 } },
    });
    expect(stored(ok.input).questions[0]!.comparisons[0]).toMatchObject(typed);

    const tiers = { ...fixed, regions: 'Leeds: North\nYork: South', regionSeats: '5', regionVote: 'proportional' };
    const ok2 = validate(withComparison(tiers));
    expect(ok2.ok).toBe(true);
    if (!ok2.ok) return;
    expect(ok2.input.questions[0]!.comparisons![0]!.model).toMatchObject({
      regions: { of: { Leeds: 'North', York: 'South' }, seats: 5, method: 'sainte-lague', vote: 'proportional' },
    });
    expect(stored(ok2.input).questions[0]!.comparisons[0]).toMatchObject(tiers);
  });

  test('a line that does not read, or a mandate for no option, is named on its field', () => {
    const bad = validate(withComparison({ ...fixed, regions: 'Leeds North', regionSeats: '' }));
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.issues.get('q0_c0_regions')?.join(' ')).toContain('is not "branch: region"');
    expect(bad.issues.get('q0_c0_regionSeats')?.join(' ')).toContain('whole number');
    const option = validate(withComparison({ ...fixed, affiliates: 'Unite; 4; C: 4' }));
    expect(option.ok).toBe(false);
    if (!option.ok) expect(option.issues.get('q0_c0_affiliates')?.join(' ')).toContain('which is not an option');
    const share = validate(withComparison({ ...fixed, balance: 'women; 3/2; Leeds: 4' }));
    expect(share.ok).toBe(false);
    if (!share.ok) expect(share.issues.get('q0_c0_balance')?.join(' ')).toContain('at most 1');
  });
});

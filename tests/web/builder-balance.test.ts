import { balanceLines, parseBalanceLines } from '@omov/core/methods/stv';
import { applyAction, emptyState, validate } from '../../src/http/pages/organiser/builder-form';

/** STV's balance rules in the ballot builder: one rule a line, checked against the options. */
describe('balance rules in the builder', () => {
  const stvState = (balance: string) => {
    let s = emptyState(new Date('2026-06-01T10:20:00Z'));
    s = applyAction({ ...s, title: 'Committee' }, 'add-question', 'stv').state;
    s = applyAction(s, 'remove-question:0', '').state;
    s.questions[0] = {
      ...s.questions[0]!,
      title: 'Committee',
      settings: { ...s.questions[0]!.settings, seats: '3', balance },
      options: ['Adam', 'Bob', 'Carl', 'Dora', 'Eve'].map((label) => ({ label, description: '' })),
    };
    return s;
  };

  test('lines become rules and come back as the same lines', () => {
    const text = 'women; at least 1; Dora, Eve\nNorth; at least 1 and at most 2; Adam, Dora';
    const parsed = parseBalanceLines(text);
    expect(parsed).toEqual({
      ok: true,
      value: [
        { group: 'women', min: 1, candidates: ['Dora', 'Eve'] },
        { group: 'North', min: 1, max: 2, candidates: ['Adam', 'Dora'] },
      ],
    });
    if (parsed.ok) expect(balanceLines(parsed.value)).toBe(text);
    expect(parseBalanceLines('women: 1: Dora')).toMatchObject({
      ok: false,
      message: expect.stringContaining('Line 1'),
    });
  });

  test('the saved question carries them; a wrong line or name is named on the field', () => {
    const s = stvState('women; at least 1; Dora, Eve');
    expect(s.questions[0]!.method).toBe('stv');
    const ok = validate(s);
    expect(ok.ok).toBe(true);
    if (ok.ok)
      expect(ok.input.questions[0]!.settings).toMatchObject({
        balance: [{ group: 'women', min: 1, candidates: ['Dora', 'Eve'] }],
      });
    const badLine = validate(stvState('women at least 1 Dora'));
    expect(badLine.ok).toBe(false);
    if (!badLine.ok) expect(badLine.issues.get('q0_balance')?.join(' ')).toContain('Line 1');
    const badName = validate(stvState('women; at least 1; Dora, Zoe'));
    expect(badName.ok).toBe(false);
    if (!badName.ok) expect(badName.issues.get('q0_balance')?.join(' ')).toContain('"Zoe" is not one of the options');
  });
});

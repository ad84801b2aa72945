import { z } from 'zod';
import { dateOrderOf, readDate, readDateTime } from '../../src/domain/dates';
import { plainMessage } from '../../src/domain/plain';
import { ballotInputSchema } from '../../src/domain/ballot';
import { localToIso } from '../../src/domain/zones';

describe('dates as organisers type them', () => {
  test('the date order follows the zone: month first in the United States', () => {
    expect(dateOrderOf('Europe/London')).toBe('dmy');
    expect(dateOrderOf('America/New_York')).toBe('mdy');
    expect(dateOrderOf('America/Sao_Paulo')).toBe('dmy');
  });

  test('ISO, numbers in the order, and month names all read as the same day', () => {
    const dec5 = { ok: true, value: { year: 2026, month: 12, day: 5 } };
    for (const text of [
      '2026-12-05',
      '05/12/2026',
      '5/12/2026',
      '5.12.2026',
      '5 Dec 2026',
      '5th December 2026',
      'December 5, 2026',
    ])
      expect([text, readDate(text, 'dmy')]).toEqual([text, dec5]);
    expect(readDate('12/05/2026', 'mdy')).toEqual(dec5);
    expect(readDate('31/02/2026', 'dmy')).toEqual({ ok: false, message: '31/02/2026 is not a real date' });
    expect(readDate('05/12/26', 'dmy')).toEqual({ ok: false, message: 'Write the year in full, e.g. 2026' });
    expect(readDate('soon', 'dmy').ok).toBe(false);
  });

  test('a date and a time', () => {
    const at = { ok: true, value: { year: 2026, month: 12, day: 5, hour: 18, minute: 0 } };
    for (const text of [
      '2026-12-05T18:00',
      '2026-12-05 18:00',
      '05/12/2026 18:00',
      '05/12/2026, 6pm',
      '5 Dec 2026 6:00 p.m.',
    ])
      expect([text, readDateTime(text, 'dmy')]).toEqual([text, at]);
    expect(readDateTime('December 5, 2026 6:00 pm', 'mdy')).toEqual(at);
    expect(readDateTime('05/12/2026', 'dmy')).toEqual({ ok: false, message: 'Add the time, e.g. 05/12/2026 18:00' });
    expect(readDateTime('05/12/2026 25:00', 'dmy').ok).toBe(false);
  });

  test("a UK organiser's 05/12/2026 18:00 is 5 December in London, a US one's 12/05/2026 too", () => {
    expect(localToIso('05/12/2026 18:00', 'Europe/London')).toEqual({ ok: true, iso: '2026-12-05T18:00:00+00:00' });
    expect(localToIso('12/05/2026 6:00 pm', 'America/Chicago')).toEqual({
      ok: true,
      iso: '2026-12-05T18:00:00-06:00',
    });
  });
});

describe('validation messages in plain words', () => {
  const messages = (input: unknown) =>
    ballotInputSchema.safeParse(input).error?.issues.map((i) => [i.path.join('.'), i.message]) ?? [];

  test('an empty title and closing before opening', () => {
    expect(
      messages({
        title: ' ',
        opensAt: '2026-12-05T18:00:00Z',
        closesAt: '2026-12-01T18:00:00Z',
        questions: [{ title: '', method: 'yesno' }],
      }),
    ).toEqual([
      ['title', 'Write a title'],
      ['questions.0.title', 'Write the question'],
      ['closesAt', 'The closing time must be after the opening time'],
    ]);
  });

  test('each kind of issue has words, and a message the schema gives wins', () => {
    const s = z
      .object({
        n: z.number().int().min(1),
        e: z.enum(['a', 'b']),
        at: z.iso.datetime({ offset: true }),
        list: z.array(z.string()).min(2),
        named: z.string().min(1, 'Give it a name'),
      })
      .strict();
    const r = s.safeParse({ n: 1.5, e: 'c', at: 'soon', list: [], named: '', other: 1 });
    expect(r.error?.issues.map((i) => i.message)).toEqual([
      'Use a whole number',
      'Choose one of: "a", "b"',
      'Write a date and time with its offset from UTC, e.g. 2026-12-01T09:00:00Z',
      'Give at least 2 list',
      'Give it a name',
      'Unknown field: other',
    ]);
    expect(z.number().safeParse(undefined).error?.issues[0]?.message).toBe('This is missing');
    expect(plainMessage({ code: 'too_big', origin: 'string', maximum: 300, input: 'x', path: ['title'] })).toBe(
      'Use at most 300 characters',
    );
  });
});

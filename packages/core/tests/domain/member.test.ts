import { MEMBER_LIMITS, memberSchema, normaliseWeight, ROLL_COLUMN } from '../../src/domain/member';

const ann = { email: 'ann@example.org', name: 'Ann', branch: 'North' };
const problems = (input: Record<string, unknown>) =>
  memberSchema.safeParse({ ...ann, ...input }).error?.issues.map((i) => [i.path.join('.'), i.message]) ?? [];

describe("a member's fields", () => {
  test('blank optional fields are not given; text is trimmed; the weight is normalised', () => {
    expect(
      memberSchema.parse({ email: ' ann@example.org ', name: ' Ann ', branch: 'North', memberNumber: ' ', weight: '' }),
    ).toEqual({ ...ann, memberNumber: null, weight: '1', joinedOn: null });
    expect(memberSchema.parse({ ...ann, memberNumber: ' 7 ', weight: '002.500', joinedOn: '2020-02-29' })).toEqual({
      ...ann,
      memberNumber: '7',
      weight: '2.5',
      joinedOn: '2020-02-29',
    });
    expect(normaliseWeight('0.50')).toBe('0.5');
    expect(normaliseWeight('10')).toBe('10');
  });

  test.each(Object.entries(MEMBER_LIMITS))('%s takes at most %d characters', (field, max) => {
    const fill = (n: number) => (field === 'email' ? `${'a'.repeat(n - 12)}@example.org` : 'x'.repeat(n));
    expect(problems({ [field]: fill(max) })).toEqual([]);
    expect(problems({ [field]: fill(max + 1) })).toEqual([[field, `is longer than ${max} characters`]]);
  });

  test('each fault is named once, in plain words', () => {
    expect(problems({ email: '', name: ' ', branch: '' })).toEqual([
      ['email', 'is empty'],
      ['name', 'is empty'],
      ['branch', 'is empty'],
    ]);
    expect(problems({ email: 'not-an-email' })).toEqual([['email', '"not-an-email" is not an email address']]);
    expect(problems({ weight: '-2' })).toEqual([['weight', '"-2" is not a positive number']]);
    expect(problems({ weight: '0.0' })).toEqual([['weight', '"0.0" is not a positive number']]);
    expect(problems({ joinedOn: '2021-13-01' })).toEqual([['joinedOn', '"2021-13-01" is not a date (YYYY-MM-DD)']]);
    expect(problems({ joinedOn: '2021-02-29' })).toEqual([['joinedOn', '"2021-02-29" is not a date (YYYY-MM-DD)']]);
  });

  test('every field has its CSV column', () => {
    expect(Object.keys(ROLL_COLUMN).sort()).toEqual(Object.keys(memberSchema.shape).sort());
  });
});

import { rat, ratToReadable } from '../../src/tally/rational';

test('figures in sentences: whole numbers, exact decimals, else fractions — never rounded', () => {
  expect(ratToReadable(rat(55, 2))).toBe('27.5');
  expect(ratToReadable(rat(1, 4))).toBe('0.25');
  expect(ratToReadable(rat(1, 8))).toBe('0.125');
  expect(ratToReadable(rat(7, 20))).toBe('0.35');
  expect(ratToReadable(rat(12))).toBe('12');
  expect(ratToReadable(rat(2, 3))).toBe('2/3');
  expect(ratToReadable(rat(-5, 2))).toBe('-2.5');
});

import { branchKey, nearDuplicates, nearestBranch } from '../../src/domain/branches';

test('case, accents and stray spaces do not make another branch', () => {
  expect(branchKey(' Léeds  ')).toBe('leeds');
  expect(branchKey('North  East')).toBe(branchKey('north east'));
  expect(branchKey('Leeds')).not.toBe(branchKey('Leeds North'));
});

test('the nearest real branch to a slip, and none for a name far from every branch', () => {
  const real = ['Leeds', 'Bristol', 'Glasgow', 'North East'];
  expect(nearestBranch('Leds', real)).toBe('Leeds');
  expect(nearestBranch('bristol', real)).toBe('Bristol');
  expect(nearestBranch('northeast', real)).toBe('North East');
  expect(nearestBranch('Cardiff', real)).toBeUndefined();
  expect(nearestBranch('Leeds', [])).toBeUndefined();
});

test('near-duplicate names on a roll are grouped', () => {
  expect(nearDuplicates(['Leeds', 'leeds ', 'Léeds', 'Bristol', 'York', 'york'])).toEqual([
    ['Leeds', 'Léeds', 'leeds '],
    ['York', 'york'],
  ]);
  expect(nearDuplicates(['A', 'B'])).toEqual([]);
});

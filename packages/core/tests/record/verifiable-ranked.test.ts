import type { Question, StoredVote } from '../../src/domain/ballot';
import { methodOf } from '../../src/methods/index';
import { countRecordQuestion } from '../../src/record/record';
import { isRankedMethod, rankedVote, verifiableResults } from '../../src/record/verifiable';

/**
 * The count of a verifiable ballot's ranked question: the trustees' decrypted (shuffled)
 * rankings, each answer's rank (1 first, 0 unranked), go to omov's own engine as ranked votes
 * of weight 1, and every ranked method counts them exactly as it counts the same rankings cast
 * in office mode.
 */
const options = ['Ada', 'Ben', 'Cy'].map((label, i) => ({ id: `o${i}`, position: i, label, description: '' }));
const question = (method: string, settings: object): Question =>
  ({
    id: 'q1',
    position: 0,
    title: 'Board',
    description: '',
    method,
    settings: methodOf(method).settings.parse(settings),
    options,
  }) as Question;

// Ada > Ben (4), Ben > Cy (3), Cy > Ada (2), a blank ballot, and a malformed one (a tie), which abstains.
const decrypted: number[][] = [
  ...Array.from({ length: 4 }, () => [1, 2, 0]),
  ...Array.from({ length: 3 }, () => [0, 1, 2]),
  ...Array.from({ length: 2 }, () => [2, 0, 1]),
  [0, 0, 0],
  [1, 1, 0],
];

test('a decrypted ranking is a ranked vote; nothing ranked, or a tie, abstains', () => {
  expect(rankedVote([2, 0, 1], 3)).toEqual({ kind: 'ranking', options: [2, 0] });
  expect(rankedVote([0, 0, 0], 3)).toEqual({ kind: 'abstain' });
  expect(rankedVote([1, 1, 0], 3)).toEqual({ kind: 'abstain' });
  expect(() => rankedVote([1, 2], 3)).toThrow(/2 ranks for 3 options/);
  expect(isRankedMethod('stv')).toBe(true);
  expect(isRankedMethod('approval')).toBe(false);
});

test.each([
  ['irv', {}],
  ['stv', { seats: 2, rules: 'scottish' }],
  ['borda', { seats: 1 }],
  ['schulze', { seats: 1 }],
  ['ranked-pairs', { seats: 1 }],
  ['copeland', { seats: 1 }],
])('%s: the decrypted rankings count as the same rankings cast in office mode', (method, settings) => {
  const q = question(method, settings);
  const [counted] = verifiableResults('b1', [q], [decrypted], 20);
  const office: StoredVote[] = decrypted.map((ranks) => ({
    unit: '',
    weight: '1',
    answers: { q1: rankedVote(ranks, 3) },
  }));
  const expected = countRecordQuestion({ id: 'b1', delegates: null, questions: [q] }, q, office, 20, []);
  expect(counted).toEqual(expected);
  // IRV: Cy is out first and both of Cy's ballots go to Ada, who then has 6 of 9.
  if (method === 'irv') expect(counted!.elected).toEqual(['Ada']);
  expect(counted!.abstentions).toBe('2');
});

test('a ranked question whose result holds totals (or the other way round) is refused', () => {
  expect(() => verifiableResults('b1', [question('irv', {})], [[3n, 2n, 1n]], 6)).toThrow(
    /ranked, but its result holds totals/,
  );
});

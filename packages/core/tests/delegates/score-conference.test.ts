import { countQuestion } from '../../src/domain/count';
import { DEFAULT_DELEGATES, type DelegateSettingsInput, type Question, type StoredVote } from '../../src/domain/ballot';
import type { ConferenceComparison } from '../../src/delegates/conference';
import { methodOf } from '../../src/methods/index';
import { rat } from '../../src/tally/rational';
import { countRecordQuestion, recordFormatOf } from '../../src/record/record';

/**
 * A score question counted as a delegate conference would have decided it. A delegate's
 * vote is for one option; under score it is counted as the top score to that option, so the
 * conference elects what most delegates voted for. Before this, every conference of a score
 * question failed with "method score counts score ballots, but ballot 1 is a ranked ballot".
 *
 * By hand: scores 0–5 for A, B, C. North (6 members) casts [0,5,2] and [1,4,2]: totals A 1,
 * B 9, C 4, so North's winner is B. South (4 members) casts [5,0,0] three times: A 15, so
 * South's winner is A. All members: A 16, B 9, C 4: A wins. 100 delegates by Sainte-Laguë
 * on membership: North 60, South 40. Bloc: B 60, A 40: B wins. Proportional: North splits
 * its 60 as 1 : 9 : 4 (Sainte-Laguë: A 4, B 39, C 17), South's 40 all to A: A 44, B 39,
 * C 17: A wins.
 */
const question = {
  id: 'q1',
  position: 0,
  title: 'Venue',
  description: '',
  method: 'score',
  settings: methodOf('score').settings.parse({ maxScore: 5 }),
  options: ['A', 'B', 'C'].map((label, position) => ({ id: `o${position}`, position, label, description: '' })),
} as unknown as Question;
const paper = (unit: string, scores: number[]): StoredVote =>
  ({ unit, weight: '1', answers: { q1: { kind: 'scores', scores } } }) as unknown as StoredVote;
const votes = [
  paper('North', [0, 5, 2]),
  paper('North', [1, 4, 2]),
  ...Array.from({ length: 3 }, () => paper('South', [5, 0, 0])),
];
const units = [
  { name: 'North', branches: ['North'], pooled: false, members: 6, electorate: 6 },
  { name: 'South', branches: ['South'], pooled: false, members: 4, electorate: 4 },
];
const conferenceOf = (rule: 'bloc' | 'proportional'): ConferenceComparison => {
  const model: DelegateSettingsInput = { basis: 'members', rule, method: 'sainte-lague', seats: 100 };
  const r = countQuestion(question, votes, rat(10), 'ballot', units, model);
  if (!r.conference || 'error' in r.conference) throw new Error(`no conference: ${JSON.stringify(r.conference)}`);
  return r.conference;
};

test('delegates voting as a bloc: each branch’s delegates give the top score to its winner', () => {
  const c = conferenceOf('bloc');
  expect(c.omov.winner).toBe('A');
  expect(c.omov.totals).toEqual({ A: '16', B: '9', C: '4' });
  expect(c.branches.map((b) => [b.name, b.delegates])).toEqual([
    ['North', 60],
    ['South', 40],
  ]);
  expect(c.conference.delegates).toEqual({ A: '40', B: '60', C: '0' });
  expect(c.conference.winner).toBe('B');
  expect(c.agree).toBe(false);
});

test('delegates split in proportion to their branch’s total scores', () => {
  const c = conferenceOf('proportional');
  expect(c.conference.delegates).toEqual({ A: '44', B: '39', C: '17' });
  expect(c.conference.winner).toBe('A');
  expect(c.agree).toBe(true);
});

test('results stored before record format 5 keep the failed conference, and are recounted so', () => {
  const ballot = { id: 'ballot', delegates: DEFAULT_DELEGATES, questions: [question] };
  const four = countRecordQuestion(ballot, question, votes, 10, units, 'omov-election-record/4');
  expect(four.conference).toEqual({ error: 'method score counts score ballots, but ballot 1 is a ranked ballot' });
  expect(recordFormatOf([four])).toBe('omov-election-record/4');
  const five = countRecordQuestion(ballot, question, votes, 10, units);
  expect(five.conference).not.toHaveProperty('error');
  expect(recordFormatOf([five])).toBe('omov-election-record/5');
});

import type { ConferenceInput } from '../../src/delegates/index';
import type { Question, StoredVote } from '../../src/domain/ballot';

/** Hand-worked examples shared by the core tests and the results page's tests. */

const motion = (n: number): Question => ({
  id: `q${n}`,
  position: n,
  title: `Motion ${n}`,
  description: '',
  method: 'yesno',
  settings: { threshold: '1/2' },
  options: [
    { id: `q${n}y`, position: 0, label: 'Yes', description: '' },
    { id: `q${n}n`, position: 1, label: 'No', description: '' },
  ],
});

/**
 * Anscombe's paradox: three motions, five members. A: Y N N, B: N Y N, C: N N Y, D and E:
 * Y Y Y. Every motion carries 3 to 2, yet A, B and C (3 of 5, 60%) lost two of three;
 * offered as platforms, they back the mirror 3 to 2 (Ostrogorski's paradox too).
 */
export const anscombe = {
  questions: [motion(1), motion(2), motion(3)],
  votes: ['YNN', 'NYN', 'NNY', 'YYY', 'YYY'].map((r): StoredVote => ({
    unit: 'All',
    weight: '1',
    answers: Object.fromEntries([...r].map((a, k) => [`q${k + 1}`, { kind: 'choice', option: a === 'Y' ? 0 : 1 }])),
  })),
};

/**
 * Fixed delegates. The first option's branch A (3) and the second's B (4) are decided; T1
 * and T2 (2 delegates each) are tied, so a lot gives each its winner. The four patterns:
 *   T1 1st, T2 1st: 7 to 4 → 1st        T1 1st, T2 2nd: 5 to 6 → 2nd
 *   T1 2nd, T2 1st: 5 to 6 → 2nd        T1 2nd, T2 2nd: 3 to 8 → 2nd
 * Members: first option 10+2+4+5 = 21, second 5+6+4+5 = 20.
 */
export const tiedBranches = (question: string, options: [string, string]): ConferenceInput => ({
  question,
  options,
  settings: { basis: 'members', rule: 'bloc', method: 'fixed' },
  branches: [
    { name: 'A', members: 20, delegates: 3, votes: [10, 5] },
    { name: 'B', members: 20, delegates: 4, votes: [2, 6] },
    { name: 'T1', members: 10, delegates: 2, votes: [4, 4] },
    { name: 'T2', members: 10, delegates: 2, votes: [5, 5] },
  ],
});

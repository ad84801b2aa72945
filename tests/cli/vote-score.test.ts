import { checkBallot, encryptBallot } from '@omov/core/crypto/ballot';
import { generateCredential, generateToken } from '@omov/core/crypto/credential';
import { describePlaintext } from '@omov/core/crypto/audit';
import { makeElection } from '@omov/core/crypto/election';
import { groupNamed, gPow } from '@omov/core/crypto/group';
import { scoreQuestions } from '@omov/core/crypto/score';
import { plaintextOf } from '../../src/cli/commands/vote';
import { seededRandom } from '../../packages/core/tests/crypto/support';

/** `omov vote --answers` for a score question: one entry, a score per option, for its options' questions together. */
const G = groupNamed('BELENIOS-2048');
const random = seededRandom('vote score');
const election = makeElection(
  {
    uuid: generateToken(random),
    name: 'Score',
    description: '',
    questions: [
      { question: 'Adopt?', answers: ['Yes', 'No'], min: 1, max: 1, blank: true },
      ...scoreQuestions('Rate', ['Ada', 'Ben', 'Cy'], 3),
      { question: 'Any', answers: ['x', 'y'], min: 1, max: 2, blank: true },
    ],
  },
  G,
  gPow(G, 12345n),
);

test('"3,0,2" scores the options of a score question; blank abstains on all of them', () => {
  expect(plaintextOf(election, '1;3,0,2;1,2')).toEqual([
    [0, 1, 0],
    [0, 0, 0, 0, 1],
    [0, 1, 0, 0, 0],
    [0, 0, 0, 1, 0],
    [0, 1, 1],
  ]);
  expect(plaintextOf(election, 'blank;blank;blank')).toEqual([
    [1, 0, 0],
    [1, 0, 0, 0, 0],
    [1, 0, 0, 0, 0],
    [1, 0, 0, 0, 0],
    [1, 0, 0],
  ]);
  expect(describePlaintext(election, plaintextOf(election, '2;1,1,0;2'))).toEqual([
    'Adopt?: No',
    'Rate: Ada 1, Ben 1, Cy 0',
    'Any: y',
  ]);
  expect(describePlaintext(election, plaintextOf(election, '2;blank;2'))[1]).toBe('Rate: blank');
  // A ballot made by hand that leaves one option blank says so.
  const mixed = plaintextOf(election, '2;1,1,0;2').map((m, i) => (i === 2 ? [1, 0, 0, 0, 0] : m));
  expect(describePlaintext(election, mixed)[1]).toBe('Rate: Ada 1, Ben no score, Cy 0');
  // One entry per question as the member sees them, not per option.
  expect(() => plaintextOf(election, '1;1;2;3;1')).toThrow(/3 answers separated by ";" are expected/);
  expect(() => plaintextOf(election, '1;1,2;1')).toThrow(/"Rate", a score for each of its 3 options\): give 3 scores/);
  expect(() => plaintextOf(election, '1;1,2,4;1')).toThrow(/scores go from 0 to 3/);
  expect(() => plaintextOf(election, '1;1,,2;1')).toThrow(/scores go from 0 to 3/);
  const b = encryptBallot(election, generateCredential(random), plaintextOf(election, '1;3,0,2;1,2'), random);
  expect(checkBallot(election, b.text).ok).toBe(true);
});

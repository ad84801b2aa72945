import { checkBallot, encryptBallot } from '@omov/core/crypto/ballot';
import { generateCredential, generateToken } from '@omov/core/crypto/credential';
import { describePlaintext } from '@omov/core/crypto/audit';
import { makeElection, nonHomomorphicQuestion } from '@omov/core/crypto/election';
import { groupNamed, gPow } from '@omov/core/crypto/group';
import { plaintextOf } from '../../src/cli/commands/vote';
import { seededRandom } from '../../packages/core/tests/crypto/support';

/** `omov vote --answers` for a ranked question: the answers' numbers in order of preference become each answer's rank. */
const G = groupNamed('RFC-3526-2048');
const random = seededRandom('vote ranked');
const election = makeElection(
  {
    uuid: generateToken(random),
    name: 'Ranked',
    description: '',
    questions: [
      { question: 'Adopt?', answers: ['Yes', 'No'], min: 1, max: 1, blank: true },
      nonHomomorphicQuestion('Chair', ['Ada', 'Ben', 'Cy', 'Dee']),
    ],
  },
  G,
  gPow(G, 12345n),
);

test('"3,1" ranks the third answer first and the first second; blank ranks nothing', () => {
  expect(plaintextOf(election, '1;3,1')).toEqual([
    [0, 1, 0],
    [2, 0, 1, 0],
  ]);
  expect(plaintextOf(election, 'blank;blank')).toEqual([
    [1, 0, 0],
    [0, 0, 0, 0],
  ]);
  expect(describePlaintext(election, plaintextOf(election, '2;4,2,1'))).toEqual([
    'Adopt?: No',
    'Chair: 1. Dee, 2. Ben, 3. Ada',
  ]);
  expect(() => plaintextOf(election, '1;2,2')).toThrow(/ranked twice/);
  expect(() => plaintextOf(election, '1;5')).toThrow(/numbered 1 to 4/);
  // The ranking encrypts into a ballot that checks.
  const b = encryptBallot(election, generateCredential(random), plaintextOf(election, '1;3,1'), random);
  expect(checkBallot(election, b.text)).toMatchObject({ ok: true, tracker: b.tracker });
});

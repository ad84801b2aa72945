import { checkBallotAudit, describePlaintext, parseBallotAudit, writeBallotAudit } from '../../src/crypto/audit';
import { encryptBallot, type Plaintext } from '../../src/crypto/ballot';
import { generateCredential, generateToken } from '../../src/crypto/credential';
import { makeElection } from '../../src/crypto/election';
import { groupNamed } from '../../src/crypto/group';
import { generateTrusteeKey } from '../../src/crypto/trustee';
import { seededRandom } from './support';

/**
 * The Benaloh audit's evidence (crypto/audit.ts): what the voting page reveals instead of
 * casting holds for the ballot it made, and fails for anything else it could claim.
 */
const G = groupNamed('BELENIOS-2048');
const random = seededRandom('audit');
const questions = [
  { question: 'Adopt?', answers: ['Yes', 'No'], min: 1, max: 1, blank: true },
  { question: 'Approve', answers: ['Ada', 'Ben', 'Cy'], min: 1, max: 2, blank: true },
];
const electionWith = (uuid: string) =>
  makeElection(
    { uuid, name: 'Audit', description: '', questions },
    G,
    generateTrusteeKey(G, random).publicKey.publicKey,
  );
const election = electionWith(generateToken(random));
const plaintext: Plaintext = [
  [0, 1, 0],
  [0, 1, 0, 1],
];
const ballot = encryptBallot(election, generateCredential(random), plaintext, random);
const text = writeBallotAudit(election, ballot, plaintext);

test('the audit of a ballot holds, and says what it encrypts', () => {
  const checked = checkBallotAudit(election, parseBallotAudit(text));
  expect(checked).toEqual({ ok: true, tracker: ballot.tracker, plaintext });
  expect(describePlaintext(election, plaintext)).toEqual(['Adopt?: Yes', 'Approve: Ada, Cy']);
  expect(
    describePlaintext(election, [
      [1, 0, 0],
      [1, 0, 0, 0],
    ]),
  ).toEqual(['Adopt?: blank', 'Approve: blank']);
});

test('a page that claims other answers, other randomness or another tracker is caught', () => {
  const audit = parseBallotAudit(text);
  const otherAnswers = checkBallotAudit(election, { ...audit, plaintext: [[0, 0, 1], audit.plaintext[1]!] });
  expect(otherAnswers).toEqual({
    ok: false,
    reason:
      'the ballot does not encrypt the plaintext shown with the randomness shown: the page encrypted something else',
  });
  const r = audit.randomness.map((rs) => [...rs]);
  r[1]![2] = r[1]![2]! + 1n;
  expect(checkBallotAudit(election, { ...audit, randomness: r }).ok).toBe(false);
  expect(checkBallotAudit(election, { ...audit, tracker: 'x' })).toEqual({
    ok: false,
    reason: 'the tracker is not the hash of the ballot',
  });
  expect(checkBallotAudit(election, { ...audit, plaintext: [[0, 1, 1], audit.plaintext[1]!] })).toEqual({
    ok: false,
    reason: 'question 1: from 1 to 1 answers must be chosen',
  });
  expect(checkBallotAudit(electionWith(generateToken(random)), audit)).toEqual({
    ok: false,
    reason: 'the audit is of a ballot for another election',
  });
  expect(() => parseBallotAudit('{"tracker": 1}')).toThrow(/ballot audit: /);
});

import crypto from 'node:crypto';
import {
  type ArchiveEntry,
  chainEvent,
  type EventType,
  writeArchive,
  writeCredentialList,
  writeSetup,
} from '../../src/crypto/archive';
import { encryptBallot, type Plaintext } from '../../src/crypto/ballot';
import { generateCredential, generateToken, publicCredential } from '../../src/crypto/credential';
import { makeElection, nonHomomorphicQuestion } from '../../src/crypto/election';
import { groupNamed } from '../../src/crypto/group';
import { mergeNonHomomorphic, nonHomomorphicCiphertexts, shuffle, writeShuffle } from '../../src/crypto/shuffle';
import {
  computeResult,
  encryptedTally,
  partialDecrypt,
  writeEncryptedTally,
  writeOwned,
  writePartialDecryption,
  writeResult,
  writeSizedEncryptedTally,
} from '../../src/crypto/tally';
import { electionPublicKey, generateTrusteeKey, type Trustee, writeTrustees } from '../../src/crypto/trustee';
import type { Question } from '../../src/domain/ballot';
import { methodOf } from '../../src/methods/index';
import { storedResults } from '../../src/record/record';
import { VERIFIABLE_RECORD_FORMAT, verifiableResults, verifyVerifiableRecord } from '../../src/record/verifiable';
import { seededRandom } from '../crypto/support';

/**
 * `omov verify` on the record of a verifiable ballot with a ranked (IRV) question: the archive
 * holds the shuffle, and omov's engine recounts the decrypted rankings (V9.n); a published
 * result that is not what they give is named.
 */
const G = groupNamed('RFC-3526-2048');
const random = seededRandom('ranked record');
const opts = (labels: string[]) => labels.map((label, i) => ({ id: `o${i}`, position: i, label, description: '' }));
const questions = [
  {
    id: 'q1',
    position: 0,
    title: 'Adopt?',
    description: '',
    method: 'yesno',
    settings: methodOf('yesno').settings.parse({}),
    options: opts(['Yes', 'No']),
  },
  {
    id: 'q2',
    position: 1,
    title: 'Chair',
    description: '',
    method: 'irv',
    settings: methodOf('irv').settings.parse({}),
    options: opts(['Ada', 'Ben', 'Cy']),
  },
] as Question[];

test('omov verify recounts a ranked question from the shuffled, decrypted rankings, and names a wrong result', () => {
  const key = generateTrusteeKey(G, random);
  const trustees: Trustee[] = [{ kind: 'Single', key: key.publicKey }];
  const election = makeElection(
    {
      uuid: generateToken(random),
      name: 'Ranked record',
      description: '',
      questions: [
        { question: 'Adopt?', answers: ['Yes', 'No'], min: 1, max: 1, blank: true },
        nonHomomorphicQuestion('Chair', ['Ada', 'Ben', 'Cy']),
      ],
    },
    G,
    electionPublicKey(G, trustees),
  );
  // IRV: Ada 2, Ben 2, Cy 1 first preferences; Cy is out and her ballot goes to Ben, who wins 3 to 2.
  const votes: Plaintext[] = [
    [
      [0, 1, 0],
      [1, 2, 0],
    ],
    [
      [0, 1, 0],
      [1, 0, 2],
    ],
    [
      [0, 0, 1],
      [0, 1, 2],
    ],
    [
      [0, 0, 1],
      [2, 1, 0],
    ],
    [
      [1, 0, 0],
      [0, 2, 1],
    ],
  ];
  const credentials = votes.map(() => generateCredential(random));
  const cast = votes.map((v, i) => encryptBallot(election, credentials[i]!, v, random));
  const tally = encryptedTally(
    election,
    cast.map((b) => ({ ballot: b.ballot, weight: 1n })),
  );
  const s = shuffle(election, nonHomomorphicCiphertexts(election, tally), random);
  const merged = mergeNonHomomorphic(election, tally, s.ciphertexts);
  const pd = partialDecrypt(election, merged, key.privateKey, random);
  const result = computeResult(election, merged, 5n, trustees, [{ owner: 1, partialDecryption: pd }]);

  const entries: ArchiveEntry[] = [];
  let parent: string | undefined;
  const add = (type: EventType, data: string[], payload = data[data.length - 1]) => {
    const e = chainEvent(parent, entries.length, type, payload);
    entries.push({ event: e.text, data });
    parent = e.hash;
  };
  const trusteesText = writeTrustees(trustees);
  const credentialsText = writeCredentialList(
    credentials.map((c) => ({ credential: publicCredential(G, election.uuid, c), weight: 1n })),
  );
  add('Setup', [election.raw, trusteesText, credentialsText, writeSetup(election.raw, trusteesText, credentialsText)]);
  for (const b of cast) add('Ballot', [b.text]);
  add('EndBallots', []);
  const tallyText = writeEncryptedTally(tally);
  add('EncryptedTally', [tallyText, writeSizedEncryptedTally(5, 5n, tallyText)]);
  const sText = writeShuffle(s);
  add('Shuffle', [sText, writeOwned(1, sText)]);
  add('EndShuffles', []);
  const pdText = writePartialDecryption(pd);
  add('PartialDecryption', [pdText, writeOwned(1, pdText)]);
  add('Result', [writeResult(result)]);
  const bytes = writeArchive(1_700_000_000, entries);

  const record = (results: ReturnType<typeof verifiableResults>) => ({
    format: VERIFIABLE_RECORD_FORMAT,
    ballot: { id: 'b1', title: 'Ranked record', questions, mode: { kind: 'verifiable' } },
    archive: {
      fileName: `${election.uuid}.bel`,
      sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
      base64: Buffer.from(bytes).toString('base64'),
    },
    results,
    resultsHash: storedResults(results).hash,
    auditLog: [],
  });
  const results = verifiableResults('b1', questions, result, 5);
  expect(results[1]!.elected).toEqual(['Ben']);
  const v = verifyVerifiableRecord(record(results));
  const verdict = (id: string) => v.checks.find((c) => c.id === id);
  expect(verdict('V18')).toMatchObject({ verdict: 'PASS' });
  expect(verdict('V18')!.summary).toContain('shuffles');
  expect(verdict('V8')).toMatchObject({ verdict: 'PASS' });
  expect(verdict('V9.1')).toMatchObject({ verdict: 'PASS' });
  expect(verdict('V9.2')).toMatchObject({ verdict: 'PASS' });
  expect(verdict('V9.2')!.summary).toContain('elected: Ben');

  // A published result claiming Ada won is not what the rankings give.
  const altered = results.map((r, i) => (i === 1 ? { ...r, elected: ['Ada'] } : r));
  const bad = verifyVerifiableRecord(record(altered));
  expect(bad.checks.find((c) => c.id === 'V9.2')).toMatchObject({
    verdict: 'FAIL',
    problems: [
      expect.stringMatching(/\(elected: Ada\), but the archive's 5 decrypted rankings give .*\(elected: Ben\)/),
    ],
  });
}, 300_000);

import fs from 'node:fs';
import path from 'node:path';
import { checkBallot, encryptBallot, type Plaintext } from '../../src/crypto/ballot';
import { generateCredential, generateToken, isCredential, publicCredential } from '../../src/crypto/credential';
import { makeElection } from '../../src/crypto/election';
import { groupNamed } from '../../src/crypto/group';
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
import {
  electionPublicKey,
  generateTrusteeKey,
  writeTrusteePrivateKey,
  writeTrusteePublicKey,
  writeTrustees,
} from '../../src/crypto/trustee';
import { belenios, requireBeleniosTool, seededRandom, tempDir } from './support';

/**
 * omov's code runs a whole election (trustee keys, election, credentials, ballots, tally,
 * partial decryptions, result) and belenios-tool 2.0, which nobody here wrote, must accept
 * every step with `election verify` and compute the same result.
 */
const G = groupNamed('BELENIOS-2048');
const random = seededRandom('omov → belenios');

let dir: string;
beforeAll(() => {
  requireBeleniosTool();
  dir = tempDir('omov-election');
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);

test('belenios-tool verifies an election run by omov, and computes the same result', () => {
  const uuid = generateToken(random);
  const trustees = [generateTrusteeKey(G, random), generateTrusteeKey(G, random)];
  // belenios-tool's own make-trustees accepts the public keys as omov writes them.
  write('public_keys.jsons', trustees.map((t) => writeTrusteePublicKey(t.publicKey) + '\n').join(''));
  belenios(dir, ['setup', 'make-trustees']);
  const trusteesText = writeTrustees(trustees.map((t) => ({ kind: 'Single' as const, key: t.publicKey })));
  expect(fs.readFileSync(path.join(dir, 'trustees.json'), 'utf8').trim()).toBe(trusteesText);

  const election = makeElection(
    {
      uuid,
      name: 'Assemblée générale',
      description: 'An election made by omov, "verified" by belenios-tool',
      questions: [
        { question: 'Adopt the budget?', answers: ['Yes', 'No'], min: 1, max: 1, blank: false },
        { question: 'Secretary', answers: ['Ada', 'Ben', 'Cy'], min: 1, max: 1, blank: true },
        { question: 'Approve any of', answers: ['A', 'B', 'C', 'D'], min: 0, max: 4, blank: false },
      ],
    },
    G,
    electionPublicKey(
      G,
      trustees.map((t) => ({ kind: 'Single' as const, key: t.publicKey })),
    ),
  );
  const credentials = Array.from({ length: 5 }, () => generateCredential(random));
  expect(credentials.every(isCredential)).toBe(true);
  // The last voter weighs 2.
  const pubcreds = credentials.map((c, i) => `${publicCredential(G, uuid, c)}${i === 4 ? ',2' : ''}`);
  write('election.json', election.raw);
  write('trustees.json', trusteesText);
  write('public_creds.json', JSON.stringify(pubcreds));
  belenios(dir, ['archive', 'init']);

  const votes: Plaintext[] = [
    [
      [1, 0],
      [0, 1, 0, 0],
      [1, 1, 0, 0],
    ],
    [
      [0, 1],
      [1, 0, 0, 0],
      [0, 0, 0, 0],
    ],
    [
      [1, 0],
      [0, 0, 0, 1],
      [1, 1, 1, 1],
    ],
    [
      [1, 0],
      [0, 0, 1, 0],
      [0, 0, 1, 0],
    ],
    [
      [0, 1],
      [0, 1, 0, 0],
      [0, 1, 0, 1],
    ],
  ];
  const ballots = votes.map((v, i) => encryptBallot(election, credentials[i]!, v, random));
  for (const b of ballots) {
    expect(checkBallot(election, b.text)).toMatchObject({ ok: true, tracker: b.tracker });
    expect(belenios(dir, ['sha256-b64'], b.text).trim()).toBe(b.tracker);
    belenios(dir, ['archive', 'add-event', '--type=Ballot'], b.text);
  }
  belenios(dir, ['election', 'verify']);

  belenios(dir, ['archive', 'add-event', '--type=EndBallots']);
  const counted = ballots.map((b, i) => ({ ballot: b.ballot, weight: i === 4 ? 2n : 1n }));
  const tally = encryptedTally(election, counted);
  const tallyText = writeEncryptedTally(tally);
  const sized = writeSizedEncryptedTally(5, 6n, tallyText);
  expect(belenios(dir, ['election', 'compute-encrypted-tally'])).toBe(`${tallyText}\n${sized}\n`);
  belenios(dir, ['archive', 'add-event', '--type=EncryptedTally'], `${tallyText}\n${sized}\n`);

  const pds = trustees.map((t) => partialDecrypt(election, tally, t.privateKey, random));
  pds.forEach((pd, z) => {
    const text = writePartialDecryption(pd);
    belenios(dir, ['archive', 'add-event', '--type=PartialDecryption'], `${text}\n${writeOwned(z + 1, text)}\n`);
  });
  const result = computeResult(
    election,
    tally,
    6n,
    trustees.map((t) => ({ kind: 'Single' as const, key: t.publicKey })),
    pds.map((partialDecryption, z) => ({ owner: z + 1, partialDecryption })),
  );
  // The fifth voter counts twice. Yes 1 + 1 + 1, no 1 + 2; secretary: blank, Ada 1 + 2, Ben, Cy; approvals.
  expect(result).toEqual([
    [3n, 3n],
    [1n, 3n, 1n, 1n],
    [2n, 4n, 2n, 3n],
  ]);
  expect(belenios(dir, ['election', 'compute-result']).trim()).toBe(writeResult(result));
  belenios(dir, ['archive', 'add-event', '--type=Result'], writeResult(result));
  expect(belenios(dir, ['election', 'verify'])).toBe('');

  // belenios-tool decrypts with a private key as omov writes it, and its share verifies the same way.
  write('trustee1.privkey', writeTrusteePrivateKey(trustees[0]!.privateKey));
  expect(() =>
    belenios(dir, ['election', 'decrypt', '--privkey', 'trustee1.privkey', '--trustee-id', '1']),
  ).not.toThrow();
}, 300_000);

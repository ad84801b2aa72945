import fs from 'node:fs';
import path from 'node:path';
import { checkBallot, encryptBallot } from '../../src/crypto/ballot';
import { generateCredential, generateToken, publicCredential } from '../../src/crypto/credential';
import {
  assembleTrustees,
  type Certificate,
  combineShares,
  makeCertificate,
  makePolynomial,
  parseCertificate,
  parsePolynomial,
  parseTrusteeSecrets,
  type Polynomial,
  writePolynomial,
  writeTrusteeSecrets,
} from '../../src/crypto/dkg';
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
import { checkTrustees, electionPublicKey, parseTrustees, writeSigned, writeTrustees } from '../../src/crypto/trustee';
import { belenios, requireBeleniosTool, seededRandom, tempDir } from './support';

/**
 * Threshold keys made by omov (Pedersen's key generation, src/crypto/dkg.ts): three trustees,
 * any two of whom decrypt. belenios-tool 2.0 accepts the trustees in an election, verifies
 * the election that two of them decrypt, and computes the same result; a wrong share, a
 * wrong verification key or a forged certificate is caught and named.
 */
const G = groupNamed('BELENIOS-2048');
const random = seededRandom('omov dkg');

/** The three steps, each message passed through its file format as it would travel. */
function ceremony(n: number, threshold: number) {
  const made = Array.from({ length: n }, () => makeCertificate(G, random));
  const secrets = made.map((m) => parseTrusteeSecrets(writeTrusteeSecrets(m.secrets)));
  const certificates = made.map((m) => parseCertificate(writeSigned(m.certificate)));
  const polynomials = secrets.map((s) =>
    parsePolynomial(writePolynomial(makePolynomial(G, s, certificates, threshold, random))),
  );
  const shares = secrets.map((s) => combineShares(G, s, certificates, polynomials, threshold, random));
  return { secrets, certificates, polynomials, shares };
}

const { secrets, certificates, polynomials, shares } = ceremony(3, 2);
const trustees = assembleTrustees(
  G,
  2,
  certificates,
  polynomials.map((p) => p.coefexps),
  shares.map((s) => s.verificationKey),
);

test('the trustees omov makes check as belenios-tool’s do, and any two of three hold the key', () => {
  expect(checkTrustees(G, [trustees])).toBe(true);
  expect(parseTrustees(writeTrustees([trustees]))).toEqual([trustees]);
  // Two shares give the election's private key by Lagrange interpolation at 0: x = 2·x1 − x2.
  const key = electionPublicKey(G, [trustees]);
  const x = (((2n * shares[0]!.privateKey - shares[1]!.privateKey) % G.q) + G.q) % G.q;
  expect(G.field.pow(G.g, x)).toBe(key);
});

test('a share that does not match its sender’s commitments is named, and so is a forged certificate', () => {
  const tampered: Polynomial[] = polynomials.map((p, i) =>
    i === 1 ? { ...p, shares: p.shares.map((s, j) => (j === 2 ? { ...s, share: (s.share + 1n) % G.q } : s)) } : p,
  );
  expect(() => combineShares(G, secrets[2]!, certificates, tampered, 2, random)).toThrow(
    'the share trustee 2 sent does not match their commitments',
  );
  // The other trustees' shares were not touched.
  expect(combineShares(G, secrets[0]!, certificates, tampered, 2, random).privateKey).toBe(shares[0]!.privateKey);
  // Commitments swapped between trustees are not signed by the right certificate.
  const swapped = [{ ...polynomials[0]!, coefexps: polynomials[1]!.coefexps }, ...polynomials.slice(1)];
  expect(() => combineShares(G, secrets[2]!, certificates, swapped, 2, random)).toThrow(
    "trustee 1's commitments are not signed by their certificate",
  );
  const forged: Certificate = { ...certificates[1]!, message: certificates[0]!.message };
  expect(() => makePolynomial(G, secrets[0]!, [certificates[0]!, forged, certificates[2]!], 2, random)).toThrow(
    "trustee 2's certificate: the signature does not verify",
  );
  expect(() => makePolynomial(G, secrets[0]!, [certificates[0]!, certificates[0]!], 2, random)).toThrow(
    "trustee 2's certificate repeats another's key",
  );
  expect(() => makePolynomial(G, secrets[0]!, certificates.slice(1), 2, random)).toThrow(
    "your certificate is not among the trustees' certificates",
  );
  expect(() => makePolynomial(G, secrets[0]!, certificates, 4, random)).toThrow(
    'the threshold must be from 1 to the number of trustees (3)',
  );
  // A verification key that is not the one the commitments give.
  const keys = shares.map((s) => s.verificationKey);
  expect(() =>
    assembleTrustees(
      G,
      2,
      certificates,
      polynomials.map((p) => p.coefexps),
      [keys[0]!, keys[2]!, keys[1]!],
    ),
  ).toThrow("trustee 2's verification key does not follow from the commitments");
});

test('belenios-tool verifies an election whose threshold keys omov made, decrypted by trustees 1 and 3', () => {
  requireBeleniosTool();
  const dir = tempDir('omov-dkg');
  try {
    const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
    const uuid = generateToken(random);
    const election = makeElection(
      {
        uuid,
        name: 'Threshold',
        description: 'Keys by omov trustees',
        questions: [
          { question: 'Adopt?', answers: ['Yes', 'No'], min: 1, max: 1, blank: false },
          { question: 'Days', answers: ['Mon', 'Tue', 'Wed'], min: 0, max: 3, blank: false },
        ],
      },
      G,
      electionPublicKey(G, [trustees]),
    );
    const credentials = Array.from({ length: 4 }, () => generateCredential(random));
    write('election.json', election.raw);
    write('trustees.json', writeTrustees([trustees]));
    write('public_creds.json', JSON.stringify(credentials.map((c) => String(publicCredential(G, uuid, c)))));
    belenios(dir, ['archive', 'init']);
    const votes = [
      [
        [1, 0],
        [1, 1, 0],
      ],
      [
        [0, 1],
        [0, 0, 1],
      ],
      [
        [1, 0],
        [1, 0, 1],
      ],
      [
        [1, 0],
        [0, 0, 0],
      ],
    ];
    const ballots = votes.map((v, i) => encryptBallot(election, credentials[i]!, v, random));
    for (const b of ballots) {
      expect(checkBallot(election, b.text).ok).toBe(true);
      belenios(dir, ['archive', 'add-event', '--type=Ballot'], b.text);
    }
    belenios(dir, ['archive', 'add-event', '--type=EndBallots']);
    const tally = encryptedTally(
      election,
      ballots.map((b) => ({ ballot: b.ballot, weight: 1n })),
    );
    const tallyText = writeEncryptedTally(tally);
    belenios(
      dir,
      ['archive', 'add-event', '--type=EncryptedTally'],
      `${tallyText}\n${writeSizedEncryptedTally(4, 4n, tallyText)}\n`,
    );
    const owned = [1, 3].map((owner) => ({
      owner,
      partialDecryption: partialDecrypt(election, tally, shares[owner - 1]!.privateKey, random),
    }));
    for (const o of owned) {
      const text = writePartialDecryption(o.partialDecryption);
      belenios(dir, ['archive', 'add-event', '--type=PartialDecryption'], `${text}\n${writeOwned(o.owner, text)}\n`);
    }
    const result = computeResult(election, tally, 4n, [trustees], owned);
    expect(result).toEqual([
      [3n, 1n],
      [2n, 1n, 2n],
    ]);
    expect(belenios(dir, ['election', 'compute-result']).trim()).toBe(writeResult(result));
    belenios(dir, ['archive', 'add-event', '--type=Result'], writeResult(result));
    expect(belenios(dir, ['election', 'verify'])).toBe('');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);

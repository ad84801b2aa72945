import fs from 'node:fs';
import { encryptBallot } from '@omov/core/crypto/ballot';
import { generateCredential, generateToken } from '@omov/core/crypto/credential';
import { assembleTrustees, parseCertificate, parsePolynomial } from '@omov/core/crypto/dkg';
import { makeElection } from '@omov/core/crypto/election';
import { groupNamed } from '@omov/core/crypto/group';
import { systemRandom } from '@omov/core/crypto/random';
import {
  checkPartialDecryption,
  computeResult,
  encryptedTally,
  parsePartialDecryption,
  writeEncryptedTally,
} from '@omov/core/crypto/tally';
import { checkTrustees, electionPublicKey, parseTrusteePublicKey } from '@omov/core/crypto/trustee';
import { omov } from '../support/cli';
import { tempDirPerFile } from '../support/temp-dir';

/**
 * `omov trustee`: three trustees make threshold keys (any two decrypt) with the CLI alone,
 * each in their own directory, handing over only what it prints; two of them then decrypt a
 * tally. What they hand over assembles into trustees that check, and their partial
 * decryptions give the result. Secrets are files, never printed, never overwritten.
 */
const G = groupNamed('BELENIOS-2048');
const at = tempDirPerFile('omov-trustee-cli-');
const ok = async (...argv: string[]) => {
  const r = await omov('trustee', ...argv);
  if (r.code !== 0) throw new Error(`omov trustee ${argv.join(' ')}: exit ${r.code}: ${r.err}`);
  return r;
};

test('three trustees make threshold keys with the CLI; two decrypt; the result is what was cast', async () => {
  const trustees = [1, 2, 3];
  const certificates = [];
  for (const t of trustees) {
    const r = await ok('certificate', '--secrets', at(`t${t}.secrets`));
    certificates.push(JSON.parse(r.out));
    // The secret keys stay in the file, which only its owner may read.
    const secrets = fs.readFileSync(at(`t${t}.secrets`), 'utf8');
    expect(r.out).not.toContain(JSON.parse(secrets).signing);
    expect(fs.statSync(at(`t${t}.secrets`)).mode & 0o077).toBe(0);
  }
  fs.writeFileSync(at('certificates.json'), JSON.stringify(certificates));
  const polynomials = [];
  for (const t of trustees) {
    const r = await ok(
      'polynomial',
      '--secrets',
      at(`t${t}.secrets`),
      '--certificates',
      at('certificates.json'),
      '--threshold',
      '2',
    );
    expect(r.err).toContain(`You are trustee ${t} of 3; 2 will be needed to decrypt.`);
    polynomials.push(JSON.parse(r.out));
  }
  fs.writeFileSync(at('polynomials.json'), JSON.stringify(polynomials));
  const verificationKeys = [];
  for (const t of trustees) {
    const r = await ok(
      'key',
      '--secrets',
      at(`t${t}.secrets`),
      '--certificates',
      at('certificates.json'),
      '--polynomials',
      at('polynomials.json'),
      '--key-out',
      at(`t${t}.key`),
    );
    expect(r.err).toContain('any 2 of 3 trustees can decrypt');
    verificationKeys.push(parseTrusteePublicKey(r.out.trim()));
  }
  const pedersen = assembleTrustees(
    G,
    2,
    certificates.map((c) => parseCertificate(JSON.stringify(c))),
    polynomials.map((p) => parsePolynomial(JSON.stringify(p)).coefexps),
    verificationKeys,
  );
  expect(checkTrustees(G, [pedersen])).toBe(true);

  const election = makeElection(
    {
      uuid: generateToken(systemRandom),
      name: 'CLI',
      description: '',
      questions: [{ question: 'Adopt?', answers: ['Yes', 'No'], min: 1, max: 1, blank: false }],
    },
    G,
    electionPublicKey(G, [pedersen]),
  );
  const votes = [[[1, 0]], [[1, 0]], [[0, 1]]];
  const tally = encryptedTally(
    election,
    votes.map((v) => ({
      ballot: encryptBallot(election, generateCredential(systemRandom), v, systemRandom).ballot,
      weight: 1n,
    })),
  );
  fs.writeFileSync(at('election.json'), election.raw);
  fs.writeFileSync(at('encrypted_tally.json'), `${writeEncryptedTally(tally)}\n`);
  const owned = [];
  for (const t of [2, 3]) {
    const r = await ok(
      'decrypt',
      '--key',
      at(`t${t}.key`),
      '--election',
      at('election.json'),
      '--tally',
      at('encrypted_tally.json'),
    );
    const pd = parsePartialDecryption(r.out.trim());
    expect(checkPartialDecryption(election, tally, verificationKeys[t - 1]!.publicKey, pd)).toBe(true);
    owned.push({ owner: t, partialDecryption: pd });
  }
  expect(computeResult(election, tally, 3n, [pedersen], owned)).toEqual([[2n, 1n]]);
});

test('wrong input is named, exit 2, and a secret is never written over', async () => {
  fs.writeFileSync(at('taken.secrets'), 'keep me');
  const taken = await omov('trustee', 'certificate', '--secrets', at('taken.secrets'));
  expect(taken.code).toBe(2);
  expect(taken.err).toContain('exists already');
  expect(fs.readFileSync(at('taken.secrets'), 'utf8')).toBe('keep me');

  await ok('certificate', '--secrets', at('lone.secrets'));
  const notAmong = await omov(
    'trustee',
    'polynomial',
    '--secrets',
    at('lone.secrets'),
    '--certificates',
    at('certificates.json'),
    '--threshold',
    '2',
  );
  expect(notAmong.code).toBe(2);
  expect(notAmong.err).toContain("your certificate is not among the trustees' certificates");

  fs.writeFileSync(at('garbled.json'), '[{"message":"{}"}]');
  const garbled = await omov(
    'trustee',
    'polynomial',
    '--secrets',
    at('t1.secrets'),
    '--certificates',
    at('garbled.json'),
    '--threshold',
    '2',
  );
  expect(garbled.code).toBe(2);
  expect(garbled.err).toMatch(/garbled\.json: item 1: certificate: signature/);

  const missing = await omov(
    'trustee',
    'decrypt',
    '--key',
    at('nope.key'),
    '--election',
    at('election.json'),
    '--tally',
    at('encrypted_tally.json'),
  );
  expect(missing.code).toBe(2);
  expect(missing.err).toContain('cannot read your key share');
});

import fs from 'node:fs';
import { encryptBallot, type Plaintext } from '@omov/core/crypto/ballot';
import { generateCredential, generateToken } from '@omov/core/crypto/credential';
import { makeElection, nonHomomorphicQuestion } from '@omov/core/crypto/election';
import { groupNamed } from '@omov/core/crypto/group';
import { seededRandom } from '../../packages/core/tests/crypto/support';
import { checkShuffle, mergeNonHomomorphic, nonHomomorphicCiphertexts, parseShuffle } from '@omov/core/crypto/shuffle';
import {
  checkPartialDecryption,
  computeResult,
  encryptedTally,
  parsePartialDecryption,
  writeEncryptedTally,
} from '@omov/core/crypto/tally';
import { electionPublicKey, generateTrusteeKey, writeTrusteePrivateKey } from '@omov/core/crypto/trustee';
import { omov } from '../support/cli';
import { tempDirPerFile } from '../support/temp-dir';

/**
 * `omov trustee shuffle` and `omov trustee decrypt --shuffles`: for a ranked question, each
 * trustee in turn shuffles the ballots (checking the shuffles before theirs), and decrypts only
 * once the ballots are shuffled; the decrypted rankings are the ones cast, in another order.
 */
const G = groupNamed('RFC-3526-2048');
const random = seededRandom('trustee shuffle');
const at = tempDirPerFile('omov-trustee-shuffle-');
const ok = async (...argv: string[]) => {
  const r = await omov('trustee', ...argv);
  if (r.code !== 0) throw new Error(`omov trustee ${argv.join(' ')}: exit ${r.code}: ${r.err}`);
  return r;
};

test('two trustees shuffle in turn, then decrypt; the rankings are the ones cast; a bad shuffle is named', async () => {
  const keys = [generateTrusteeKey(G, random), generateTrusteeKey(G, random)];
  const trustees = keys.map((k) => ({ kind: 'Single' as const, key: k.publicKey }));
  keys.forEach((k, i) => fs.writeFileSync(at(`t${i + 1}.key`), writeTrusteePrivateKey(k.privateKey)));
  const election = makeElection(
    {
      uuid: generateToken(random),
      name: 'Ranked',
      description: '',
      questions: [
        { question: 'Adopt?', answers: ['Yes', 'No'], min: 1, max: 1, blank: false },
        nonHomomorphicQuestion('Board', ['Ada', 'Ben', 'Cy']),
      ],
    },
    G,
    electionPublicKey(G, trustees),
  );
  const votes: Plaintext[] = [
    [
      [1, 0],
      [1, 2, 3],
    ],
    [
      [0, 1],
      [2, 1, 0],
    ],
    [
      [1, 0],
      [0, 0, 1],
    ],
  ];
  const tally = encryptedTally(
    election,
    votes.map((v) => ({ ballot: encryptBallot(election, generateCredential(random), v, random).ballot, weight: 1n })),
  );
  fs.writeFileSync(at('election.json'), election.raw);
  fs.writeFileSync(at('encrypted_tally.json'), `${writeEncryptedTally(tally)}\n`);
  const common = ['--election', at('election.json'), '--tally', at('encrypted_tally.json')];

  // Decrypting before any shuffle is refused: it would link each ranking to its ballot.
  const early = await omov('trustee', 'decrypt', '--key', at('t1.key'), ...common);
  expect(early.code).toBe(2);
  expect(early.err).toContain('they must be shuffled before you decrypt');

  const s1 = (await ok('shuffle', ...common)).out.trim();
  fs.writeFileSync(at('shuffles1.json'), `[${s1}]`);
  const s2 = (await ok('shuffle', ...common, '--shuffles', at('shuffles1.json'))).out.trim();
  expect(checkShuffle(election, parseShuffle(s1).ciphertexts, parseShuffle(s2))).toBe(true);
  expect(checkShuffle(election, nonHomomorphicCiphertexts(election, tally), parseShuffle(s1))).toBe(true);
  fs.writeFileSync(at('shuffles.json'), `[${s1},${s2}]`);

  const merged = mergeNonHomomorphic(election, tally, parseShuffle(s2).ciphertexts);
  const owned = [];
  for (const t of [1, 2]) {
    const r = await ok('decrypt', '--key', at(`t${t}.key`), ...common, '--shuffles', at('shuffles.json'));
    const pd = parsePartialDecryption(r.out.trim());
    expect(checkPartialDecryption(election, merged, keys[t - 1]!.publicKey.publicKey, pd)).toBe(true);
    owned.push({ owner: t, partialDecryption: pd });
  }
  const result = computeResult(election, merged, 3n, trustees, owned);
  expect(result[0]).toEqual([2n, 1n]);
  const sorted = (rows: ReadonlyArray<ReadonlyArray<number>>) => rows.map((r) => r.join(',')).sort();
  expect(sorted(result[1] as number[][])).toEqual(sorted(votes.map((v) => v[1]!)));

  // The second shuffle given as the first: named, exit 2, nothing printed.
  fs.writeFileSync(at('wrong.json'), `[${s2},${s1}]`);
  const wrong = await omov('trustee', 'shuffle', ...common, '--shuffles', at('wrong.json'));
  expect(wrong.code).toBe(2);
  expect(wrong.err).toContain('shuffle 1 does not verify');
  expect(wrong.out).toBe('');
  const wrongDecrypt = await omov(
    'trustee',
    'decrypt',
    '--key',
    at('t1.key'),
    ...common,
    '--shuffles',
    at('wrong.json'),
  );
  expect(wrongDecrypt.code).toBe(2);
  expect(wrongDecrypt.out).toBe('');
}, 600_000);

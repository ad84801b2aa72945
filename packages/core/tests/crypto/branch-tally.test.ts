import { encryptBallot } from '../../src/crypto/ballot';
import {
  branchTallies,
  branchTalliesProblem,
  decryptPools,
  parseBranchTallies,
  parseTrusteeDecryption,
  poolDecryptionProblem,
  poolResults,
  writeBranchTallies,
  writeTrusteeDecryption,
} from '../../src/crypto/branch-tally';
import { generateToken, publicCredential } from '../../src/crypto/credential';
import { makeElection } from '../../src/crypto/election';
import { groupNamed } from '../../src/crypto/group';
import { encryptedTally, partialDecrypt } from '../../src/crypto/tally';
import { electionPublicKey, generateTrusteeKey, type Trustee } from '../../src/crypto/trustee';
import { poolBranches } from '../../src/domain/pooling';
import { seededRandom } from './support';

/**
 * The pooling of a verifiable ballot's sub-tallies: the pools are the office mode's units
 * for the counted ballots per branch, each sub-tally decrypts to its pool's plaintext sums,
 * the pools multiply to the whole tally, and a changed pool or decryption is caught.
 */
const G = groupNamed('BELENIOS-2048');
const random = seededRandom('branch-tally');
const keys = [generateTrusteeKey(G, random), generateTrusteeKey(G, random)];
const trustees: Trustee[] = keys.map((k) => ({ kind: 'Single', key: k.publicKey }));
const election = makeElection(
  {
    uuid: generateToken(random),
    name: 'branches',
    description: '',
    questions: [
      { question: 'Yes or no, or blank', answers: ['Yes', 'No'], min: 1, max: 1, blank: true },
      { question: 'Any of three', answers: ['x', 'y', 'z'], min: 0, max: 3, blank: false },
    ],
  },
  G,
  electionPublicKey(G, trustees),
);

// Branch, weight and plaintext (blank first for the first question) of each member; D's two never vote.
const members: Array<{ branch: string; weight: bigint; vote: number[][] | null }> = [
  ...[0, 1, 2, 3, 4].map((i) => ({ branch: 'A', weight: 1n, vote: [i % 2 ? [0, 1, 0] : [0, 0, 1], [1, 0, i % 2]] })),
  ...[0, 1, 2, 3].map((i) => ({
    branch: 'B',
    weight: BigInt(i + 1),
    vote: [
      [0, 1, 0],
      [0, i % 2, 1],
    ],
  })),
  {
    branch: 'C',
    weight: 3n,
    vote: [
      [1, 0, 0],
      [1, 1, 1],
    ],
  },
  { branch: 'D', weight: 1n, vote: null },
  { branch: 'D', weight: 1n, vote: null },
];
const people = members.map((m) => {
  const credential = generateToken(random);
  return { ...m, credential: publicCredential(G, election.uuid, credential), secret: credential };
});
const counted = people
  .filter((p) => p.vote)
  .map((p) => ({ ballot: encryptBallot(election, p.secret, p.vote!, random).ballot, weight: p.weight }));
const credentials = people.map((p) => ({ credential: p.credential, branch: p.branch }));
const tally = encryptedTally(election, counted);
const K = 3;

test("the pools are the office mode's units for the counted ballots per branch; a branch under k is pooled", () => {
  const section = branchTallies(election, counted, credentials, K);
  const units = poolBranches(
    [
      { branch: 'A', voters: 5 },
      { branch: 'B', voters: 4 },
      { branch: 'C', voters: 1 },
      { branch: 'D', voters: 0 },
    ],
    K,
  );
  expect(section.pools.map(({ name, branches, pooled }) => ({ name, branches, pooled }))).toEqual(units);
  expect(section.pools.map((p) => p.name)).toEqual(['A', 'D', 'Pooled: B, C']);
  expect(section.pools.map((p) => [p.ballots, p.weight])).toEqual([
    [5, 5n],
    [0, 0n],
    [5, 13n],
  ]);
  expect(Object.keys(section.credentials)).toEqual(['A', 'B', 'C', 'D']);
  expect(branchTalliesProblem(election, counted, tally, section)).toBeUndefined();
  expect(parseBranchTallies(election, writeBranchTallies(section))).toEqual(section);
});

test("each pool's sub-tally decrypts, by the trustees' checked decryptions, to its pool's plaintext sums", () => {
  const section = branchTallies(election, counted, credentials, K);
  const pds = keys.map((k) => decryptPools(election, section, k.privateKey, random));
  keys.forEach((k, i) =>
    expect(poolDecryptionProblem(election, section, k.publicKey.publicKey, pds[i]!)).toBeUndefined(),
  );
  const results = poolResults(
    election,
    section,
    trustees,
    pds.map((pools, i) => ({ owner: i + 1, pools })),
  );
  const expected = section.pools.map((p) => {
    const inPool = people.filter((m) => m.vote && p.branches.includes(m.branch));
    return [0, 1].map((q) => [0, 1, 2].map((a) => inPool.reduce((n, m) => n + BigInt(m.vote![q]![a]!) * m.weight, 0n)));
  });
  expect(results).toEqual(expected);
  // What a trustee hands over: the Belenios partial decryption with "pools" beside it.
  const text = writeTrusteeDecryption(partialDecrypt(election, tally, keys[0]!.privateKey, random), pds[0]);
  expect(parseTrusteeDecryption(text).pools).toEqual(pds[0]);
});

test("a wrong decryption of a pool is named; another trustee's key does not verify", () => {
  const section = branchTallies(election, counted, credentials, K);
  const mine = decryptPools(election, section, keys[0]!.privateKey, random);
  expect(poolDecryptionProblem(election, section, keys[1]!.publicKey.publicKey, mine)).toBe(
    'its decryption of pool "A" does not verify',
  );
  const altered = mine.map((pd, i) =>
    i === 2 ? { ...pd, decryptionFactors: pd.decryptionFactors.map((fs) => fs.map((f) => (f * G.g) % G.p)) } : pd,
  );
  expect(poolDecryptionProblem(election, section, keys[0]!.publicKey.publicKey, altered)).toBe(
    'its decryption of pool "Pooled: B, C" does not verify',
  );
  expect(poolDecryptionProblem(election, section, keys[0]!.publicKey.publicKey, mine.slice(1))).toBe(
    'it covers 2 pools, not the 3 of the ballot',
  );
});

test('a changed sub-tally, a ballot moved to another branch, or pools that do not multiply to the tally are caught', () => {
  const section = branchTallies(election, counted, credentials, K);
  // Two pools' sub-tallies swapped: each is no longer the product of its ballots.
  const swapped = {
    ...section,
    pools: section.pools.map((p, i) => (i === 0 ? { ...p, tally: section.pools[2]!.tally } : p)),
  };
  expect(branchTalliesProblem(election, counted, tally, swapped)).toBe(
    'the sub-tally of pool "A" is not the product of its 5 counted ballots',
  );
  // C's member listed under A: the counts per branch and so the pools change.
  const moved = branchTallies(
    election,
    counted,
    credentials.map((c) => (c.branch === 'C' ? { ...c, branch: 'A' } : c)),
    K,
  );
  expect(branchTalliesProblem(election, counted, tally, { ...section, credentials: moved.credentials })).toMatch(
    /^the pools are A \(5\); D \(0\); Pooled: B, C \(5\), but the counted ballots per branch pool under k = 3 as/,
  );
  // A tally with one ballot fewer: the pools no longer multiply to it.
  const smaller = encryptedTally(election, counted.slice(1));
  expect(branchTalliesProblem(election, counted, smaller, section)).toBe(
    "the pools' sub-tallies do not multiply to the encrypted tally",
  );
});

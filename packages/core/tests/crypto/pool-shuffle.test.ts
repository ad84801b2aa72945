import { encryptBallot } from '../../src/crypto/ballot';
import { branchTallies, branchTalliesProblem } from '../../src/crypto/branch-tally';
import { generateToken, publicCredential } from '../../src/crypto/credential';
import { makeElection, nonHomomorphicQuestion } from '../../src/crypto/election';
import { groupNamed } from '../../src/crypto/group';
import {
  parseTrusteeShuffle,
  poolInputs,
  poolRanges,
  poolShuffle,
  poolShuffleProblem,
  writeTrusteeShuffle,
} from '../../src/crypto/pool-shuffle';
import { checkShuffle, mergeNonHomomorphic, nonHomomorphicCiphertexts } from '../../src/crypto/shuffle';
import { computeResult, encryptedTally, partialDecrypt } from '../../src/crypto/tally';
import { electionPublicKey, generateTrusteeKey, type Trustee } from '../../src/crypto/trustee';
import { seededRandom } from './support';

/**
 * Shuffles that keep the pools of branches apart: the first sends each pool's ballots to its
 * range, the next permutes within the ranges, each with a whole-list proof (Belenios's) and
 * one proof per pool; after decryption each range holds exactly its pool's rankings. A
 * shuffle that moves a ballot across pools passes the whole-list check but not the pools'.
 */
const G = groupNamed('RFC-3526-2048');
const random = seededRandom('pool-shuffle');
const keys = [generateTrusteeKey(G, random), generateTrusteeKey(G, random)];
const trustees: Trustee[] = keys.map((k) => ({ kind: 'Single', key: k.publicKey }));
const election = makeElection(
  {
    uuid: generateToken(random),
    name: 'ranked pools',
    description: '',
    questions: [
      { question: 'Yes or no, or blank', answers: ['Yes', 'No'], min: 1, max: 1, blank: true },
      nonHomomorphicQuestion('Rank them', ['Ada', 'Ben', 'Cy']),
    ],
  },
  G,
  electionPublicKey(G, trustees),
);

const rankings = [
  [1, 2, 3],
  [2, 1, 3],
  [3, 2, 1],
  [1, 3, 2],
  [0, 1, 0],
  [2, 3, 1],
  [1, 0, 2],
  [3, 1, 2],
];
// A: 4 voters; B: 2, C: 1, E: 1, pooled under k = 3; D: none.
const branchOf = ['A', 'A', 'A', 'A', 'B', 'B', 'C', 'E'];
const people = [...branchOf, 'D'].map((branch, i) => {
  const secret = generateToken(random);
  return { branch, secret, credential: publicCredential(G, election.uuid, secret), ranking: rankings[i] };
});
const counted = people
  .filter((p) => p.ranking)
  .map((p) => ({
    ballot: encryptBallot(election, p.secret, [[0, 1, 0], p.ranking!], random).ballot,
    weight: 1n,
  }));
const section = branchTallies(
  election,
  counted,
  people.map((p) => ({ credential: p.credential, branch: p.branch })),
  3,
);
const tally = encryptedTally(election, counted);
const rows = nonHomomorphicCiphertexts(election, tally);
const sorted = (xs: ReadonlyArray<ReadonlyArray<number>>) => xs.map((r) => r.join(',')).sort();

test('the section places each pool in the ranked row; two pool-keeping shuffles verify whole and pool by pool; each range decrypts to its pool', () => {
  expect(section.pools.map((p) => [p.name, p.ballots])).toEqual([
    ['A', 4],
    ['D', 0],
    ['Pooled: B, C, E', 4],
  ]);
  // The positions cover the row once, and each pool's are where its ballots' ciphertexts are.
  const positions = section.pools.map((p) => p.positions![0]!);
  expect(positions.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(branchTalliesProblem(election, counted, tally, section)).toBeUndefined();
  expect(poolRanges(section)).toEqual([
    { start: 0, count: 4 },
    { start: 4, count: 0 },
    { start: 4, count: 4 },
  ]);

  let current = rows;
  for (const index of [0, 1]) {
    const { shuffle, pools } = poolShuffle(election, current, poolInputs(section, index)!, random);
    expect(checkShuffle(election, current, shuffle)).toBe(true);
    expect(poolShuffleProblem(election, section, index, current, shuffle.ciphertexts, pools)).toBeUndefined();
    // What the trustee hands over reads back the same.
    const read = parseTrusteeShuffle(writeTrusteeShuffle(shuffle, pools));
    expect(read.shuffle).toEqual(shuffle);
    expect(read.pools).toEqual(pools);
    current = shuffle.ciphertexts;
  }
  const merged = mergeNonHomomorphic(election, tally, current);
  const result = computeResult(
    election,
    merged,
    BigInt(counted.length),
    trustees,
    keys.map((k, i) => ({ owner: i + 1, partialDecryption: partialDecrypt(election, merged, k.privateKey, random) })),
  );
  const decrypted = result[1] as number[][];
  for (const [p, { start, count }] of poolRanges(section).entries()) {
    const mine = people.filter((x) => x.ranking && section.pools[p]!.branches.includes(x.branch));
    expect(sorted(decrypted.slice(start, start + count))).toEqual(sorted(mine.map((x) => x.ranking!)));
  }
});

test('a shuffle that moves a ballot across pools passes the whole-list check, not the pools’; an altered pool proof is named', () => {
  const honest = poolInputs(section, 0)!;
  // Swap one of A's ballots with one of the pooled branches' before shuffling.
  const [a, d, b] = honest[0]!;
  const crossing = [[[b![0]!, ...a!.slice(1)], d!, [a![0]!, ...b!.slice(1)]]];
  const bad = poolShuffle(election, rows, crossing, random);
  expect(checkShuffle(election, rows, bad.shuffle)).toBe(true);
  expect(poolShuffleProblem(election, section, 0, rows, bad.shuffle.ciphertexts, bad.pools)).toBe(
    'ranked question 1: the proof of pool "A" fails: its range (places 1 to 4) is not a shuffle of its ballots before',
  );

  const good = poolShuffle(election, rows, honest, random);
  const [t, [s1, ...s]] = [good.pools[0]![2]!.t, good.pools[0]![2]!.s];
  const altered = [[good.pools[0]![0]!, good.pools[0]![1]!, { ...good.pools[0]![2]!, t, s: [(s1 + 1n) % G.q, ...s] }]];
  expect(
    poolShuffleProblem(election, section, 0, rows, good.shuffle.ciphertexts, altered as typeof good.pools),
  ).toMatch(/the proof of pool "Pooled: B, C, E" fails/);
  // The pools' proofs checked as the second shuffle's (against the ranges) fail too: the tally's row is not in pools.
  expect(poolShuffleProblem(election, section, 1, rows, good.shuffle.ciphertexts, good.pools)).toMatch(/fails/);
  // A section whose positions were changed no longer matches the counted ballots.
  const moved = {
    ...section,
    pools: section.pools.map((p, i) => (i === 0 ? { ...p, positions: [crossing[0]![0]!] } : p)),
  };
  expect(branchTalliesProblem(election, counted, tally, moved)).toMatch(/positions of pool "A"/);
});

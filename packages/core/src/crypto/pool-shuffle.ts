import type { BranchTallies } from './branch-tally';
import type { Election } from './election';
import { randomScalar, type RandomBytes } from './random';
import {
  checkShuffleProof,
  genPermutation,
  parseShuffle,
  proofOfShuffleJson,
  proveShuffle,
  reEncryptCiphertext,
  type Shuffle,
  type ShuffleCheck,
  shuffle,
  type ShuffleProof,
  writeProofOfShuffle,
  writeShuffle,
} from './shuffle';
import { type Ciphertext, parseJson, splitPools, writeArray } from './wire';
import * as z from 'zod';

/**
 * Shuffles that keep each pool of branches apart (docs/verifiable.md, "Branch figures of
 * ranked questions"), so that a ranked question's decrypted rankings can be counted pool by
 * pool. Each trustee still makes one Belenios shuffle per non-homomorphic question over the
 * whole row (what belenios-tool verifies), but its permutation is chosen so that the first
 * shuffle sends each pool's ballots (their positions in the tally's row, public: the section's
 * `positions`) to one contiguous range of the output, pools in their order, at random within
 * each; later shuffles permute within those ranges only. Every such permutation is a
 * permutation, so the whole-list proof is the usual one. Each trustee also proves, pool by
 * pool, with the same re-encryption randomness, that the pool's range after is a shuffle of
 * the pool's ballots before: those pool proofs are kept beside the Belenios events. After
 * decryption, the rankings in pool p's range are pool p's ballots. Pure: no I/O.
 */

/** Per non-homomorphic question, per pool: the positions of the pool's ballots in the list a shuffle starts from. */
export type PoolInputs = ReadonlyArray<ReadonlyArray<ReadonlyArray<number>>>;

/** Per non-homomorphic question, per pool: the proof that the pool's range is a shuffle of its ballots before. */
export type PoolProofs = ReadonlyArray<ReadonlyArray<ShuffleProof>>;

/** Pool p's range in a shuffled list: it starts after the ballots of the pools before it. */
export function poolRanges(t: Pick<BranchTallies, 'pools'>): Array<{ start: number; count: number }> {
  let start = 0;
  return t.pools.map((p) => {
    const r = { start, count: p.ballots };
    start += p.ballots;
    return r;
  });
}

/**
 * Where each pool's ballots are in the lists the shuffle numbered `index` (from 0) starts
 * from: the section's positions for the first (the tally's rows), the pools' ranges after.
 * Undefined for a section stored without positions (a ballot closed before pools were kept
 * apart in shuffles, or without a ranked question).
 */
export function poolInputs(t: Pick<BranchTallies, 'pools'>, index: number): PoolInputs | undefined {
  if (!t.pools.length || t.pools.some((p) => !p.positions)) return undefined;
  const questions = t.pools[0]!.positions!.length;
  const ranges = poolRanges(t);
  return Array.from({ length: questions }, (_, j) =>
    t.pools.map((p, i) =>
      index === 0 ? p.positions![j]! : Array.from({ length: ranges[i]!.count }, (__, k) => ranges[i]!.start + k),
    ),
  );
}

/** The pools' positions must cover a row of `n` ciphertexts, each place once. */
function partitionProblem(pools: ReadonlyArray<ReadonlyArray<number>>, n: number): string | undefined {
  const seen = new Set<number>();
  for (const list of pools)
    for (const x of list) {
      if (!Number.isInteger(x) || x < 0 || x >= n || seen.has(x)) return `position ${x} is not a free place of the row`;
      seen.add(x);
    }
  return seen.size === n ? undefined : `the pools hold ${seen.size} ballots, but the row has ${n}`;
}

/**
 * A trustee's shuffle of every non-homomorphic question of `current` that keeps the pools
 * apart (the pools' positions in `current`: poolInputs), with the pool proofs.
 */
export function poolShuffle(
  election: Election,
  current: ReadonlyArray<ReadonlyArray<Ciphertext>>,
  inputs: PoolInputs,
  random: RandomBytes,
): { shuffle: Shuffle; pools: ShuffleProof[][] } {
  if (inputs.length !== current.length)
    throw new RangeError(`the pools' positions cover ${inputs.length} ranked questions, not ${current.length}`);
  const done = current.map((es, j) => {
    const pools = inputs[j]!;
    const problem = partitionProblem(pools, es.length);
    if (problem) throw new RangeError(`ranked question ${j + 1}: ${problem}`);
    const rPrime = es.map(() => randomScalar(election.group, random));
    // psi[i]: the input at place i; each pool's ballots to its range, at random within it.
    const psi: number[] = [];
    const subPsi = pools.map((list) => {
      const sigma = genPermutation(list.length, random);
      for (const k of sigma) psi.push(list[k]!);
      return sigma;
    });
    const ePrime = psi.map((from) => reEncryptCiphertext(election, es[from]!, rPrime[from]!));
    const proof = proveShuffle(election, es, ePrime, psi, rPrime, random);
    let start = 0;
    const poolProofs = pools.map((list, p) => {
      const after = ePrime.slice(start, (start += list.length));
      const before = list.map((x) => es[x]!);
      return proveShuffle(
        election,
        before,
        after,
        subPsi[p]!,
        list.map((x) => rPrime[x]!),
        random,
      );
    });
    return { ciphertexts: ePrime, proof, poolProofs };
  });
  return {
    shuffle: { ciphertexts: done.map((d) => d.ciphertexts), proofs: done.map((d) => d.proof) },
    pools: done.map((d) => d.poolProofs),
  };
}

/**
 * What a trustee hands over as the shuffle numbered `index` (from 0) of `current`: one that
 * keeps the pools apart, with its pool proofs, where the section places the pools; a plain
 * Belenios shuffle otherwise (no section, or one stored before pools were kept apart). The
 * CLI and the trustee page both make it here. `pools`: how many pools were kept apart.
 */
export function trusteeShuffle(
  election: Election,
  current: ReadonlyArray<ReadonlyArray<Ciphertext>>,
  section: Pick<BranchTallies, 'pools'> | undefined,
  index: number,
  random: RandomBytes,
): { text: string; pools: number | undefined } {
  const inputs = section && poolInputs(section, index);
  if (!inputs) return { text: writeShuffle(shuffle(election, current, random)), pools: undefined };
  const made = poolShuffle(election, current, inputs, random);
  return { text: writeTrusteeShuffle(made.shuffle, made.pools), pools: section!.pools.length };
}

/**
 * A step of poolShuffleProblem, in its order: a problem found without checking a proof, or a
 * proof to check (`check`) and the problem it is if it fails.
 */
export type PoolShuffleStep = { readonly problem: string; readonly check?: ShuffleCheck };

/**
 * The pool proofs' steps of the shuffle numbered `index` (from 0), in order, ending at the
 * first problem found without a proof: each pool's range after (`after`, the shuffle's
 * ciphertexts) must be a shuffle of its ballots in `before`. The proofs are plain data, to be
 * checked apart (the server checks them in its threads); the first step that fails names the
 * problem. Empty where the section places no pools.
 */
export function poolShuffleSteps(
  t: Pick<BranchTallies, 'pools'>,
  index: number,
  before: ReadonlyArray<ReadonlyArray<Ciphertext>>,
  after: ReadonlyArray<ReadonlyArray<Ciphertext>>,
  proofs: PoolProofs,
): PoolShuffleStep[] {
  const inputs = poolInputs(t, index);
  if (!inputs) return [];
  const ranges = poolRanges(t);
  if (proofs.length !== inputs.length || after.length !== inputs.length || before.length !== inputs.length)
    return [{ problem: `it has pool proofs for ${proofs.length} ranked questions, not ${inputs.length}` }];
  const steps: PoolShuffleStep[] = [];
  for (const [j, pools] of inputs.entries()) {
    const problem = partitionProblem(pools, before[j]!.length);
    if (problem) return [...steps, { problem: `ranked question ${j + 1}: ${problem}` }];
    if (proofs[j]!.length !== pools.length)
      return [
        ...steps,
        { problem: `ranked question ${j + 1}: ${proofs[j]!.length} pool proofs for ${pools.length} pools` },
      ];
    for (const [p, list] of pools.entries()) {
      const { start, count } = ranges[p]!;
      steps.push({
        problem: `ranked question ${j + 1}: the proof of pool "${t.pools[p]!.name}" fails: its range (places ${start + 1} to ${start + count}) is not a shuffle of its ballots before`,
        check: {
          before: list.map((x) => before[j]![x]!),
          after: after[j]!.slice(start, start + count),
          proof: proofs[j]![p]!,
        },
      });
    }
  }
  return steps;
}

/**
 * The first of `steps` that fails, given whether each step's proof holds (`holds`, one per
 * step; a step without a proof fails), or undefined.
 */
export const firstProblem = (
  steps: ReadonlyArray<PoolShuffleStep>,
  holds: (check: ShuffleCheck, i: number) => boolean,
): string | undefined => steps.find((s, i) => !s.check || !holds(s.check, i))?.problem;

/**
 * Why the pool proofs of the shuffle numbered `index` (from 0) do not hold, naming the
 * pool, or undefined (poolShuffleSteps, checked in order). The whole-list proof is
 * checkShuffle's to check.
 */
export function poolShuffleProblem(
  election: Election,
  t: Pick<BranchTallies, 'pools'>,
  index: number,
  before: ReadonlyArray<ReadonlyArray<Ciphertext>>,
  after: ReadonlyArray<ReadonlyArray<Ciphertext>>,
  proofs: PoolProofs,
): string | undefined {
  return firstProblem(poolShuffleSteps(t, index, before, after, proofs), (c) =>
    checkShuffleProof(election, c.before, c.after, c.proof),
  );
}

// --- text ---------------------------------------------------------------------------------

export const writePoolProofs = (pools: PoolProofs): string =>
  writeArray(pools, (list) => writeArray(list, writeProofOfShuffle));

const poolProofsJson = z.array(z.array(proofOfShuffleJson));

export const parsePoolProofs = (text: string): ShuffleProof[][] => parseJson(poolProofsJson, text, 'pool proofs');

/** What a trustee hands over: Belenios's shuffle, with "pools" added where the pools are kept apart. */
export const writeTrusteeShuffle = (s: Shuffle, pools?: PoolProofs): string => {
  const text = writeShuffle(s);
  return pools ? `${text.slice(0, -1)},"pools":${writePoolProofs(pools)}}` : text;
};

/** A trustee's hand-over read back: the Belenios shuffle, and the pool proofs where given. */
export function parseTrusteeShuffle(text: string): { shuffle: Shuffle; pools: ShuffleProof[][] | undefined } {
  const { belenios, pools } = splitPools(text, 'shuffle');
  return {
    shuffle: parseShuffle(belenios),
    pools: pools === undefined ? undefined : parsePoolProofs(JSON.stringify(pools)),
  };
}

import { type Group, gPow, isScalar, modQ, mul, pow } from './group';
import { hashToScalar } from './hash';
import { type RandomBytes, randomScalar } from './random';
import type { Proof } from './wire';

/**
 * A Fiat–Shamir (Schnorr) proof of knowledge of x with X_i = bases_i^x for every base
 * (Belenios's fs_prove): commitments bases_i^w, challenge from the hash of the prefix and
 * the commitments, response w − x·challenge mod q.
 */
export function proveKnowledge(
  G: Group,
  bases: ReadonlyArray<bigint>,
  x: bigint,
  prefix: string,
  random: RandomBytes,
): Proof {
  const w = randomScalar(G, random);
  const challenge = hashToScalar(
    G,
    prefix,
    bases.map((b) => pow(G, b, w)),
  );
  return { challenge, response: modQ(G, w - x * challenge) };
}

/** Checks a proof from proveKnowledge: each commitment is bases_i^response · X_i^challenge. */
export function verifyKnowledge(
  G: Group,
  bases: ReadonlyArray<bigint>,
  images: ReadonlyArray<bigint>,
  prefix: string,
  proof: Proof,
): boolean {
  if (!isScalar(G, proof.challenge) || !isScalar(G, proof.response)) return false;
  const commitments = bases.map((b, i) => mul(G, pow(G, b, proof.response), pow(G, images[i]!, proof.challenge)));
  return hashToScalar(G, prefix, commitments) === proof.challenge;
}

/** The proof that a trustee knows the private key of `publicKey` (specification, "Verification keys"). */
const pokPrefix = (G: Group, publicKey: bigint) => `pok|${G.name}|${publicKey}|`;
export const provePrivateKey = (G: Group, privateKey: bigint, random: RandomBytes): Proof =>
  proveKnowledge(G, [G.g], privateKey, pokPrefix(G, gPow(G, privateKey)), random);
export const verifyPrivateKeyProof = (G: Group, publicKey: bigint, proof: Proof): boolean =>
  verifyKnowledge(G, [G.g], [publicKey], pokPrefix(G, publicKey), proof);

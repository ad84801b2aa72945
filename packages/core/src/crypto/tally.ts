import { z } from 'zod';
import type { Ballot } from './ballot';
import type { Election } from './election';
import { div, type Group, gPow, isElement, mul, pow } from './group';
import { sha256Hex } from './hash';
import { type RandomBytes } from './random';
import { proveKnowledge, verifyKnowledge } from './schnorr';
import type { Trustee } from './trustee';
import {
  type Ciphertext,
  ciphertextJson,
  numberJson,
  parseJson,
  type Proof,
  proofJson,
  writeArray,
  writeCiphertext,
  writeProof,
} from './wire';

/**
 * Counting without decrypting any single ballot (specification, "Encrypted tally", "Partial
 * decryptions", "Election result"): the ciphertexts of each answer are multiplied (each
 * raised to its ballot's weight), every trustee decrypts the products only, with a proof,
 * and the totals are the discrete logarithms of what remains.
 */
export type EncryptedTally = ReadonlyArray<ReadonlyArray<Ciphertext>>;

/** Belenios's `last`: the list of ballots to count keeps each credential's last ballot only. */
export function lastBallots<B extends { readonly ballot: Ballot }>(ballots: ReadonlyArray<B>): B[] {
  const last = new Map<bigint, B>();
  for (const b of ballots) {
    last.delete(b.ballot.credential);
    last.set(b.ballot.credential, b);
  }
  return [...last.values()];
}

/** The product, answer by answer, of the ballots' ciphertexts raised to their weights. */
export function encryptedTally(
  election: Election,
  ballots: ReadonlyArray<{ readonly ballot: Ballot; readonly weight: bigint }>,
): EncryptedTally {
  const G = election.group;
  return election.questions.map((_, i) => {
    const n = ballots[0]?.ballot.answers[i]?.choices.length ?? _.answers.length + (_.blank ? 1 : 0);
    return Array.from({ length: n }, (__, j) =>
      ballots.reduce<Ciphertext>(
        (acc, { ballot, weight }) => {
          const c = ballot.answers[i]!.choices[j]!;
          const wc = weight === 1n ? c : { alpha: pow(G, c.alpha, weight), beta: pow(G, c.beta, weight) };
          return { alpha: mul(G, acc.alpha, wc.alpha), beta: mul(G, acc.beta, wc.beta) };
        },
        { alpha: 1n, beta: 1n },
      ),
    );
  });
}

export const writeEncryptedTally = (t: EncryptedTally): string =>
  writeArray(t, (cs) => writeArray(cs, writeCiphertext));

/** Belenios writes a weight as a JSON number up to 2^30 − 1 and as a string above. */
const writeWeight = (w: bigint): string => (w <= 1073741823n ? w.toString() : `"${w}"`);

/** The payload of the EncryptedTally event, pointing at the tally's data by its SHA-256. */
export const writeSizedEncryptedTally = (numTallied: number, totalWeight: bigint, tallyText: string): string =>
  `{"num_tallied":${numTallied},"total_weight":${writeWeight(totalWeight)},"encrypted_tally":"${sha256Hex(tallyText)}"}`;

const tallyJson = z.array(z.array(ciphertextJson));
export const parseEncryptedTally = (text: string): EncryptedTally => parseJson(tallyJson, text, 'encrypted tally');

// --- partial decryptions ------------------------------------------------------------------

export type PartialDecryption = {
  readonly decryptionFactors: ReadonlyArray<ReadonlyArray<bigint>>;
  readonly decryptionProofs: ReadonlyArray<ReadonlyArray<Proof>>;
};

const decryptPrefix = (election: Election, trusteeKey: bigint) => `decrypt|${election.fingerprint}|${trusteeKey}|`;

/** A trustee's share: alpha^x for every ciphertext, with a proof that the same x is behind their public key. */
export function partialDecrypt(
  election: Election,
  tally: EncryptedTally,
  privateKey: bigint,
  random: RandomBytes,
): PartialDecryption {
  const G = election.group;
  if (!tally.every((cs) => cs.every((c) => isElement(G, c.alpha) && isElement(G, c.beta))))
    throw new RangeError('the encrypted tally holds a value outside the group');
  const prefix = decryptPrefix(election, gPow(G, privateKey));
  return {
    decryptionFactors: tally.map((cs) => cs.map((c) => pow(G, c.alpha, privateKey))),
    decryptionProofs: tally.map((cs) => cs.map((c) => proveKnowledge(G, [G.g, c.alpha], privateKey, prefix, random))),
  };
}

export function checkPartialDecryption(
  election: Election,
  tally: EncryptedTally,
  trusteeKey: bigint,
  pd: PartialDecryption,
): boolean {
  const G = election.group;
  const prefix = decryptPrefix(election, trusteeKey);
  return (
    pd.decryptionFactors.length === tally.length &&
    pd.decryptionProofs.length === tally.length &&
    tally.every(
      (cs, i) =>
        pd.decryptionFactors[i]!.length === cs.length &&
        pd.decryptionProofs[i]!.length === cs.length &&
        cs.every((c, j) => {
          const f = pd.decryptionFactors[i]![j]!;
          return (
            isElement(G, f) && verifyKnowledge(G, [G.g, c.alpha], [trusteeKey, f], prefix, pd.decryptionProofs[i]![j]!)
          );
        }),
    )
  );
}

export const writePartialDecryption = (pd: PartialDecryption): string =>
  `{"decryption_factors":${writeArray(pd.decryptionFactors, (fs) => writeArray(fs, (f) => `"${f}"`))}` +
  `,"decryption_proofs":${writeArray(pd.decryptionProofs, (ps) => writeArray(ps, writeProof))}}`;

/** The payload of a PartialDecryption event: trustee number `owner` (from 1) and the SHA-256 of the partial decryption. */
export const writeOwned = (owner: number, dataText: string): string =>
  `{"owner":${owner},"payload":"${sha256Hex(dataText)}"}`;

const partialDecryptionJson = z
  .strictObject({ decryption_factors: z.array(z.array(numberJson)), decryption_proofs: z.array(z.array(proofJson)) })
  .transform((p): PartialDecryption => ({
    decryptionFactors: p.decryption_factors,
    decryptionProofs: p.decryption_proofs,
  }));
export const parsePartialDecryption = (text: string): PartialDecryption =>
  parseJson(partialDecryptionJson, text, 'partial decryption');

// --- the result ---------------------------------------------------------------------------

/** log_g(x) for 0 ≤ log ≤ max, by baby-step giant-step; throws if there is none (a wrong decryption). */
function discreteLogs(G: Group, max: bigint): (x: bigint) => bigint {
  let m = 1n;
  while (m * m <= max) m++;
  const baby = new Map<bigint, bigint>();
  let cur = 1n;
  for (let j = 0n; j < m; j++) {
    if (!baby.has(cur)) baby.set(cur, j);
    cur = mul(G, cur, G.g);
  }
  const giant = G.field.inv(cur); // g^−m
  return (x) => {
    let gamma = x;
    for (let i = 0n; i <= m; i++) {
      const j = baby.get(gamma);
      if (j !== undefined && i * m + j <= max) return i * m + j;
      gamma = mul(G, gamma, giant);
    }
    throw new RangeError('a total is not within the number of ballots: a decryption is wrong');
  };
}

export type Result = ReadonlyArray<ReadonlyArray<bigint>>;

/**
 * Combines one checked partial decryption per trustee (in the order of the trustees
 * structure) into the totals: for each answer, log_g(beta / ∏ factors). `totalWeight`
 * bounds the totals.
 */
export function computeResult(
  election: Election,
  tally: EncryptedTally,
  totalWeight: bigint,
  trustees: ReadonlyArray<Trustee>,
  partialDecryptions: ReadonlyArray<PartialDecryption>,
): Result {
  const G = election.group;
  if (partialDecryptions.length !== trustees.length)
    throw new RangeError('one partial decryption per trustee is needed');
  trustees.forEach((t, z) => {
    if (!checkPartialDecryption(election, tally, t.key.publicKey, partialDecryptions[z]!))
      throw new RangeError(`the partial decryption of trustee ${z + 1} does not verify`);
  });
  const log = discreteLogs(G, totalWeight);
  return tally.map((cs, i) =>
    cs.map((c, j) =>
      log(
        div(
          G,
          c.beta,
          partialDecryptions.reduce((acc, pd) => mul(G, acc, pd.decryptionFactors[i]![j]!), 1n),
        ),
      ),
    ),
  );
}

export const writeResult = (result: Result): string =>
  `{"result":${writeArray(result, (row) => writeArray(row, writeWeight))}}`;

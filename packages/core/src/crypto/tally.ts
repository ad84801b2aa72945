import * as z from 'zod';
import { type Ballot, isNonHomomorphicAnswer } from './ballot';
import type { Election } from './election';
import { div, type Group, gPow, groupDecode, invertQ, isElement, modQ, mul, pow } from './group';
import { sha256Hex } from './hash';
import { type RandomBytes } from './random';
import { proveKnowledge, verifyKnowledge } from './schnorr';
import { type Trustee, trusteeCount } from './trustee';
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

/** Belenios's order of ciphertexts (G.compare on alpha, then beta). */
export const compareCiphertexts = (a: Ciphertext, b: Ciphertext): number =>
  a.alpha < b.alpha ? -1 : a.alpha > b.alpha ? 1 : a.beta < b.beta ? -1 : a.beta > b.beta ? 1 : 0;

/**
 * For a homomorphic question, the product, answer by answer, of the ballots' ciphertexts
 * raised to their weights. For a non-homomorphic one, every ballot's ciphertext, sorted (as
 * Belenios sorts them, which hides the order of casting); each such ballot must weigh 1.
 */
export function encryptedTally(
  election: Election,
  ballots: ReadonlyArray<{ readonly ballot: Ballot; readonly weight: bigint }>,
): EncryptedTally {
  const G = election.group;
  return election.questions.map((_, i) => {
    if (_.nonHomomorphic)
      return ballots
        .map(({ ballot, weight }) => {
          const a = ballot.answers[i]!;
          if (!isNonHomomorphicAnswer(a)) throw new RangeError(`question ${i + 1}: a ballot's answer is homomorphic`);
          if (weight !== 1n)
            throw new RangeError(
              `question ${i + 1}: a ballot of weight ${weight}: Belenios shuffles ballots of weight 1 only`,
            );
          return a.choice;
        })
        .sort(compareCiphertexts);
    const n = _.answers.length + (_.blank ? 1 : 0);
    return Array.from({ length: n }, (__, j) =>
      ballots.reduce<Ciphertext>(
        (acc, { ballot, weight }) => {
          const a = ballot.answers[i]!;
          if (isNonHomomorphicAnswer(a))
            throw new RangeError(`question ${i + 1}: a ballot's answer is not homomorphic`);
          const c = a.choices[j]!;
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

/**
 * Per question: for a homomorphic one, the total of each answer; for a non-homomorphic one,
 * each shuffled ballot's decoded answer (a list of small numbers, one per answer).
 */
export type Result = ReadonlyArray<ReadonlyArray<bigint> | ReadonlyArray<ReadonlyArray<number>>>;

/** The decoded ballots of a non-homomorphic question's result row. */
export const resultBallots = (row: Result[number]): ReadonlyArray<ReadonlyArray<number>> =>
  row.filter((x): x is ReadonlyArray<number> => Array.isArray(x));

/** The totals of a homomorphic question's result row. */
export const resultTotals = (row: Result[number]): ReadonlyArray<bigint> =>
  row.filter((x): x is bigint => typeof x === 'bigint');

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

/** A partial decryption and the number (from 1) of the trustee who made it, as in the archive's owned structures. */
export type OwnedPartialDecryption = { readonly owner: number; readonly partialDecryption: PartialDecryption };

/** Lagrange coefficient at 0 for index j among `indexes` (threshold trustees' numbers from 1), mod q. */
function lagrange(G: Group, indexes: ReadonlyArray<number>, j: number): bigint {
  return indexes.reduce((acc, k) => {
    if (k === j) return acc;
    return modQ(G, acc * BigInt(k) * invertQ(G, BigInt(k - j)));
  }, 1n);
}

/**
 * For every ciphertext, the product of the trustees' decryption factors, each share checked
 * first (a wrong one is named by its trustee's number). Single trustees must all take part;
 * of threshold trustees, the first `threshold` who did are combined by Lagrange interpolation.
 */
export function combineFactors(
  election: Election,
  tally: EncryptedTally,
  trustees: ReadonlyArray<Trustee>,
  owned: ReadonlyArray<OwnedPartialDecryption>,
): bigint[][] {
  const G = election.group;
  const slots: (PartialDecryption | undefined)[] = Array.from({ length: trusteeCount(trustees) });
  for (const o of owned) {
    if (!Number.isInteger(o.owner) || o.owner < 1 || o.owner > slots.length)
      throw new RangeError(`there is no trustee number ${o.owner}`);
    if (slots[o.owner - 1]) throw new RangeError(`trustee ${o.owner} has two partial decryptions`);
    slots[o.owner - 1] = o.partialDecryption;
  }
  const check = (number: number, key: bigint, pd: PartialDecryption) => {
    if (!checkPartialDecryption(election, tally, key, pd))
      throw new RangeError(`the partial decryption of trustee ${number} does not verify`);
  };
  const one = tally.map((cs) => cs.map(() => 1n));
  const times = (a: bigint[][], b: ReadonlyArray<ReadonlyArray<bigint>>, e = 1n) =>
    a.map((row, i) => row.map((x, j) => mul(G, x, e === 1n ? b[i]![j]! : pow(G, b[i]![j]!, e))));
  let offset = 0;
  let factors = one;
  for (const t of trustees) {
    if (t.kind === 'Single') {
      const pd = slots[offset];
      if (!pd) throw new RangeError(`trustee ${offset + 1} has not decrypted`);
      check(offset + 1, t.key.publicKey, pd);
      factors = times(factors, pd.decryptionFactors);
      offset += 1;
      continue;
    }
    const present: { index: number; pd: PartialDecryption }[] = [];
    t.verificationKeys.forEach((k, j) => {
      const pd = slots[offset + j];
      if (!pd) return;
      check(offset + j + 1, k.publicKey, pd);
      present.push({ index: j + 1, pd });
    });
    if (present.length < t.threshold)
      throw new RangeError(`${t.threshold} of the threshold trustees must decrypt; ${present.length} did`);
    const chosen = present.slice(0, t.threshold);
    const indexes = chosen.map((c) => c.index);
    for (const c of chosen) factors = times(factors, c.pd.decryptionFactors, lagrange(G, indexes, c.index));
    offset += t.verificationKeys.length;
  }
  return factors;
}

/**
 * The totals: for each answer, log_g(beta / the combined decryption factor). `totalWeight`
 * (the sum of the counted ballots' weights) bounds them.
 */
export function computeResult(
  election: Election,
  tally: EncryptedTally,
  totalWeight: bigint,
  trustees: ReadonlyArray<Trustee>,
  owned: ReadonlyArray<OwnedPartialDecryption>,
): Result {
  const G = election.group;
  const factors = combineFactors(election, tally, trustees, owned);
  const log = discreteLogs(G, totalWeight);
  return tally.map((cs, i) => {
    const q = election.questions[i]!;
    if (q.nonHomomorphic) return cs.map((c, j) => groupDecode(G, q.answers.length, div(G, c.beta, factors[i]![j]!)));
    return cs.map((c, j) => log(div(G, c.beta, factors[i]![j]!)));
  });
}

export const writeResult = (result: Result): string =>
  `{"result":${writeArray(result, (row) =>
    writeArray(row as ReadonlyArray<bigint | ReadonlyArray<number>>, (x) =>
      typeof x === 'bigint' ? writeWeight(x) : `[${x.join(',')}]`,
    ),
  )}}`;

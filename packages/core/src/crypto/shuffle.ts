import { bytesToHex } from '@noble/hashes/utils';
import * as z from 'zod';
import { sha256 } from '@noble/hashes/sha2';
import { utf8ToBytes } from '@noble/hashes/utils';
import type { Election } from './election';
import { div, type Group, gPow, isElement, isScalar, modQ, mul, pow, product } from './group';
import { sha256Hex } from './hash';
import { type RandomBytes, randomScalar } from './random';
import { type EncryptedTally } from './tally';
import { type Ciphertext, ciphertextJson, numberJson, parseJson, writeArray, writeCiphertext } from './wire';

/**
 * The verifiable mix-net of Belenios 2.0 for non-homomorphic questions (specification,
 * "Shuffles" and "Shuffle algorithms"; Belenios's Mixnet module): each trustee in turn
 * re-encrypts and permutes the ciphertexts of every non-homomorphic question, with the
 * Terelius–Wikström proof of shuffle as CHVote 1.3.2 writes it (GenShuffle,
 * GenShuffleProof, CheckShuffleProof), with Belenios's hash inputs, so that belenios-tool
 * verifies a shuffle made here and this module one made by belenios-tool. Nothing here is
 * a new primitive: the group arithmetic and SHA-256 are the ones of group.ts and hash.ts.
 */

/** Belenios's shuffle_proof: (t, s, c, ĉ). */
export type ShuffleProof = {
  /** t1, t2, t3, (t4,1, t4,2), [t̂1 … t̂N] */
  readonly t: readonly [bigint, bigint, bigint, readonly [bigint, bigint], ReadonlyArray<bigint>];
  /** s1, s2, s3, s4, [ŝ1 … ŝN], [s'1 … s'N] */
  readonly s: readonly [bigint, bigint, bigint, bigint, ReadonlyArray<bigint>, ReadonlyArray<bigint>];
  /** The commitment to the permutation. */
  readonly c: ReadonlyArray<bigint>;
  /** The commitment chain. */
  readonly cHat: ReadonlyArray<bigint>;
};

/** One trustee's shuffle: for every non-homomorphic question (in order), the shuffled ciphertexts and the proof. */
export type Shuffle = {
  readonly ciphertexts: ReadonlyArray<ReadonlyArray<Ciphertext>>;
  readonly proofs: ReadonlyArray<ShuffleProof>;
};

/** nh_ciphertexts: the rows of the encrypted tally that belong to non-homomorphic questions, in order. */
export function nonHomomorphicCiphertexts(
  election: Election,
  tally: EncryptedTally,
): ReadonlyArray<ReadonlyArray<Ciphertext>> {
  return election.questions.flatMap((q, i) => (q.nonHomomorphic ? [tally[i] ?? []] : []));
}

/** The tally with its non-homomorphic rows replaced, in order, by `shuffled` (Belenios's merge_nh_ciphertexts). */
export function mergeNonHomomorphic(
  election: Election,
  tally: EncryptedTally,
  shuffled: ReadonlyArray<ReadonlyArray<Ciphertext>>,
): EncryptedTally {
  let j = 0;
  const merged = election.questions.map((q, i) => (q.nonHomomorphic ? shuffled[j++]! : tally[i]!));
  if (j !== shuffled.length) throw new RangeError('the shuffle does not have one list per non-homomorphic question');
  return merged;
}

/** A uniform whole number in [0, n), by rejection from the random bytes (for the permutation). */
function randomBelow(n: number, random: RandomBytes): number {
  if (n <= 1) return 0;
  const limit = Math.floor(0x100000000 / n) * n;
  for (;;) {
    const b = random(4);
    const x = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    if (x < limit) return x % n;
  }
}

/** GenPermutation (Fisher–Yates as CHVote writes it): psi[i] is the index of the input that goes to place i. */
export function genPermutation(n: number, random: RandomBytes): number[] {
  const tmp = Array.from({ length: n }, (_, i) => i);
  const psi = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const k = i + randomBelow(n - i, random);
    psi[i] = tmp[k]!;
    tmp[k] = tmp[i]!;
  }
  return psi;
}

const reEncrypt = (G: Group, y: bigint, e: Ciphertext, r: bigint): Ciphertext => ({
  alpha: mul(G, e.alpha, gPow(G, r)),
  beta: mul(G, e.beta, pow(G, y, r)),
});

/** GetGenerator(i): SHA-256("ggen|i") raised to the cofactor (p − 1)/q; each new one checked against the others. */
function independentGenerators(G: Group, n: number): { h: bigint; hs: bigint[] } {
  const cofactor = (G.p - 1n) / G.q;
  const seen = new Set<bigint>();
  const get = (i: number) => {
    const x = G.field.pow(BigInt('0x' + sha256Hex(`ggen|${i}`)) % G.p, cofactor);
    if (x === 0n || x === 1n || x === G.g || seen.has(x)) throw new RangeError(`generator ${i} is degenerate`);
    seen.add(x);
    return x;
  };
  const h = get(-1);
  return { h, hs: Array.from({ length: n }, (_, i) => get(i)) };
}

const strCiphertexts = (es: ReadonlyArray<Ciphertext>): string => es.map((e) => `${e.alpha},${e.beta},`).join('');
const strElements = (xs: ReadonlyArray<bigint>): string => xs.map((x) => `${x},`).join('');

/** GetNIZKPChallenges: u_i = SHA-256(hex(SHA-256(S)) ‖ hex(SHA-256(i))) mod q. */
function challenges(G: Group, n: number, text: string): bigint[] {
  const h = sha256Hex(text);
  return Array.from({ length: n }, (_, i) =>
    modQ(G, BigInt('0x' + bytesToHex(sha256(utf8ToBytes(h + sha256Hex(String(i))))))),
  );
}

const challenge = (G: Group, text: string): bigint => modQ(G, BigInt('0x' + sha256Hex(text)));

const sumQ = (G: Group, xs: ReadonlyArray<bigint>): bigint =>
  modQ(
    G,
    xs.reduce((a, b) => a + b, 0n),
  );

/** Re-encrypts and permutes one question's ciphertexts, and proves it (GenShuffle then GenShuffleProof). */
export function shuffleCiphertexts(
  election: Election,
  es: ReadonlyArray<Ciphertext>,
  random: RandomBytes,
): { ciphertexts: Ciphertext[]; proof: ShuffleProof } {
  const G = election.group;
  const psi = genPermutation(es.length, random);
  const rPrime = es.map(() => randomScalar(G, random));
  const reEncrypted = es.map((e, i) => reEncrypt(G, election.publicKey, e, rPrime[i]!));
  const ePrime = psi.map((j) => reEncrypted[j]!);
  return { ciphertexts: ePrime, proof: proveShuffle(election, es, ePrime, psi, rPrime, random) };
}

/** Re-encrypts `e` with randomness `r` (as a shuffle does). */
export const reEncryptCiphertext = (election: Election, e: Ciphertext, r: bigint): Ciphertext =>
  reEncrypt(election.group, election.publicKey, e, r);

/**
 * GenShuffleProof: the proof that `ePrime` is `es` re-encrypted with `rPrime` (rPrime[j] for
 * es[j]) and permuted by `psi` (ePrime[i] is es[psi[i]] re-encrypted). Also proves a sub-list
 * of a shuffle (pool-shuffle.ts), with the same randomness.
 */
export function proveShuffle(
  election: Election,
  es: ReadonlyArray<Ciphertext>,
  ePrime: ReadonlyArray<Ciphertext>,
  psi: ReadonlyArray<number>,
  rPrime: ReadonlyArray<bigint>,
  random: RandomBytes,
): ShuffleProof {
  const G = election.group;
  const y = election.publicKey;
  const n = es.length;
  const { h, hs } = independentGenerators(G, n);
  // GenPermutationCommitment: c_psi(i) = g^r_psi(i) · h_i
  const c = new Array<bigint>(n);
  const r = new Array<bigint>(n);
  for (let i = 0; i < n; i++) {
    const ri = randomScalar(G, random);
    r[psi[i]!] = ri;
    c[psi[i]!] = mul(G, gPow(G, ri), hs[i]!);
  }
  const str1 = strCiphertexts(es) + strCiphertexts(ePrime) + strElements(c);
  const u = challenges(G, n, `shuffle-challenges|${election.fingerprint}|${str1}`);
  const uPrime = psi.map((j) => u[j]!);
  // GenCommitmentChain(h, u')
  const rHat = uPrime.map(() => randomScalar(G, random));
  const cHat: bigint[] = [];
  for (let i = 0; i < n; i++) cHat.push(mul(G, gPow(G, rHat[i]!), pow(G, i === 0 ? h : cHat[i - 1]!, uPrime[i]!)));

  const [w1, w2, w3, w4] = [0, 1, 2, 3].map(() => randomScalar(G, random)) as [bigint, bigint, bigint, bigint];
  const wHat = es.map(() => randomScalar(G, random));
  const wPrime = es.map(() => randomScalar(G, random));
  const t1 = gPow(G, w1);
  const t2 = gPow(G, w2);
  const t3 = mul(
    G,
    gPow(G, w3),
    product(
      G,
      hs.map((hi, i) => pow(G, hi, wPrime[i]!)),
    ),
  );
  const t41 = mul(
    G,
    G.field.inv(pow(G, y, w4)),
    product(
      G,
      ePrime.map((e, i) => pow(G, e.beta, wPrime[i]!)),
    ),
  );
  const t42 = mul(
    G,
    G.field.inv(gPow(G, w4)),
    product(
      G,
      ePrime.map((e, i) => pow(G, e.alpha, wPrime[i]!)),
    ),
  );
  const tHat = es.map((_, i) => mul(G, gPow(G, wHat[i]!), pow(G, i === 0 ? h : cHat[i - 1]!, wPrime[i]!)));
  const str2 = strElements([t1, t2, t3, t41, t42]) + strElements(tHat);
  const str3 = str1 + strElements(cHat) + String(y);
  const ch = challenge(G, `shuffle-challenge|${election.fingerprint}|${str2}${str3}`);

  const s1 = modQ(G, w1 + ch * sumQ(G, r));
  const v = new Array<bigint>(n).fill(1n);
  for (let i = n - 2; i >= 0; i--) v[i] = modQ(G, uPrime[i + 1]! * v[i + 1]!);
  const s2 = modQ(
    G,
    w2 +
      ch *
        sumQ(
          G,
          rHat.map((x, i) => x * v[i]!),
        ),
  );
  const s3 = modQ(
    G,
    w3 +
      ch *
        sumQ(
          G,
          r.map((x, i) => x * u[i]!),
        ),
  );
  const s4 = modQ(
    G,
    w4 +
      ch *
        sumQ(
          G,
          rPrime.map((x, i) => x * u[i]!),
        ),
  );
  const sHat = wHat.map((x, i) => modQ(G, x + ch * rHat[i]!));
  const sPrime = wPrime.map((x, i) => modQ(G, x + ch * uPrime[i]!));
  return { t: [t1, t2, t3, [t41, t42], tHat], s: [s1, s2, s3, s4, sHat, sPrime], c, cHat };
}

/** CheckShuffleProof: `ePrime` is a re-encryption of a permutation of `es`. */
export function checkShuffleProof(
  election: Election,
  es: ReadonlyArray<Ciphertext>,
  ePrime: ReadonlyArray<Ciphertext>,
  proof: ShuffleProof,
): boolean {
  const G = election.group;
  const y = election.publicKey;
  const n = es.length;
  const [t1, t2, t3, [t41, t42], tHat] = proof.t;
  const [s1, s2, s3, s4, sHat, sPrime] = proof.s;
  const { c, cHat } = proof;
  if (ePrime.length !== n || c.length !== n || cHat.length !== n || tHat.length !== n) return false;
  if (sHat.length !== n || sPrime.length !== n) return false;
  const elements = [t1, t2, t3, t41, t42, ...c, ...cHat, ...tHat];
  if (!elements.every((x) => isElement(G, x))) return false;
  if (![s1, s2, s3, s4, ...sHat, ...sPrime].every((x) => isScalar(G, x))) return false;
  // Belenios checks the shuffled ciphertexts' membership where it reads them (a tally's check_ciphertext).
  if (![...es, ...ePrime].every((e) => isElement(G, e.alpha) && isElement(G, e.beta))) return false;

  const { h, hs } = independentGenerators(G, n);
  const str1 = strCiphertexts(es) + strCiphertexts(ePrime) + strElements(c);
  const u = challenges(G, n, `shuffle-challenges|${election.fingerprint}|${str1}`);
  const str2 = strElements([t1, t2, t3, t41, t42]) + strElements(tHat);
  const str3 = str1 + strElements(cHat) + String(y);
  const ch = challenge(G, `shuffle-challenge|${election.fingerprint}|${str2}${str3}`);

  const cBar = div(G, product(G, c), product(G, hs));
  const uProd = u.reduce((a, b) => modQ(G, a * b), 1n);
  const cHatN = div(G, n === 0 ? h : cHat[n - 1]!, pow(G, h, uProd));
  const cTilde = product(
    G,
    c.map((ci, i) => pow(G, ci, u[i]!)),
  );
  const aPrime = product(
    G,
    es.map((e, i) => pow(G, e.beta, u[i]!)),
  );
  const bPrime = product(
    G,
    es.map((e, i) => pow(G, e.alpha, u[i]!)),
  );
  const inv = (x: bigint) => G.field.inv(x);
  const t1p = mul(G, inv(pow(G, cBar, ch)), gPow(G, s1));
  if (t1p !== t1) return false;
  const t2p = mul(G, inv(pow(G, cHatN, ch)), gPow(G, s2));
  if (t2p !== t2) return false;
  const t3p = mul(
    G,
    inv(pow(G, cTilde, ch)),
    mul(
      G,
      gPow(G, s3),
      product(
        G,
        hs.map((hi, i) => pow(G, hi, sPrime[i]!)),
      ),
    ),
  );
  if (t3p !== t3) return false;
  const t41p = mul(
    G,
    inv(mul(G, pow(G, aPrime, ch), pow(G, y, s4))),
    product(
      G,
      ePrime.map((e, i) => pow(G, e.beta, sPrime[i]!)),
    ),
  );
  if (t41p !== t41) return false;
  const t42p = mul(
    G,
    inv(mul(G, pow(G, bPrime, ch), gPow(G, s4))),
    product(
      G,
      ePrime.map((e, i) => pow(G, e.alpha, sPrime[i]!)),
    ),
  );
  if (t42p !== t42) return false;
  return tHat.every((t, i) => {
    const prev = i === 0 ? h : cHat[i - 1]!;
    return mul(G, mul(G, inv(pow(G, cHat[i]!, ch)), gPow(G, sHat[i]!)), pow(G, prev, sPrime[i]!)) === t;
  });
}

/** A trustee's shuffle of every non-homomorphic question of `current` (the tally's rows, or the previous shuffle's). */
export function shuffle(
  election: Election,
  current: ReadonlyArray<ReadonlyArray<Ciphertext>>,
  random: RandomBytes,
): Shuffle {
  const done = current.map((es) => shuffleCiphertexts(election, es, random));
  return { ciphertexts: done.map((d) => d.ciphertexts), proofs: done.map((d) => d.proof) };
}

/** One proof of shuffle to check (checkShuffleProof): `after` is a shuffle of `before`. Plain data, for a thread. */
export type ShuffleCheck = {
  readonly before: ReadonlyArray<Ciphertext>;
  readonly after: ReadonlyArray<Ciphertext>;
  readonly proof: ShuffleProof;
};

/**
 * checkShuffle's proofs, one per question, to check apart (the server checks them in its
 * threads); undefined where the shuffle does not cover the questions of `current`.
 */
export function shuffleChecks(
  current: ReadonlyArray<ReadonlyArray<Ciphertext>>,
  s: Shuffle,
): ShuffleCheck[] | undefined {
  if (s.ciphertexts.length !== current.length || s.proofs.length !== current.length) return undefined;
  return current.map((before, i) => ({ before, after: s.ciphertexts[i]!, proof: s.proofs[i]! }));
}

/** Belenios's check_shuffle: every question's proof holds against the ciphertexts before. */
export function checkShuffle(
  election: Election,
  current: ReadonlyArray<ReadonlyArray<Ciphertext>>,
  s: Shuffle,
): boolean {
  const checks = shuffleChecks(current, s);
  return checks !== undefined && checks.every((c) => checkShuffleProof(election, c.before, c.after, c.proof));
}

const el = (x: bigint) => `"${x}"`;
export const writeProofOfShuffle = (p: ShuffleProof): string => {
  const [t1, t2, t3, [t41, t42], tHat] = p.t;
  const [s1, s2, s3, s4, sHat, sPrime] = p.s;
  return (
    `[[${el(t1)},${el(t2)},${el(t3)},[${el(t41)},${el(t42)}],${writeArray(tHat, el)}]` +
    `,[${el(s1)},${el(s2)},${el(s3)},${el(s4)},${writeArray(sHat, el)},${writeArray(sPrime, el)}]` +
    `,${writeArray(p.c, el)},${writeArray(p.cHat, el)}]`
  );
};

/** The shuffle's JSON as belenios-tool writes it (the data of a Shuffle event). */
export const writeShuffle = (s: Shuffle): string =>
  `{"ciphertexts":${writeArray(s.ciphertexts, (es) => writeArray(es, writeCiphertext))},"proofs":${writeArray(s.proofs, writeProofOfShuffle)}}`;

const numbers = z.array(numberJson);
export const proofOfShuffleJson = z
  .tuple([
    z.tuple([numberJson, numberJson, numberJson, z.tuple([numberJson, numberJson]), numbers]),
    z.tuple([numberJson, numberJson, numberJson, numberJson, numbers, numbers]),
    numbers,
    numbers,
  ])
  .transform(([t, s, c, cHat]): ShuffleProof => ({ t, s, c, cHat }));
const shuffleJson = z.strictObject({
  ciphertexts: z.array(z.array(ciphertextJson)),
  proofs: z.array(proofOfShuffleJson),
});

export const parseShuffle = (text: string): Shuffle => parseJson(shuffleJson, text, 'shuffle');

/**
 * The ciphertexts after every shuffle so far, each checked against the ones before it (the
 * first against the tally's non-homomorphic rows); a shuffle that does not verify is named by
 * its place (from 1). What a trustee shuffles next, or decrypts once all have shuffled.
 */
export function afterShuffles(
  election: Election,
  tally: EncryptedTally,
  shuffles: ReadonlyArray<Shuffle>,
): ReadonlyArray<ReadonlyArray<Ciphertext>> {
  let current = nonHomomorphicCiphertexts(election, tally);
  shuffles.forEach((s, i) => {
    if (!checkShuffle(election, current, s))
      throw new RangeError(
        `shuffle ${i + 1} does not verify: its proof of shuffle fails against the ciphertexts before it`,
      );
    current = s.ciphertexts;
  });
  return current;
}

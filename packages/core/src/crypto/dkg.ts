import * as z from 'zod';
import { type Group, gPow, isElement, isScalar, modQ, pow, product } from './group';
import { hashToScalar, sha256B64 } from './hash';
import { type RandomBytes, randomScalar } from './random';
import { provePrivateKey } from './schnorr';
import {
  certKeysJson,
  checkTrusteePublicKey,
  type PedersenTrustees,
  rawCoefexpsJson,
  type SignedMessage,
  signedMessageJson,
  signMessage,
  thresholdVerificationKeys,
  type TrusteePublicKey,
  verifySignedMessage,
  writeSigned,
} from './trustee';
import { numberJson, parseJson, writeArray } from './wire';

/**
 * Generating threshold trustees' keys: Pedersen's distributed key generation, in the steps
 * and with the public messages of Belenios 2.0 (its `generate-trustee-key-threshold`), so
 * that the result is the ["Pedersen", …] trustees entry that belenios-tool verifies.
 *
 * 1. Each trustee makes a certificate: a signing key and an encryption key, the public parts
 *    signed with the signing key. Everyone receives every certificate, in one order, which
 *    numbers the trustees 1 … n.
 * 2. Each trustee i draws a polynomial P_i of degree t − 1, publishes the commitments
 *    g^a_ik to its coefficients (signed), and sends trustee j the share P_i(j), encrypted to
 *    j's encryption key.
 * 3. Each trustee j checks every share sent to them against its sender's commitments
 *    (Feldman's check: g^P_i(j) = ∏_k (g^a_ik)^(j^k)) and keeps x_j = Σ_i P_i(j), their key
 *    share; they publish g^x_j with a proof that they know x_j. Any t of the x_j decrypt.
 *
 * The public messages are Belenios's. The shares' encryption between trustees is not part of
 * what a verifier reads; here it is hashed ElGamal in the same group (g^r, and the share plus
 * a pad hashed from the Diffie–Hellman value, mod q): it only hides the share in transit, and
 * Feldman's check catches any share that was changed. Its format is omov's, not Belenios's.
 */

/** What a trustee keeps secret from step 1: their signing and encryption keys. */
export type TrusteeSecrets = { readonly signing: bigint; readonly encryption: bigint };
export type Certificate = SignedMessage;

/** Step 1: a certificate (the public keys, signed) and the secrets behind it. */
export function makeCertificate(G: Group, random: RandomBytes): { secrets: TrusteeSecrets; certificate: Certificate } {
  const secrets = { signing: randomScalar(G, random), encryption: randomScalar(G, random) };
  return { secrets, certificate: certificateOf(G, secrets, random) };
}

/** The certificate of secrets made before (by the trustee page or `omov trustee`): the same keys, signed afresh. */
export function certificateOf(G: Group, secrets: TrusteeSecrets, random: RandomBytes): Certificate {
  const message = `{"verification":"${gPow(G, secrets.signing)}","encryption":"${gPow(G, secrets.encryption)}"}`;
  return signMessage(G, secrets.signing, message, random);
}

/**
 * A certificate's fingerprint, for the trustees to compare by a route of their own (the
 * server relays the certificates and could swap one): SHA-256 of its keys, the message the
 * certificate signs, in base64 as Belenios shows its fingerprints. A fresh signature of the
 * same keys keeps the fingerprint.
 */
export const certificateFingerprint = (c: Certificate): string => sha256B64(c.message);

export type CertificateKeys = { readonly verification: bigint; readonly encryption: bigint };

/** The keys a certificate holds, once its keys are in the group and its signature verifies; otherwise why not. */
export function certificateKeys(G: Group, c: Certificate): CertificateKeys {
  const keys = parseJson(certKeysJson, c.message, 'certificate');
  if (!isElement(G, keys.verification) || !isElement(G, keys.encryption))
    throw new RangeError('certificate: a key is not an element of the group');
  if (!verifySignedMessage(G, keys.verification, c)) throw new RangeError('certificate: the signature does not verify');
  return keys;
}

/** Every certificate checked, and no key used twice (a trustee counted twice would hold two shares). */
export function checkCertificates(G: Group, certificates: ReadonlyArray<Certificate>): CertificateKeys[] {
  const keys = certificates.map((c, i) => {
    try {
      return certificateKeys(G, c);
    } catch (err) {
      throw new RangeError(`trustee ${i + 1}'s ${(err as Error).message}`, { cause: err });
    }
  });
  const seen = new Set<bigint>();
  keys.forEach((k, i) => {
    if (seen.has(k.verification) || seen.has(k.encryption))
      throw new RangeError(`trustee ${i + 1}'s certificate repeats another's key`);
    seen.add(k.verification).add(k.encryption);
  });
  return keys;
}

/** A trustee's position (1 … n) among the certificates: where their own signing key is. */
export function positionOf(G: Group, certificates: ReadonlyArray<Certificate>, secrets: TrusteeSecrets): number {
  const own = gPow(G, secrets.signing);
  const index = checkCertificates(G, certificates).findIndex((k) => k.verification === own);
  if (index < 0) throw new RangeError("your certificate is not among the trustees' certificates");
  return index + 1;
}

/** A share of P_i(j), encrypted to trustee j: (g^r, P_i(j) + H(y_j^r) mod q). */
export type EncryptedShare = { readonly alpha: bigint; readonly share: bigint };

const padPrefix = (G: Group, from: number, to: number) => `omov-share|${G.name}|${from}|${to}|`;
const pad = (G: Group, from: number, to: number, alpha: bigint, dh: bigint): bigint =>
  hashToScalar(G, padPrefix(G, from, to), [alpha, dh]);

/** Step 2's message from trustee i: the signed commitments, and one encrypted share per trustee (in order). */
export type Polynomial = { readonly coefexps: SignedMessage; readonly shares: ReadonlyArray<EncryptedShare> };

const evaluate = (G: Group, coefficients: ReadonlyArray<bigint>, j: number): bigint =>
  modQ(
    G,
    coefficients.reduce((sum, a, k) => sum + a * BigInt(j) ** BigInt(k), 0n),
  );

/** Step 2: trustee `position`'s polynomial of degree threshold − 1, committed and shared out. */
export function makePolynomial(
  G: Group,
  secrets: TrusteeSecrets,
  certificates: ReadonlyArray<Certificate>,
  threshold: number,
  random: RandomBytes,
): Polynomial {
  const keys = checkCertificates(G, certificates);
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > keys.length)
    throw new RangeError(`the threshold must be from 1 to the number of trustees (${keys.length})`);
  const from = positionOf(G, certificates, secrets);
  const coefficients = Array.from({ length: threshold }, () => randomScalar(G, random));
  const message = `{"coefexps":${writeArray(coefficients, (a) => `"${gPow(G, a)}"`)}}`;
  const shares = keys.map((k, index) => {
    const r = randomScalar(G, random);
    const alpha = gPow(G, r);
    const to = index + 1;
    return { alpha, share: modQ(G, evaluate(G, coefficients, to) + pad(G, from, to, alpha, pow(G, k.encryption, r))) };
  });
  return { coefexps: signMessage(G, secrets.signing, message, random), shares };
}

/** The threshold a polynomial was made for: the number of its commitments (unchecked; combineShares checks them). */
export const polynomialThreshold = (p: Polynomial): number =>
  parseJson(rawCoefexpsJson, p.coefexps.message, 'commitments').coefexps.length;

/** The commitments g^a_ik in a polynomial's message, once its signature by trustee i's certificate verifies. */
function commitmentsOf(G: Group, keys: CertificateKeys, p: Polynomial, threshold: number, who: number): bigint[] {
  if (!verifySignedMessage(G, keys.verification, p.coefexps))
    throw new RangeError(`trustee ${who}'s commitments are not signed by their certificate`);
  const { coefexps } = parseJson(rawCoefexpsJson, p.coefexps.message, `trustee ${who}'s commitments`);
  if (coefexps.length !== threshold || !coefexps.every((x) => isElement(G, x)))
    throw new RangeError(`trustee ${who}'s commitments are not ${threshold} elements of the group`);
  return coefexps;
}

/**
 * Step 3: trustee j's key share from every trustee's polynomial (in the certificates' order),
 * each share checked against its sender's commitments; a wrong one is named. Returns the
 * private key share x_j and the public verification key g^x_j with its proof.
 */
export function combineShares(
  G: Group,
  secrets: TrusteeSecrets,
  certificates: ReadonlyArray<Certificate>,
  polynomials: ReadonlyArray<Polynomial>,
  threshold: number,
  random: RandomBytes,
): { privateKey: bigint; verificationKey: TrusteePublicKey } {
  const keys = checkCertificates(G, certificates);
  if (polynomials.length !== keys.length)
    throw new RangeError(`${keys.length} trustees, but ${polynomials.length} polynomials`);
  const j = positionOf(G, certificates, secrets);
  let x = 0n;
  polynomials.forEach((p, index) => {
    const i = index + 1;
    const commitments = commitmentsOf(G, keys[index]!, p, threshold, i);
    const sent = p.shares[j - 1];
    if (p.shares.length !== keys.length || !sent || !isElement(G, sent.alpha) || !isScalar(G, sent.share))
      throw new RangeError(`trustee ${i}'s polynomial has no share for each trustee`);
    const share = modQ(G, sent.share - pad(G, i, j, sent.alpha, pow(G, sent.alpha, secrets.encryption)));
    const expected = product(
      G,
      commitments.map((a, k) => pow(G, a, BigInt(j) ** BigInt(k))),
    );
    if (gPow(G, share) !== expected)
      throw new RangeError(`the share trustee ${i} sent does not match their commitments`);
    x = modQ(G, x + share);
  });
  return { privateKey: x, verificationKey: { publicKey: gPow(G, x), pok: provePrivateKey(G, x, random) } };
}

/**
 * What the server checks of trustee `position`'s polynomial before relaying it: commitments
 * signed by their certificate, `threshold` of them in the group, a share in the group for
 * each trustee. (Whether each share is right only its recipient can tell, in combineShares.)
 */
export function checkPolynomial(
  G: Group,
  certificates: ReadonlyArray<Certificate>,
  position: number,
  p: Polynomial,
  threshold: number,
): void {
  const keys = checkCertificates(G, certificates);
  commitmentsOf(G, keys[position - 1]!, p, threshold, position);
  if (p.shares.length !== keys.length || !p.shares.every((s) => isElement(G, s.alpha) && isScalar(G, s.share)))
    throw new RangeError(`a share for each of the ${keys.length} trustees is needed, each in the group`);
}

/** What the server checks of trustee `position`'s verification key: its proof, and that the commitments give it. */
export function checkVerificationKey(
  G: Group,
  certificates: ReadonlyArray<Certificate>,
  coefexps: ReadonlyArray<SignedMessage>,
  threshold: number,
  position: number,
  key: TrusteePublicKey,
): void {
  const keys = checkCertificates(G, certificates);
  const commitments = coefexps.map((m, index) =>
    commitmentsOf(G, keys[index]!, { coefexps: m, shares: [] }, threshold, index + 1),
  );
  if (!checkTrusteePublicKey(G, key)) throw new RangeError('the proof that you know your key share does not verify');
  if (thresholdVerificationKeys(G, commitments)[position - 1] !== key.publicKey)
    throw new RangeError("the verification key does not follow from the trustees' commitments");
}

/**
 * The trustees' public result, as an election's trustees list holds it: certificates,
 * commitments and verification keys, each checked (a verification key that does not follow
 * from the commitments is named).
 */
export function assembleTrustees(
  G: Group,
  threshold: number,
  certificates: ReadonlyArray<Certificate>,
  coefexps: ReadonlyArray<SignedMessage>,
  verificationKeys: ReadonlyArray<TrusteePublicKey>,
): PedersenTrustees {
  const keys = checkCertificates(G, certificates);
  if (coefexps.length !== keys.length || verificationKeys.length !== keys.length)
    throw new RangeError(`${keys.length} trustees: every one's commitments and verification key are needed`);
  const commitments = coefexps.map((m, index) =>
    commitmentsOf(G, keys[index]!, { coefexps: m, shares: [] }, threshold, index + 1),
  );
  const computed = thresholdVerificationKeys(G, commitments);
  verificationKeys.forEach((k, index) => {
    if (!checkTrusteePublicKey(G, k) || k.publicKey !== computed[index])
      throw new RangeError(
        `trustee ${index + 1}'s verification key does not follow from the commitments, or its proof fails`,
      );
  });
  return { kind: 'Pedersen', threshold, certs: certificates, coefexps, verificationKeys };
}

/* The files that pass between trustees and the server: JSON, numbers as decimal strings. */

export const parseCertificate = (text: string): Certificate => parseJson(signedMessageJson, text, 'certificate');

export const polynomialJson = z.strictObject({
  coefexps: signedMessageJson,
  shares: z.array(z.strictObject({ alpha: numberJson, share: numberJson })).min(1),
});
export const writePolynomial = (p: Polynomial): string =>
  `{"coefexps":${writeSigned(p.coefexps)},"shares":${writeArray(p.shares, (s) => `{"alpha":"${s.alpha}","share":"${s.share}"}`)}}`;
export const parsePolynomial = (text: string): Polynomial => parseJson(polynomialJson, text, 'polynomial');

const secretsJson = z.strictObject({ signing: numberJson, encryption: numberJson });
export const writeTrusteeSecrets = (s: TrusteeSecrets): string =>
  `{"signing":"${s.signing}","encryption":"${s.encryption}"}`;
export const parseTrusteeSecrets = (text: string): TrusteeSecrets => parseJson(secretsJson, text, 'trustee secrets');

import * as z from 'zod';
import { type Group, gPow, isElement, pow, product } from './group';
import { type RandomBytes, randomScalar } from './random';
import { proveKnowledge, provePrivateKey, verifyKnowledge, verifyPrivateKeyProof } from './schnorr';
import { numberJson, parseJson, type Proof, proofJson, writeArray, writeProof } from './wire';

/**
 * Trustee keys (specification, "Verification keys" and "Trustees"). A "Single" trustee holds
 * a private key x and publishes g^x with a proof that they know x; their partial decryption
 * is needed to count. The election's key is the product of every trustee's public key.
 * Threshold ("Pedersen") trustees are read and checked here; their keys are made in dkg.ts.
 */
export type TrusteePublicKey = { readonly publicKey: bigint; readonly pok: Proof };
export type TrusteeKeyPair = { readonly privateKey: bigint; readonly publicKey: TrusteePublicKey };

export function generateTrusteeKey(G: Group, random: RandomBytes): TrusteeKeyPair {
  const privateKey = randomScalar(G, random);
  return { privateKey, publicKey: { publicKey: gPow(G, privateKey), pok: provePrivateKey(G, privateKey, random) } };
}

export const checkTrusteePublicKey = (G: Group, key: TrusteePublicKey): boolean =>
  isElement(G, key.publicKey) && verifyPrivateKeyProof(G, key.publicKey, key.pok);

/** The .pubkey file of `belenios-tool setup generate-trustee-key`. */
export const writeTrusteePublicKey = (key: TrusteePublicKey): string =>
  `{"pok":${writeProof(key.pok)},"public_key":"${key.publicKey}"}`;
/** The .privkey file: the private key as a JSON string. */
export const writeTrusteePrivateKey = (privateKey: bigint): string => `"${privateKey}"`;

export const trusteePublicKeyJson = z
  .strictObject({ pok: proofJson, public_key: numberJson })
  .transform((k): TrusteePublicKey => ({ publicKey: k.public_key, pok: k.pok }));
export const parseTrusteePublicKey = (text: string): TrusteePublicKey =>
  parseJson(trusteePublicKeyJson, text, 'trustee public key');
export const parseTrusteePrivateKey = (text: string): bigint => parseJson(numberJson, text, 'trustee private key');

/**
 * A message signed with a trustee's PKI signing key (specification, "Public key
 * infrastructure"): the message is JSON text, the signature a Schnorr proof over "sigmsg|M|".
 */
export type SignedMessage = { readonly message: string; readonly signature: Proof };

/**
 * Threshold trustees (Pedersen's distributed key generation, specification "Messages specific
 * to threshold decryption support"): each of n trustees published a certificate (their PKI
 * keys) and the commitments g^a_ik to their polynomial's coefficients; trustee j's
 * verification key is ∏_i ∏_k (g^a_ik)^(j^k), and any `threshold` of them can decrypt.
 */
export type PedersenTrustees = {
  readonly kind: 'Pedersen';
  readonly threshold: number;
  readonly certs: ReadonlyArray<SignedMessage>;
  readonly coefexps: ReadonlyArray<SignedMessage>;
  readonly verificationKeys: ReadonlyArray<TrusteePublicKey>;
};

export type Trustee = { readonly kind: 'Single'; readonly key: TrusteePublicKey } | PedersenTrustees;

export const signedMessageJson = z.strictObject({ message: z.string(), signature: proofJson });
export const certKeysJson = z.strictObject({ verification: numberJson, encryption: numberJson });
export const rawCoefexpsJson = z.strictObject({ coefexps: z.array(numberJson).min(1) });

const trusteesJson = z.array(
  z.union([
    z.tuple([z.literal('Single'), trusteePublicKeyJson]).transform(([kind, key]): Trustee => ({ kind, key })),
    z
      .tuple([
        z.literal('Pedersen'),
        z.strictObject({
          threshold: z.number().int().positive(),
          certs: z.array(signedMessageJson).min(1),
          coefexps: z.array(signedMessageJson).min(1),
          verification_keys: z.array(trusteePublicKeyJson).min(1),
        }),
      ])
      .transform(([kind, t]): Trustee => ({
        kind,
        threshold: t.threshold,
        certs: t.certs,
        coefexps: t.coefexps,
        verificationKeys: t.verification_keys,
      })),
  ]),
  'a list of ["Single", key] or ["Pedersen", threshold parameters]',
);
export const parseTrustees = (text: string): Trustee[] => parseJson(trusteesJson, text, 'trustees');

export const writeSigned = (m: SignedMessage): string =>
  `{"message":${JSON.stringify(m.message)},"signature":${writeProof(m.signature)}}`;
const writeTrustee = (t: Trustee): string =>
  t.kind === 'Single'
    ? `["Single",${writeTrusteePublicKey(t.key)}]`
    : `["Pedersen",{"threshold":${t.threshold},"certs":${writeArray(t.certs, writeSigned)}` +
      `,"coefexps":${writeArray(t.coefexps, writeSigned)},"verification_keys":${writeArray(t.verificationKeys, writeTrusteePublicKey)}}]`;
export const writeTrustees = (trustees: ReadonlyArray<Trustee>): string => writeArray(trustees, writeTrustee);

const signaturePrefix = (message: string) => `sigmsg|${message}|`;
export const verifySignedMessage = (G: Group, verificationKey: bigint, m: SignedMessage): boolean =>
  verifyKnowledge(G, [G.g], [verificationKey], signaturePrefix(m.message), m.signature);
export const signMessage = (G: Group, signingKey: bigint, message: string, random: RandomBytes): SignedMessage => ({
  message,
  signature: proveKnowledge(G, [G.g], signingKey, signaturePrefix(message), random),
});

/** The coefficients' commitments of each trustee, read from their signed messages (unchecked). */
const coefficientCommitments = (t: PedersenTrustees): bigint[][] =>
  t.coefexps.map((m) => parseJson(rawCoefexpsJson, m.message, 'coefexps').coefexps);

/** Trustee j's verification key from everyone's commitments: ∏_i ∏_k A_ik^(j^k), for j = 1 … n. */
export function thresholdVerificationKeys(G: Group, commitments: ReadonlyArray<ReadonlyArray<bigint>>): bigint[] {
  return commitments.map((_, index) => {
    const j = BigInt(index + 1);
    return product(
      G,
      commitments.map((a) =>
        product(
          G,
          a.map((aik, k) => pow(G, aik, j ** BigInt(k))),
        ),
      ),
    );
  });
}

function checkPedersen(G: Group, t: PedersenTrustees): boolean {
  const n = t.certs.length;
  if (t.coefexps.length !== n || t.verificationKeys.length !== n || t.threshold > n) return false;
  try {
    const certKeys = t.certs.map((c) => parseJson(certKeysJson, c.message, 'certificate'));
    if (
      !t.certs.every(
        (c, i) => isElement(G, certKeys[i]!.verification) && verifySignedMessage(G, certKeys[i]!.verification, c),
      )
    )
      return false;
    if (!t.coefexps.every((m, i) => verifySignedMessage(G, certKeys[i]!.verification, m))) return false;
    const commitments = coefficientCommitments(t);
    if (!commitments.every((a) => a.length === t.threshold && a.every((x) => isElement(G, x)))) return false;
    if (!t.verificationKeys.every((k) => checkTrusteePublicKey(G, k))) return false;
    const computed = thresholdVerificationKeys(G, commitments);
    return t.verificationKeys.every((k, j) => k.publicKey === computed[j]);
  } catch {
    return false;
  }
}

/** Every trustee's key proof, and for threshold trustees their certificates, signatures and verification keys. */
export const checkTrustees = (G: Group, trustees: ReadonlyArray<Trustee>): boolean =>
  trustees.length > 0 &&
  trustees.every((t) => (t.kind === 'Single' ? checkTrusteePublicKey(G, t.key) : checkPedersen(G, t)));

/** The election's key: the product of each Single key and, for threshold trustees, of everyone's g^a_i0. */
export const electionPublicKey = (G: Group, trustees: ReadonlyArray<Trustee>): bigint =>
  product(
    G,
    trustees.map((t) =>
      t.kind === 'Single'
        ? t.key.publicKey
        : product(
            G,
            coefficientCommitments(t).map((a) => a[0]!),
          ),
    ),
  );

/** How many partial decryptions can be owned: one per Single trustee and per threshold trustee. */
export const trusteeCount = (trustees: ReadonlyArray<Trustee>): number =>
  trustees.reduce((n, t) => n + (t.kind === 'Single' ? 1 : t.verificationKeys.length), 0);

/** The public key each trustee decrypts with, by their number from 1 (a threshold trustee's verification key). */
export function trusteeDecryptionKey(ts: ReadonlyArray<Trustee>, position: number): bigint {
  let offset = 0;
  for (const t of ts) {
    if (t.kind === 'Single') {
      if (++offset === position) return t.key.publicKey;
      continue;
    }
    if (position <= offset + t.verificationKeys.length) return t.verificationKeys[position - offset - 1]!.publicKey;
    offset += t.verificationKeys.length;
  }
  throw new RangeError(`there is no trustee number ${position}`);
}

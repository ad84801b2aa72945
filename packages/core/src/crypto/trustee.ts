import { z } from 'zod';
import { type Group, gPow, isElement, product } from './group';
import { type RandomBytes, randomScalar } from './random';
import { provePrivateKey, verifyPrivateKeyProof } from './schnorr';
import { numberJson, parseJson, type Proof, proofJson, writeProof } from './wire';

/**
 * Trustee keys (specification, "Verification keys" and "Trustees"). A "Single" trustee holds
 * a private key x and publishes g^x with a proof that they know x; their partial decryption
 * is needed to count. The election's key is the product of every trustee's public key.
 * Threshold ("Pedersen") trustees are not built yet.
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

const trusteePublicKeyJson = z
  .strictObject({ pok: proofJson, public_key: numberJson })
  .transform((k): TrusteePublicKey => ({ publicKey: k.public_key, pok: k.pok }));
export const parseTrusteePublicKey = (text: string): TrusteePublicKey =>
  parseJson(trusteePublicKeyJson, text, 'trustee public key');
export const parseTrusteePrivateKey = (text: string): bigint => parseJson(numberJson, text, 'trustee private key');

export type Trustee = { readonly kind: 'Single'; readonly key: TrusteePublicKey };

const trusteesJson = z.array(
  z.tuple([z.literal('Single'), trusteePublicKeyJson]).transform(([kind, key]): Trustee => ({ kind, key })),
  'a list of ["Single", key]; threshold ("Pedersen") trustees are not supported yet',
);
export const parseTrustees = (text: string): Trustee[] => parseJson(trusteesJson, text, 'trustees');
export const writeTrustees = (trustees: ReadonlyArray<Trustee>): string =>
  `[${trustees.map((t) => `["${t.kind}",${writeTrusteePublicKey(t.key)}]`).join(',')}]`;

export const checkTrustees = (G: Group, trustees: ReadonlyArray<Trustee>): boolean =>
  trustees.length > 0 && trustees.every((t) => checkTrusteePublicKey(G, t.key));

export const electionPublicKey = (G: Group, trustees: ReadonlyArray<Trustee>): bigint =>
  product(
    G,
    trustees.map((t) => t.key.publicKey),
  );

import { pbkdf2 } from '@noble/hashes/pbkdf2';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';
import { type Group, gPow, isElement, modQ, parseDecimal } from './group';
import { type RandomBytes, randomBelow } from './random';

/**
 * Credentials (specification, "Credentials"). A private credential is 14 random base-58
 * digits and a checksum digit, written XXX-XXX-XXX-XXX-XXX; the voter's signing key is
 * PBKDF2-HMAC-SHA256 of it (1000 rounds, the election's uuid as salt, one 32-byte block)
 * mod q, and the public credential is g to that key.
 */
export const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** An election uuid, or any Belenios token: base-58 digits, 14 by default. */
export function generateToken(random: RandomBytes, length = 14): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE58[Number(randomBelow(58n, random))];
  return out;
}

const checksumDigit = (digits14: string): string => {
  let value = 0n;
  for (const c of digits14) value = value * 58n + BigInt(BASE58.indexOf(c));
  return BASE58[53 - Number(value % 53n)]!;
};

export function generateCredential(random: RandomBytes): string {
  const raw = generateToken(random, 14);
  const full = raw + checksumDigit(raw);
  return [0, 3, 6, 9, 12].map((i) => full.slice(i, i + 3)).join('-');
}

/** True for a well-formed credential whose checksum matches (with or without its dashes). */
export function isCredential(credential: string): boolean {
  const plain = /^[1-9A-HJ-NP-Za-km-z]{3}(-[1-9A-HJ-NP-Za-km-z]{3}){4}$/.test(credential)
    ? credential.replaceAll('-', '')
    : credential;
  return /^[1-9A-HJ-NP-Za-km-z]{15}$/.test(plain) && checksumDigit(plain.slice(0, 14)) === plain[14];
}

/** The voter's signing key; the credential is taken exactly as written (dashes included), as belenios-tool does. */
export function credentialSecret(G: Group, uuid: string, credential: string): bigint {
  const derived = pbkdf2(sha256, credential, uuid, { c: 1000, dkLen: 32 });
  return modQ(G, BigInt('0x' + bytesToHex(derived)));
}

export const publicCredential = (G: Group, uuid: string, credential: string): bigint =>
  gPow(G, credentialSecret(G, uuid, credential));

/** One line of public_creds.json: "credential", "credential,weight" or "credential,weight,login" (weight may be empty). */
export type PublicCredential = { readonly credential: bigint; readonly weight: bigint };

/** Belenios caps weights so that a total can still be found as a discrete logarithm. */
export const MAX_WEIGHT = 100_000_000_000n;

export function parsePublicCredential(G: Group, line: string): PublicCredential {
  const [key, weight, ...rest] = line.split(',');
  if (rest.length > 1) throw new RangeError('a public credential has at most three comma-separated parts');
  const credential = parseDecimal(key!);
  if (!isElement(G, credential)) throw new RangeError('a public credential is not an element of the group');
  const w = weight === undefined || weight === '' ? 1n : parseDecimal(weight);
  if (w < 1n || w > MAX_WEIGHT) throw new RangeError(`a weight is from 1 to ${MAX_WEIGHT}`);
  return { credential, weight: w };
}

/** One member of the roll the server publishes for the credential authority: no name, no email. */
export type CredentialRollEntry = { readonly memberId: string; readonly branch: string; readonly weight: bigint };
/** A public credential as uploaded: the credential, its weight and its voting unit (branch), and no member. */
export type UnitCredential = { readonly credential: bigint; readonly weight: bigint; readonly branch: string };

/**
 * The credential authority's work: a private credential for each member (theirs to deliver)
 * and the public credentials, sorted by value so that their order says nothing of whose each is.
 */
export function makeCredentials(
  G: Group,
  uuid: string,
  roll: ReadonlyArray<CredentialRollEntry>,
  random: RandomBytes,
): { privateCredentials: Array<{ memberId: string; credential: string }>; publicCredentials: UnitCredential[] } {
  const made = roll.map((m) => ({ member: m, credential: generateCredential(random) }));
  return {
    privateCredentials: made.map((x) => ({ memberId: x.member.memberId, credential: x.credential })),
    publicCredentials: made
      .map((x) => ({
        credential: publicCredential(G, uuid, x.credential),
        weight: x.member.weight,
        branch: x.member.branch,
      }))
      .sort((a, b) => (a.credential < b.credential ? -1 : a.credential > b.credential ? 1 : 0)),
  };
}

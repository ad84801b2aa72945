import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { type Group, modQ } from './group';

/*
 * SHA-256 by the platform's OpenSSL where there is one (Node: a verify hashes every file of the
 * archive and every proof's commitments, about a tenth of its time in JavaScript), else
 * @noble/hashes (the browser). Both hash the text's UTF-8 bytes (a lone surrogate as U+FFFD).
 */
type NodeHash = { update(text: string, encoding: 'utf8'): NodeHash; digest(): Uint8Array; digest(enc: 'hex'): string };
type NodeCrypto = { createHash(algorithm: 'sha256'): NodeHash };
const platform = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
const nodeCrypto = platform?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;
let nativeAllowed = true;

/** Whether SHA-256 may use the platform's OpenSSL (the tests compare both paths). */
export function useNativeHash(on: boolean): void {
  nativeAllowed = on;
}

/** Whether SHA-256 goes through OpenSSL here (Node: yes; a browser: no). */
export const hasNativeHash = (): boolean => nodeCrypto !== undefined && nativeAllowed;

const sha256Bytes = (text: string): Uint8Array =>
  nodeCrypto && nativeAllowed
    ? nodeCrypto.createHash('sha256').update(text, 'utf8').digest()
    : sha256(utf8ToBytes(text));

/** Belenios's hashes: SHA-256 of the UTF-8 text, written in hex, or in base 64 without padding. */
export const sha256Hex = (text: string): string =>
  nodeCrypto && nativeAllowed
    ? nodeCrypto.createHash('sha256').update(text, 'utf8').digest('hex')
    : bytesToHex(sha256(utf8ToBytes(text)));

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function base64NoPadding(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let k = 0; k < chars; k++) out += B64[(n >> (18 - 6 * k)) & 63];
  }
  return out;
}

/** H_JSON of the specification: the election's fingerprint, a ballot's hash (its smart ballot tracker). */
export const sha256B64 = (text: string): string => base64NoPadding(sha256Bytes(text));

/**
 * The challenge of every Fiat–Shamir proof in Belenios 2.0 (G.hash): SHA-256 of the prefix
 * followed by the group elements in base 10 separated by commas, read as a big-endian number, mod q.
 */
export function hashToScalar(G: Group, prefix: string, elements: ReadonlyArray<bigint>): bigint {
  return modQ(G, BigInt('0x' + sha256Hex(prefix + elements.map(String).join(','))));
}

import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { type Group, modQ } from './group';

/** Belenios's hashes: SHA-256 of the UTF-8 text, written in hex, or in base 64 without padding. */
export const sha256Hex = (text: string): string => bytesToHex(sha256(utf8ToBytes(text)));

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
export const sha256B64 = (text: string): string => base64NoPadding(sha256(utf8ToBytes(text)));

/**
 * The challenge of every Fiat–Shamir proof in Belenios 2.0 (G.hash): SHA-256 of the prefix
 * followed by the group elements in base 10 separated by commas, read as a big-endian number, mod q.
 */
export function hashToScalar(G: Group, prefix: string, elements: ReadonlyArray<bigint>): bigint {
  return modQ(G, BigInt('0x' + sha256Hex(prefix + elements.map(String).join(','))));
}

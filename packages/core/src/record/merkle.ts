import crypto from 'node:crypto';

/**
 * The Merkle tree hash of RFC 6962 (Certificate Transparency), §2.1, with SHA-256:
 * leaf = H(0x00 || data), node = H(0x01 || left || right), the list split at the largest
 * power of two below its length. Chosen because it is specified exactly and already
 * implemented in many languages, so an auditor can re-compute it without our code.
 * The empty tree's hash is H() (SHA-256 of nothing).
 */
const sha256 = (...parts: Buffer[]) => crypto.createHash('sha256').update(Buffer.concat(parts)).digest();

export function leafHash(data: string): Buffer {
  return sha256(Buffer.from([0]), Buffer.from(data, 'utf8'));
}

function treeHash(leaves: Buffer[], lo: number, hi: number): Buffer {
  const n = hi - lo;
  if (n === 1) return leaves[lo]!;
  let k = 1;
  while (k * 2 < n) k *= 2;
  return sha256(Buffer.from([1]), treeHash(leaves, lo, lo + k), treeHash(leaves, lo + k, hi));
}

/** Root of the tree over `items` (each already canonical text), as lowercase hex. */
export function merkleRoot(items: ReadonlyArray<string>): string {
  if (items.length === 0) return sha256().toString('hex');
  return treeHash(items.map(leafHash), 0, items.length).toString('hex');
}

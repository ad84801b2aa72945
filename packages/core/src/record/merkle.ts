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

const NODE = Buffer.from([1]);

/**
 * The same root built as the leaves arrive, holding one hash per bit of the count: the
 * complete subtrees so far, largest first. Folded from the right at the end, they split
 * exactly as §2.1 does (the largest power of two first), so the root is merkleRoot's.
 */
export class MerkleBuilder {
  private readonly stack: Array<{ hash: Buffer; size: number }> = [];
  count = 0;
  add(item: string): void {
    let top = { hash: leafHash(item), size: 1 };
    for (let last = this.stack.at(-1); last && last.size === top.size; last = this.stack.at(-1)) {
      this.stack.pop();
      top = { hash: sha256(NODE, last.hash, top.hash), size: last.size * 2 };
    }
    this.stack.push(top);
    this.count++;
  }
  /** As lowercase hex. */
  root(): string {
    if (!this.stack.length) return sha256().toString('hex');
    let h = this.stack.at(-1)!.hash;
    for (let i = this.stack.length - 2; i >= 0; i--) h = sha256(NODE, this.stack[i]!.hash, h);
    return h.toString('hex');
  }
}

/** Root of the tree over `items` (each already canonical text), as lowercase hex. */
export function merkleRoot(items: ReadonlyArray<string>): string {
  const tree = new MerkleBuilder();
  for (const item of items) tree.add(item);
  return tree.root();
}

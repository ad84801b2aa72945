import crypto from 'node:crypto';

/**
 * The box's chain: while a ballot is open, every sealed vote that reaches the box is
 * appended, off the cast path, to an append-only hash chain, and the server signs a
 * checkpoint over (ballot, count, head) with a key that derives from its secret and the
 * ballot id. The public key is in the commitment at open, mailed to the auditors. A
 * database insider can recompute hashes but cannot sign: a vote removed once it is
 * chained breaks a signed checkpoint, or leaves the signed count above the votes.
 *
 * What is chained is the SHA-256 of each sealed vote (its ciphertext), not its receipt:
 * under the `choices` policy the receipts carry answers, and receipts in cast order would
 * pair answers with whoever knows when each member voted. A ciphertext's hash says
 * nothing of the vote or its receipt. Documented in docs/election-record.md (V17).
 */

/** A signed checkpoint: the first `count` elements of the chain end in `head`. */
export type Checkpoint = { count: number; head: string; signature: string };

/** The chain as the record carries it: its elements in chain order, and every checkpoint by count. */
export type RecordChain = { elements: string[]; checkpoints: Checkpoint[] };

const sha256 = (...parts: Buffer[]) => crypto.createHash('sha256').update(Buffer.concat(parts)).digest('hex');

/** What the chain starts from, before any element: bound to the ballot. */
export function chainStart(ballotId: string): string {
  return sha256(Buffer.from(`omov-box-chain/1\n${ballotId}`, 'utf8'));
}

/** The element a sealed vote adds: the SHA-256 of its text. */
export function chainElement(sealed: string): string {
  return sha256(Buffer.from(sealed, 'utf8'));
}

/** link_i = SHA-256(link_{i-1} ‖ element_i ‖ i as 8 bytes, big-endian), i counting from 1. */
export function nextLink(previous: string, element: string, position: number): string {
  const i = Buffer.alloc(8);
  i.writeBigUInt64BE(BigInt(position));
  return sha256(Buffer.from(previous, 'hex'), Buffer.from(element, 'hex'), i);
}

/** The head after these elements, continuing from `from` (the head at position `at`). */
export function extendChain(from: string, at: number, elements: ReadonlyArray<string>): string {
  let head = from;
  elements.forEach((e, i) => (head = nextLink(head, e, at + i + 1)));
  return head;
}

/** The bytes a checkpoint's signature covers. */
export function checkpointMessage(ballotId: string, count: number, head: string): Uint8Array {
  return Buffer.from(`omov-checkpoint/1\n${ballotId}\n${count}\n${head}`, 'utf8');
}

/*
 * Ed25519 (RFC 8032) by node:crypto (OpenSSL): the same keys and signatures as any other
 * implementation, and about twenty times faster here than @noble/curves, which matters to a
 * verifier that checks one signature per checkpoint of a ballot open for weeks.
 */

/** A 32-byte seed as a private key: the PKCS #8 wrapping of RFC 8410. */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const privateKeyOf = (seed: Uint8Array) =>
  crypto.createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });

/** The public key (64 hex digits) of a 32-byte seed. */
export function checkpointKey(seed: Uint8Array): string {
  const { x } = crypto.createPublicKey(privateKeyOf(seed)).export({ format: 'jwk' });
  return Buffer.from(x!, 'base64url').toString('hex');
}

export function signCheckpoint(seed: Uint8Array, ballotId: string, count: number, head: string): Checkpoint {
  const signature = crypto.sign(null, checkpointMessage(ballotId, count, head), privateKeyOf(seed)).toString('hex');
  return { count, head, signature };
}

const publicKeyOf = (hex: string) =>
  crypto.createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(hex, 'hex').toString('base64url') },
    format: 'jwk',
  });

export function checkpointSigned(publicKey: string | crypto.KeyObject, ballotId: string, cp: Checkpoint): boolean {
  try {
    const key = typeof publicKey === 'string' ? publicKeyOf(publicKey) : publicKey;
    return crypto.verify(null, checkpointMessage(ballotId, cp.count, cp.head), key, Buffer.from(cp.signature, 'hex'));
  } catch {
    return false;
  }
}

/**
 * Everything wrong with a chain, against the key committed at open: each checkpoint must
 * follow from the elements and carry the key's signature, counts rising, the last one
 * covering every element, and no element twice (a sealed vote copied).
 */
export function chainProblems(ballotId: string, publicKey: string, chain: RecordChain): string[] {
  const problems: string[] = [];
  const { elements, checkpoints } = chain;
  let key: crypto.KeyObject | undefined;
  try {
    key = publicKeyOf(publicKey);
  } catch {
    return ['the key committed at open is not an Ed25519 public key'];
  }
  if (new Set(elements).size !== elements.length) problems.push('an element of the chain appears twice');
  const heads = [chainStart(ballotId)];
  elements.forEach((e, i) => heads.push(nextLink(heads[i]!, e, i + 1)));
  let previous = -1;
  for (const cp of checkpoints) {
    const name = `the checkpoint at ${cp.count}`;
    if (cp.count <= previous) problems.push(`${name}: counts do not rise (after ${previous})`);
    previous = cp.count;
    if (cp.count > elements.length)
      problems.push(`${name}: signed for more votes than the chain's ${elements.length}: votes were removed`);
    else if (heads[cp.count] !== cp.head)
      problems.push(`${name}: the chain's elements do not lead to its head: an element was removed or changed`);
    if (!checkpointSigned(key, ballotId, cp))
      problems.push(`${name}: its signature is not the server's (the key committed at open)`);
  }
  const last = checkpoints[checkpoints.length - 1];
  if (!last) problems.push('the chain has no checkpoint');
  else if (last.count !== elements.length)
    problems.push(`the last checkpoint covers ${last.count} of the chain's ${elements.length} elements`);
  return problems;
}

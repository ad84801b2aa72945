import crypto from 'node:crypto';
import {
  chainElement,
  chainProblems,
  chainStart,
  checkpointKey,
  checkpointSigned,
  extendChain,
  nextLink,
  type RecordChain,
  signCheckpoint,
} from '../../src/record/chain';

const BALLOT = '6c1f7b0e-0000-4000-8000-000000000001';
const seed = crypto.createHash('sha256').update('a server key').digest();
const key = checkpointKey(seed);
const elements = ['one', 'two', 'three', 'four', 'five'].map(chainElement);
const sha = (...b: Buffer[]) => crypto.createHash('sha256').update(Buffer.concat(b)).digest('hex');

/** Checkpoints at 0, 2 and 5, as a chainer passing twice would sign them. */
function chainOf(els: string[], counts = [0, 2, els.length], s: Uint8Array = seed): RecordChain {
  return {
    elements: els,
    checkpoints: counts.map((n) => signCheckpoint(s, BALLOT, n, extendChain(chainStart(BALLOT), 0, els.slice(0, n)))),
  };
}

test('a link is SHA-256(previous ‖ element ‖ position as 8 bytes big-endian), computed by hand', () => {
  const start = chainStart(BALLOT);
  expect(start).toBe(sha(Buffer.from(`omov-box-chain/1\n${BALLOT}`)));
  const pos = Buffer.from('0000000000000001', 'hex');
  expect(nextLink(start, elements[0]!, 1)).toBe(sha(Buffer.from(start, 'hex'), Buffer.from(elements[0]!, 'hex'), pos));
  expect(extendChain(start, 0, elements.slice(0, 2))).toBe(nextLink(nextLink(start, elements[0]!, 1), elements[1]!, 2));
});

test('a chain as signed has no problems; a checkpoint verifies only under its key and for its own count and head', () => {
  const c = chainOf(elements);
  expect(chainProblems(BALLOT, key, c)).toEqual([]);
  const cp = c.checkpoints[2]!;
  expect(checkpointSigned(key, BALLOT, cp)).toBe(true);
  expect(checkpointSigned(key, BALLOT, { ...cp, count: 4 })).toBe(false);
  expect(checkpointSigned(key, 'another-ballot', cp)).toBe(false);
  expect(checkpointSigned(checkpointKey(crypto.randomBytes(32)), BALLOT, cp)).toBe(false);
  expect(checkpointSigned(key, BALLOT, { ...cp, signature: 'zz' })).toBe(false);
});

test('an element removed from the middle, even with every link recomputed, breaks the signed checkpoints', () => {
  const signed = chainOf(elements);
  const without = elements.filter((_, i) => i !== 3);
  const problems = chainProblems(BALLOT, key, { elements: without, checkpoints: signed.checkpoints });
  expect(problems.join('\n')).toMatch(/checkpoint at 5: signed for more votes than the chain's 4/);
  // Re-signed with the insider's own key: every signature refused.
  const forged = chainOf(without, [0, 2, 4], crypto.randomBytes(32));
  expect(chainProblems(BALLOT, key, forged).filter((p) => p.includes('signature'))).toHaveLength(3);
});

test('an element changed, a checkpoint missing at the end or counts out of order are named', () => {
  const signed = chainOf(elements);
  const changed = [...elements];
  changed[1] = chainElement('another');
  expect(chainProblems(BALLOT, key, { ...signed, elements: changed }).join('\n')).toMatch(
    /checkpoint at 2: the chain's elements do not lead to its head/,
  );
  expect(chainProblems(BALLOT, key, chainOf(elements, [0, 2])).join('\n')).toMatch(
    /last checkpoint covers 2 of the chain's 5/,
  );
  const swapped = { ...signed, checkpoints: [signed.checkpoints[1]!, signed.checkpoints[0]!, signed.checkpoints[2]!] };
  expect(chainProblems(BALLOT, key, swapped).join('\n')).toMatch(/counts do not rise/);
  expect(chainProblems(BALLOT, key, { elements: [...elements, elements[0]!], checkpoints: [] })).toEqual(
    expect.arrayContaining(['an element of the chain appears twice', 'the chain has no checkpoint']),
  );
});

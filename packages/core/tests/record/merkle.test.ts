import crypto from 'node:crypto';
import { canonicalJson } from '../../src/record/canonical';
import { tokensRoot, tokensRootOfSorted } from '../../src/record/commitments';
import { leafHash, merkleRoot } from '../../src/record/merkle';

const h = (hex: string) => Buffer.from(hex, 'hex');
const sha = (...b: Buffer[]) => crypto.createHash('sha256').update(Buffer.concat(b)).digest();

describe('RFC 6962 Merkle tree hash', () => {
  test('empty, one and three leaves, computed by hand from the definition', () => {
    expect(merkleRoot([])).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(merkleRoot(['a'])).toBe(sha(h('00'), Buffer.from('a')).toString('hex'));
    const [a, b, c] = ['a', 'b', 'c'].map(leafHash) as [Buffer, Buffer, Buffer];
    // n = 3 splits as [a, b] | [c].
    expect(merkleRoot(['a', 'b', 'c'])).toBe(sha(h('01'), sha(h('01'), a, b), c).toString('hex'));
  });
  test('changing, removing, adding or reordering a leaf changes the root', () => {
    const items = Array.from({ length: 9 }, (_, i) => `vote ${i}`);
    const root = merkleRoot(items);
    expect(merkleRoot(items.map((x, i) => (i === 4 ? `${x}!` : x)))).not.toBe(root);
    expect(merkleRoot(items.slice(1))).not.toBe(root);
    expect(merkleRoot([...items, 'extra'])).not.toBe(root);
    expect(merkleRoot([items[1]!, items[0]!, ...items.slice(2)])).not.toBe(root);
  });
  test('canonical JSON sorts keys at every depth and drops nothing else', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: null }], c: 'é' } })).toBe(
      '{"a":{"c":"é","d":[2,{"x":null,"y":1}]},"b":1}',
    );
  });
  test('built leaf by leaf, gives the root of §2.1 split at the largest power of two, for every size to 70', () => {
    const reference = (leaves: Buffer[]): Buffer => {
      if (leaves.length === 1) return leaves[0]!;
      let k = 1;
      while (k * 2 < leaves.length) k *= 2;
      return sha(h('01'), reference(leaves.slice(0, k)), reference(leaves.slice(k)));
    };
    for (let n = 1; n <= 70; n++) {
      const items = Array.from({ length: n }, (_, i) => `leaf ${i}`);
      expect(merkleRoot(items)).toBe(reference(items.map(leafHash)).toString('hex'));
    }
  });
  test('the token root read in ascending order is tokensRoot; out of order it is refused', async () => {
    async function* each(items: string[]) {
      yield* items;
    }
    const hashes = Array.from({ length: 37 }, (_, i) => sha(Buffer.from([i])).toString('hex')).sort();
    expect(await tokensRootOfSorted(each(hashes))).toEqual({ root: tokensRoot(hashes), count: 37 });
    expect(await tokensRootOfSorted(each([]))).toEqual({ root: tokensRoot([]), count: 0 });
    await expect(tokensRootOfSorted(each([...hashes].reverse()))).rejects.toThrow(/out of order/);
  });
});

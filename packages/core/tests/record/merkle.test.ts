import crypto from 'node:crypto';
import { canonicalJson } from '../../src/record/canonical';
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
});

import {
  fixBase,
  groupNamed,
  gPow,
  hasNativePow,
  isElement,
  modQ,
  pow,
  pow2,
  useNativePow,
} from '../../src/crypto/group';

// The fast paths (OpenSSL, fixed-base tables, sliding window, Straus) against the Field's plain square-and-multiply.
const plain = (G: ReturnType<typeof groupNamed>, a: bigint, e: bigint) => G.field.pow(a, modQ(G, e));

// A deterministic stream of exponents, so that a failure can be replayed.
function* exponents(G: ReturnType<typeof groupNamed>, n: number): Generator<bigint> {
  let x = 0x9e3779b97f4a7c15n;
  for (let i = 0; i < n; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) % (1n << 2048n);
    yield x % G.q;
  }
  // Edge cases: zero, one, q − 1, q itself (≡ 0), and a negative exponent.
  yield* [0n, 1n, G.q - 1n, G.q, -5n, (1n << 255n) - 1n];
}

describe.each([
  ['BELENIOS-2048', 'OpenSSL'],
  ['BELENIOS-2048', 'BigInt'],
  ['RFC-3526-2048', 'OpenSSL'],
  ['RFC-3526-2048', 'BigInt'],
] as const)('exponentiation in %s by %s', (name, backend) => {
  const G = groupNamed(name);
  beforeEach(() => useNativePow(backend === 'OpenSSL'));
  afterAll(() => useNativePow(true));

  test(`the ${backend} path is the one taken`, () => {
    expect(hasNativePow(G)).toBe(backend === 'OpenSSL');
  });
  const y = plain(G, G.g, 123456789n); // an element of the group, standing for an election's public key
  const other = plain(G, G.g, 987654321987654321n);

  test('gPow (fixed-base table) equals the plain power', () => {
    for (const e of exponents(G, 12)) expect(gPow(G, e)).toBe(plain(G, G.g, e));
  });

  test('pow by sliding window, and after fixBase by table, equals the plain power', () => {
    for (const e of exponents(G, 8)) expect(pow(G, y, e)).toBe(plain(G, y, e));
    fixBase(G, y);
    for (const e of exponents(G, 8)) expect(pow(G, y, e)).toBe(plain(G, y, e));
  });

  test('pow2 (Straus, or tables where present) equals the product of plain powers', () => {
    const es = [...exponents(G, 6)];
    for (let i = 0; i + 1 < es.length; i++) {
      const [x, z] = [es[i]!, es[i + 1]!];
      const expected = G.field.mul(plain(G, other, x), plain(G, y, z));
      expect(pow2(G, other, x, y, z)).toBe(expected);
      const third = plain(G, G.g, x + 7n);
      expect(pow2(G, other, x, third, z)).toBe(G.field.mul(plain(G, other, x), plain(G, third, z)));
      expect(pow2(G, G.g, x, other, z)).toBe(G.field.mul(plain(G, G.g, x), plain(G, other, z)));
    }
  });

  test('isElement: elements of the subgroup, and what is not one', () => {
    expect(isElement(G, 1n)).toBe(true);
    expect(isElement(G, y)).toBe(true);
    expect(isElement(G, other)).toBe(true);
    // Outside [1, p − 1], p − 1 (order 2) and, in BELENIOS-2048 where q is far below p, a non-residue.
    for (const x of [0n, G.p, G.p + 1n, -1n, G.p - 1n]) expect(isElement(G, x)).toBe(false);
    if (name === 'BELENIOS-2048') expect(isElement(G, 2n)).toBe(G.field.pow(2n, G.q) === 1n);
  });

  test('bases the native path refuses (1, p − 1) and exponent 0 give the plain power', () => {
    for (const a of [1n, G.p - 1n, 2n])
      for (const e of [0n, 1n, 2n, G.q - 1n]) expect(pow(G, a, e)).toBe(plain(G, a, e));
  });
});

import { hasNativeHash, sha256Hex, sha256B64, useNativeHash } from '../../src/crypto/hash';

/** SHA-256 by OpenSSL (Node) and by @noble/hashes (the browser) give the same hashes of the same texts. */
const texts = ['', 'abc', 'élection — “vote” ✓ 🗳', 'a lone surrogate \uD800 here', 'x'.repeat(100_000)];

afterEach(() => useNativeHash(true));

test("the native and the JavaScript SHA-256 agree, and match the standard's vector", () => {
  expect(hasNativeHash()).toBe(true);
  const native = texts.map((t) => [sha256Hex(t), sha256B64(t)]);
  useNativeHash(false);
  expect(hasNativeHash()).toBe(false);
  const js = texts.map((t) => [sha256Hex(t), sha256B64(t)]);
  expect(native).toEqual(js);
  // FIPS 180-2, appendix B.1.
  expect(native[1]![0]).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  expect(native[1]![1]).toBe('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0');
});

/**
 * Drawing lots reproducibly. Where a method's rules leave a tie unbroken, the count
 * draws a lot from a seed that is recorded in the result, so that anyone re-running the
 * count with the same seed gets the same draw. The generator is sfc32 seeded by a
 * 128-bit FNV-1a-style mix of the seed string and a context label: the draw for a tie
 * depends only on (seed, context, tied candidates), never on earlier draws.
 */
function hash128(text: string): [number, number, number, number] {
  let h1 = 0x811c9dc5 ^ 0,
    h2 = 0x01000193 ^ 0,
    h3 = 0x9e3779b9 ^ 0,
    h4 = 0x85ebca6b ^ 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h3 = Math.imul(h3 ^ c, 0x27d4eb2d);
    h4 = Math.imul(h4 ^ c, 0x165667b1);
  }
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

export type Lot = { next(): number };

export function lot(seed: string, context: string): Lot {
  let [a, b, c, d] = hash128(`${seed}\u0000${context}`);
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    const r = (t + d) | 0;
    c = (c + r) | 0;
    return (r >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  return { next };
}

/**
 * Order `items` by a lot: returns a permutation (a Fisher–Yates shuffle) drawn from
 * (seed, context). The first element is the one the lot picks.
 */
export function drawOrder<T>(items: readonly T[], seed: string, context: string): T[] {
  const out = items.slice();
  const g = lot(seed, context);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(g.next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

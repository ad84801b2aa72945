import type { Group } from './group';

/** A source of random bytes. Tests pass a seeded one; the default is the platform's CSPRNG (browser and Node alike). */
export type RandomBytes = (length: number) => Uint8Array;

export const systemRandom: RandomBytes = (length) => globalThis.crypto.getRandomValues(new Uint8Array(length));

/**
 * A number uniform in [0, n) up to a negligible bias: 128 more random bits than n has,
 * reduced mod n, as Belenios draws its randomness (Common.bytes_to_sample).
 */
export function randomBelow(n: bigint, random: RandomBytes): bigint {
  const bytes = random(Math.floor(n.toString(2).length / 8) + 17);
  let x = 0n;
  for (const b of bytes) x = (x << 8n) | BigInt(b);
  return x % n;
}

export const randomScalar = (G: Group, random: RandomBytes): bigint => randomBelow(G.q, random);
